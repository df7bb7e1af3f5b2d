"""The handover from project to service: the gate on the documents, the acceptance date starting the
warranties, and the project page (uploads, downloads, who may do what)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory, ProductFactory
from aftersales.contracts import handover
from aftersales.contracts.models import HandoverDocument, HandoverDocumentKind, ProjectRecord
from aftersales.contracts.tests.factories import ContractFactory, WarrantyTermFactory
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

ACCEPTED = dt.date(2025, 6, 30)
ALL_KINDS = list(HandoverDocumentKind.values)


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


@pytest.fixture
def project():
    return handover.project_record_for(ContractFactory())


def pdf_upload(name="文档.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 handover", content_type="application/pdf")


def add_documents(actor, project, kinds):
    for kind in kinds:
        handover.handover_document_add(actor=actor, project=project, kind=kind, file=pdf_upload(f"{kind}.pdf"))


def accepted(actor, project):
    return handover.initial_acceptance_record(actor=actor, project=project, day=ACCEPTED)


# The handover gate -------------------------------------------------------------------------------------------


def test_the_handover_gate_refuses_with_exactly_the_missing_kinds(manager, project):
    accepted(manager, project)
    add_documents(manager, project, ["engineering_plan", "technical_manual", "acceptance_report"])

    with pytest.raises(InvalidTransition) as refused:
        handover.service_phase_start(actor=manager, project=project)

    assert refused.value.detail == {"missing": ["maintenance_manual", "project_summary", "service_agreement"]}
    project.refresh_from_db()
    assert project.service_started_at is None and project.service_started_by is None
    assert project.handover_exception == ""


def test_the_handover_gate_opens_when_every_document_is_there(manager, project):
    accepted(manager, project)
    add_documents(manager, project, ALL_KINDS)

    handover.service_phase_start(actor=manager, project=project, exception_reason="not needed")

    project.refresh_from_db()
    assert project.service_started_at is not None
    assert project.service_started_by == manager
    assert project.handover_exception == ""  # nothing was missing, so there is no exception
    assert handover.missing_documents(project) == []


def test_the_handover_gate_opens_with_an_exception_and_keeps_its_reason(manager, project):
    accepted(manager, project)
    add_documents(manager, project, ["service_agreement"])

    handover.service_phase_start(actor=manager, project=project, exception_reason="  总结报告下月补交  ")

    project.refresh_from_db()
    assert project.service_started_at is not None
    assert project.handover_exception == "总结报告下月补交"


def test_the_handover_gate_needs_the_initial_acceptance_first(manager, project):
    add_documents(manager, project, ALL_KINDS)

    with translation.override("en"), pytest.raises(InvalidTransition, match="initial acceptance"):
        handover.service_phase_start(actor=manager, project=project)
    with translation.override("en"), pytest.raises(InvalidTransition, match="initial acceptance"):
        handover.service_phase_start(actor=manager, project=project, exception_reason="急需")

    project.refresh_from_db()
    assert project.service_started_at is None and project.handover_exception == ""


def test_the_service_phase_starts_once(manager, project):
    accepted(manager, project)
    handover.service_phase_start(actor=manager, project=project, exception_reason="first")
    project.refresh_from_db()
    started = project.service_started_at

    with translation.override("en"), pytest.raises(InvalidTransition, match="started already"):
        handover.service_phase_start(actor=manager, project=project, exception_reason="second")

    project.refresh_from_db()
    assert project.service_started_at == started and project.handover_exception == "first"


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.DISPATCHER, Role.CUSTOMER])
def test_only_master_data_editors_and_archivists_hand_over(role, project):
    actor = UserFactory(role=role, customer=project.contract.customer if role == Role.CUSTOMER else None)
    archivist = UserFactory(role=Role.ARCHIVIST)
    accepted(archivist, project)

    for attempt in (
        lambda: handover.service_phase_start(actor=actor, project=project, exception_reason="x"),
        lambda: add_documents(actor, project, ["engineering_plan"]),
        lambda: handover.initial_acceptance_record(actor=actor, project=project, day=ACCEPTED),
    ):
        with pytest.raises(PermissionDenied):
            attempt()

    project.refresh_from_db()
    assert project.service_started_at is None and not project.documents.exists()


def test_documents_are_checked_for_type_and_size(manager, project, settings):
    with pytest.raises(ValidationFailed):
        handover.handover_document_add(
            actor=manager, project=project, kind="engineering_plan", file=SimpleUploadedFile("x.exe", b"MZ")
        )
    with pytest.raises(ValidationFailed):
        handover.handover_document_add(actor=manager, project=project, kind="bogus", file=pdf_upload())
    settings.ATTACHMENT_MAX_BYTES = 5
    with pytest.raises(ValidationFailed):
        handover.handover_document_add(actor=manager, project=project, kind="engineering_plan", file=pdf_upload())
    assert not HandoverDocument.objects.exists()


# The acceptance date starts the warranties --------------------------------------------------------------------


def test_the_initial_acceptance_starts_the_warranty_of_the_contracts_assets_from_its_terms(manager):
    site = SiteFactory()
    contract = ContractFactory(customer=site.customer)
    WarrantyTermFactory(contract=contract, asset_class="hardware", years=3)
    WarrantyTermFactory(contract=contract, asset_class="software", years=1)
    server = AssetFactory(site=site, contract=contract, product=ProductFactory(category="hardware"))
    database = AssetFactory(site=site, contract=contract, product=ProductFactory(category="software"))
    switch = AssetFactory(site=site, contract=contract, product=ProductFactory(category="network"))  # no term
    earlier = AssetFactory(
        site=site, contract=contract, acceptance_date=dt.date(2024, 1, 2), warranty_end=dt.date(2027, 1, 2)
    )
    elsewhere = AssetFactory(site=site)  # another contract's (none)
    project = handover.project_record_for(contract)

    handover.initial_acceptance_record(actor=manager, project=project, day=dt.date(2024, 2, 29))

    for asset in (server, database, switch, earlier, elsewhere):
        asset.refresh_from_db()
    assert (server.acceptance_date, server.warranty_end) == (dt.date(2024, 2, 29), dt.date(2027, 2, 28))
    assert (database.acceptance_date, database.warranty_end) == (dt.date(2024, 2, 29), dt.date(2025, 2, 28))
    assert (switch.acceptance_date, switch.warranty_end) == (dt.date(2024, 2, 29), None)
    assert (earlier.acceptance_date, earlier.warranty_end) == (dt.date(2024, 1, 2), dt.date(2027, 1, 2))
    assert (elsewhere.acceptance_date, elsewhere.warranty_end) == (None, None)
    assert server.history.count() == 2  # created, then accepted: the change is in the asset's history
    project.refresh_from_db()
    assert project.initial_acceptance_date == dt.date(2024, 2, 29)


def test_the_acceptance_date_is_recorded_once_and_not_in_the_future(manager, project):
    with pytest.raises(ValidationFailed):
        handover.initial_acceptance_record(
            actor=manager, project=project, day=timezone.localdate() + dt.timedelta(days=2)
        )
    accepted(manager, project)
    accepted(manager, project)  # the same day again changes nothing
    with pytest.raises(InvalidTransition):
        handover.initial_acceptance_record(actor=manager, project=project, day=dt.date(2025, 7, 1))
    project.refresh_from_db()
    assert project.initial_acceptance_date == ACCEPTED


# The project page ----------------------------------------------------------------------------------------------


def test_the_project_page_shows_the_checklist_and_takes_uploads(client, manager):
    contract = ContractFactory()
    url = reverse("project_record", args=[contract.pk])
    client.force_login(manager)

    page = client.get(url)
    assert page.status_code == 200
    assert not ProjectRecord.objects.exists()  # looking writes nothing
    assert page.content.decode().count('data-testid="checklist-row"') == 6

    response = client.post(
        reverse("project_document_add", args=[contract.pk]), {"kind": "engineering_plan", "file": pdf_upload()}
    )
    assert response.status_code == 302
    document = HandoverDocument.objects.get()
    assert document.kind == "engineering_plan" and document.uploaded_by == manager
    download = client.get(reverse("handover_document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 handover"

    client.post(reverse("project_acceptance", args=[contract.pk]), {"day": "2025-06-30"})
    refused = client.post(reverse("project_service_start", args=[contract.pk]), {"exception_reason": ""}, follow=True)
    assert "项目总结" in refused.content.decode()
    project = ProjectRecord.objects.get()
    assert project.initial_acceptance_date == ACCEPTED and project.service_started_at is None

    client.post(reverse("project_service_start", args=[contract.pk]), {"exception_reason": "客户同意后补"})
    project.refresh_from_db()
    assert project.service_started_at is not None and project.handover_exception == "客户同意后补"


def test_customers_read_their_own_project_but_change_nothing_and_see_no_others(client, manager):
    contract = ContractFactory()
    project = handover.project_record_for(contract)
    add_documents(manager, project, ["engineering_plan"])
    document = project.documents.get()
    owner = UserFactory(role=Role.CUSTOMER, customer=contract.customer)
    stranger = UserFactory(role=Role.CUSTOMER, customer=ContractFactory().customer)

    client.force_login(owner)
    page = client.get(reverse("project_record", args=[contract.pk]))
    assert page.status_code == 200 and 'data-testid="upload-form"' not in page.content.decode()
    assert client.get(reverse("handover_document_download", args=[document.pk])).status_code == 200
    client.post(reverse("project_acceptance", args=[contract.pk]), {"day": "2025-06-30"})
    client.post(reverse("project_service_start", args=[contract.pk]), {"exception_reason": "x"})
    client.post(reverse("project_document_add", args=[contract.pk]), {"kind": "technical_manual", "file": pdf_upload()})

    client.force_login(stranger)
    assert client.get(reverse("project_record", args=[contract.pk])).status_code == 404
    assert client.get(reverse("handover_document_download", args=[document.pk])).status_code == 404
    for name in ("project_acceptance", "project_service_start", "project_document_add"):
        assert client.post(reverse(name, args=[contract.pk]), {"day": "2025-06-30"}).status_code == 404

    project.refresh_from_db()
    assert project.initial_acceptance_date is None and project.service_started_at is None
    assert project.documents.count() == 1
