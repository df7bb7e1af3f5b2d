"""Service report pages, downloads, the emailed link and the API: customers read only their own organisation's
released reports (404 otherwise, nothing changes on refusal); staff read all, supervisors act on them."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.reports.models import ServiceReport, ServiceReportEvent, ServiceReportRecipient
from aftersales.reports.periods import month_of
from aftersales.reports.service_report.figures import compute_figures
from aftersales.reports.services import token_hash
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
SEPTEMBER = month_of(dt.date(2026, 9, 1))


def make_report(contract, *, status="final", period=SEPTEMBER, version=1) -> ServiceReport:
    figures = compute_figures(customer=contract.customer, contract=contract, period=period)
    report = ServiceReport(
        customer=contract.customer,
        contract=contract,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        version=version,
        status=status,
        figures=figures,
        recommendations="• 建议定期巡检。",
        generated_at=timezone.now(),
    )
    report.pdf.save(report.file_name("pdf"), ContentFile(b"%PDF-1.7 " + contract.number.encode()), save=False)
    report.xlsx.save(report.file_name("xlsx"), ContentFile(b"PK xlsx " + contract.number.encode()), save=False)
    report.save()
    return report


@pytest.fixture
def tenants():
    ours = ContractFactory(number="HT-A-1", customer__name="甲单位")
    theirs = ContractFactory(number="HT-B-1", customer__name="乙单位")
    TicketFactory(customer=ours.customer, contract=ours, received_at=dt.datetime(2026, 9, 3, 9, tzinfo=BEIJING))
    return {
        "ours": make_report(ours),
        "our_draft": make_report(ours, status="draft", version=2),
        "theirs": make_report(theirs, status="sent"),
        "customer": UserFactory(role=Role.CUSTOMER, customer=ours.customer),
        "manager": UserFactory(role=Role.MANAGER),
        "engineer": UserFactory(role=Role.ENGINEER),
    }


def snapshot() -> list[tuple]:
    reports = ServiceReport.objects.order_by("pk").values_list("pk", "status", "version", "recommendations")
    return [*reports, ServiceReportEvent.objects.count(), ServiceReport.objects.count()]


def test_a_customer_lists_only_its_own_released_reports(client, tenants):
    client.force_login(tenants["customer"])

    response = client.get(reverse("service_report_list"))

    assert response.status_code == 200
    assert [report.pk for report in response.context["page"]] == [tenants["ours"].pk]
    assert response.context["form"] is None  # no request form for customers
    assert "乙单位" not in response.content.decode() and "HT-B-1" not in response.content.decode()


def test_a_customer_reads_and_downloads_its_own_report(client, tenants):
    client.force_login(tenants["customer"])
    report = tenants["ours"]

    page = client.get(reverse("service_report_detail", args=[report.pk]))
    pdf = client.get(reverse("service_report_pdf", args=[report.pk]))
    xlsx = client.get(reverse("service_report_xlsx", args=[report.pk]))

    assert page.status_code == 200 and "甲单位" in page.content.decode()
    assert 'data-testid="service-report-actions"' not in page.content.decode()
    assert "events" not in page.context  # the provider's timeline of the report is internal
    assert (pdf.status_code, pdf["Content-Type"], b"".join(pdf.streaming_content)) == (
        200,
        "application/pdf",
        b"%PDF-1.7 HT-A-1",
    )
    assert pdf["Content-Disposition"] == 'attachment; filename="service-report-HT-A-1-2026-09-v1.pdf"'
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content) == b"PK xlsx HT-A-1"


@pytest.mark.parametrize("report", ["theirs", "our_draft"])
@pytest.mark.parametrize("name", ["service_report_detail", "service_report_pdf", "service_report_xlsx"])
def test_another_customers_report_or_a_draft_does_not_exist_for_a_customer(client, tenants, report, name):
    client.force_login(tenants["customer"])

    response = client.get(reverse(name, args=[tenants[report].pk]))

    assert response.status_code == 404
    assert b"HT-B-1" not in response.content


@pytest.mark.parametrize(
    "name", ["service_report_edit", "service_report_finalise", "service_report_send", "service_report_regenerate"]
)
def test_customers_cannot_act_on_reports_even_their_own_and_nothing_changes(client, tenants, name):
    client.force_login(tenants["customer"])
    before = snapshot()

    for report in ("ours", "our_draft", "theirs"):
        response = client.post(reverse(name, args=[tenants[report].pk]), {"recommendations": "改"})
        assert response.status_code == 404

    assert snapshot() == before


def test_a_customer_cannot_request_a_report(client, tenants):
    client.force_login(tenants["customer"])
    before = snapshot()

    response = client.post(
        reverse("service_report_list"),
        {"contract": tenants["ours"].contract_id, "period_kind": "month", "day": "2026-09-01"},
    )

    assert response.status_code == 404
    assert snapshot() == before


def test_staff_without_supervision_see_reports_but_their_actions_are_refused(client, tenants):
    client.force_login(tenants["engineer"])
    before = snapshot()

    page = client.get(reverse("service_report_detail", args=[tenants["our_draft"].pk]))
    with translation.override("en"):
        refused = client.post(
            reverse("service_report_finalise", args=[tenants["our_draft"].pk]), follow=True, **ENGLISH
        )

    assert page.status_code == 200 and page.context["can_manage"] is False
    assert "You do not have permission to do this." in refused.content.decode()
    assert snapshot() == before


def test_a_supervisor_releases_a_draft_from_its_page(client, tenants):
    client.force_login(tenants["manager"])
    draft = tenants["our_draft"]

    response = client.post(reverse("service_report_finalise", args=[draft.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("service_report_detail", args=[draft.pk])
    assert ServiceReport.objects.get(pk=draft.pk).status == "final"


def test_a_supervisor_requests_a_report_and_lands_on_its_page(client, tenants, django_capture_on_commit_callbacks):
    client.force_login(tenants["manager"])

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("service_report_list"),
            {"contract": tenants["ours"].contract_id, "period_kind": "quarter", "day": "2026-08-15"},
        )

    report = ServiceReport.objects.latest("pk")
    assert (report.period_kind, report.period_start, report.period_end, report.status) == (
        "quarter",
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        "pending",
    )
    assert response["Location"] == reverse("service_report_detail", args=[report.pk]) and len(queued) == 1
    page = client.get(response["Location"])
    assert 'data-testid="service-report-pending"' in page.content.decode()


@pytest.mark.parametrize(("kind", "day"), [("year", "9999-12-31"), ("month", "0001-01-01"), ("week", "2026-09-07")])
def test_a_request_for_a_day_out_of_reach_or_another_kind_of_period_is_refused(client, tenants, kind, day):
    """Year 10000 was a server error; a week is no report's period."""
    client.force_login(tenants["manager"])

    response = client.post(
        reverse("service_report_list"),
        {"contract": tenants["ours"].contract_id, "period_kind": kind, "day": day},
        **ENGLISH,
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"period_kind" if kind == "week" else "day"}
    assert ServiceReport.objects.count() == 3


def test_staff_read_every_report_with_its_figures(client, tenants):
    client.force_login(tenants["engineer"])

    listed = client.get(reverse("service_report_list"))
    page = client.get(reverse("service_report_detail", args=[tenants["theirs"].pk]))

    assert {report.pk for report in listed.context["page"]} == {
        tenants["ours"].pk,
        tenants["our_draft"].pk,
        tenants["theirs"].pk,
    }
    assert page.status_code == 200 and page.context["figures"]["customer"]["name"] == "乙单位"


def test_the_list_reads_a_fixed_number_of_queries(client, tenants, django_assert_num_queries):
    client.force_login(tenants["customer"])
    # Session, user, permissions (2), the menu's unread count, the count and page of reports.
    with django_assert_num_queries(7):
        client.get(reverse("service_report_list"))
    for month in (6, 7, 8):
        make_report(tenants["ours"].contract, period=month_of(dt.date(2026, month, 1)))
    with django_assert_num_queries(7):
        response = client.get(reverse("service_report_list"))
    assert len(response.context["page"].object_list) == 4


def test_the_staff_list_reads_a_fixed_number_of_queries(client, tenants, django_assert_num_queries):
    client.force_login(tenants["manager"])
    # Session, user, permissions (2), unread count, the contract choices and the customer filter's (a count and a
    # select each), the count and page of reports.
    expected = 11
    with django_assert_num_queries(expected):
        client.get(reverse("service_report_list"))
    make_report(ContractFactory(), period=month_of(dt.date(2026, 8, 1)))
    with django_assert_num_queries(expected):
        client.get(reverse("service_report_list"))


# The emailed link ---------------------------------------------------------------------------------------------


def delivery(report, token: str, *, expires_in=dt.timedelta(days=30)) -> ServiceReportRecipient:
    now = timezone.now()
    return ServiceReportRecipient.objects.create(
        report=report,
        name="钱主任",
        email="qian@example.cn",
        token_hash=token_hash(token),
        sent_at=now,
        expires_at=now + expires_in,
    )


def test_the_link_page_needs_no_login_and_its_download_is_counted(client, tenants):
    link = delivery(tenants["ours"], "good-token")

    page = client.get(reverse("service_report_link", args=["good-token"]))
    pdf = client.get(reverse("service_report_link_pdf", args=["good-token"]))

    assert page.status_code == 200 and 'data-testid="link-pdf"' in page.content.decode()
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == b"%PDF-1.7 HT-A-1"
    assert ServiceReportRecipient.objects.get(pk=link.pk).downloads == 1


def test_an_unknown_or_expired_link_gives_nothing(client, tenants):
    delivery(tenants["ours"], "old-token", expires_in=-dt.timedelta(minutes=1))

    with translation.override("en"):
        unknown = client.get(reverse("service_report_link_pdf", args=["nope"]), **ENGLISH)
        expired = client.get(reverse("service_report_link_pdf", args=["old-token"]), **ENGLISH)
        expired_page = client.get(reverse("service_report_link", args=["old-token"]), **ENGLISH)

    assert (unknown.status_code, expired.status_code, expired_page.status_code) == (404, 410, 410)
    assert "This link has expired." in expired.content.decode()
    assert ServiceReportRecipient.objects.get().downloads == 0


# The API ------------------------------------------------------------------------------------------------------


def test_the_api_lists_and_reads_only_the_customers_own_released_reports(client, tenants):
    client.force_login(tenants["customer"])

    listed = client.get("/api/v1/service-reports/")
    detail = client.get(f"/api/v1/service-reports/{tenants['ours'].pk}/")
    pdf = client.get(f"/api/v1/service-reports/{tenants['ours'].pk}/pdf/")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [tenants["ours"].pk]
    assert detail.json()["figures"]["customer"]["name"] == "甲单位"
    assert detail.json()["pdf_url"].endswith(f"/api/v1/service-reports/{tenants['ours'].pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == b"%PDF-1.7 HT-A-1"


@pytest.mark.parametrize("suffix", ["", "pdf/", "xlsx/"])
@pytest.mark.parametrize("report", ["theirs", "our_draft"])
def test_the_api_answers_404_for_another_customers_report_or_a_draft(client, tenants, suffix, report):
    client.force_login(tenants["customer"])

    response = client.get(f"/api/v1/service-reports/{tenants[report].pk}/{suffix}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_api_needs_a_login(client, tenants):
    response = client.get("/api/v1/service-reports/")

    assert response.status_code in (401, 403)
