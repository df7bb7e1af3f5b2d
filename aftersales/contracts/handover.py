"""From project to service (seed 000, 6.7): the initial acceptance starts the assets' warranty, and the service
phase starts once the handover documents are all there, or with a written reason why it starts without them.

The contract's assets are reached through `contract.assets` (the assets app sits above this one)."""

import datetime as dt
import mimetypes

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.contracts.entitlement import add_years
from aftersales.contracts.models import Contract, HandoverDocument, HandoverDocumentKind, ProjectRecord
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.core.time import local_date

ALLOWED_DOCUMENT_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "text/plain",
    "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
MAX_EXCEPTION_LENGTH = 2000


def may_hand_over(user) -> bool:
    return user.has_perm(roles.EDIT_MASTER_DATA) or user.has_perm(roles.ARCHIVE)


def project_record_for(contract: Contract) -> ProjectRecord:
    """The contract's project record, made on first use."""
    project, _created = ProjectRecord.objects.get_or_create(contract=contract)
    return project


def project_record_or_new(contract: Contract) -> ProjectRecord:
    """For reading: the record, or an unsaved empty one (a page view writes nothing)."""
    return ProjectRecord.objects.filter(contract=contract).first() or ProjectRecord(contract=contract)


def missing_documents(project: ProjectRecord) -> list[str]:
    """The kinds of the checklist with no document yet, in the checklist's order."""
    present = set(project.documents.values_list("kind", flat=True)) if project.pk else set()
    return [kind for kind in HandoverDocumentKind.values if kind not in present]


def _locked(actor, project: ProjectRecord) -> ProjectRecord:
    if not may_hand_over(actor):
        raise PermissionDenied()
    return ProjectRecord.objects.select_for_update().select_related("contract").get(pk=project.pk)


@transaction.atomic
def handover_document_add(*, actor, project: ProjectRecord, kind: str, file) -> HandoverDocument:
    project = _locked(actor, project)
    if kind not in HandoverDocumentKind.values:
        raise ValidationFailed(detail={"kind": [_("Choose which document this is.")]})
    if file is None:
        raise ValidationFailed(detail={"file": [_("Choose a file.")]})
    if file.size > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed(detail={"file": [_("The file is larger than %(limit)s MB.") % {"limit": limit_mb}]})
    if (mimetypes.guess_type(file.name)[0] or "") not in ALLOWED_DOCUMENT_TYPES:
        raise ValidationFailed(detail={"file": [_("This type of file is not accepted.")]})
    document = HandoverDocument(project=project, kind=kind, name=file.name[:200], size=file.size, uploaded_by=actor)
    document.file.save(file.name, file, save=False)
    document.save()
    return document


@transaction.atomic
def initial_acceptance_record(*, actor, project: ProjectRecord, day: dt.date) -> ProjectRecord:
    """Record the initial acceptance. The contract's assets without an acceptance date are accepted that day,
    and their warranty ends after the contract's term for their class (saved with their history)."""
    project = _locked(actor, project)
    if not isinstance(day, dt.date) or day > local_date():
        raise ValidationFailed(detail={"day": [_("The acceptance date cannot be in the future.")]})
    if project.initial_acceptance_date == day:
        return project
    if project.initial_acceptance_date is not None:
        raise InvalidTransition(_("The initial acceptance is recorded already."))
    project.initial_acceptance_date = day
    project.save(update_fields=["initial_acceptance_date", "updated_at"])
    years = dict(project.contract.warranty_terms.values_list("asset_class", "years"))
    assets = project.contract.assets.select_for_update().filter(acceptance_date__isnull=True)
    for asset in assets.select_related("product").order_by("pk"):
        asset.acceptance_date = day
        fields = ["acceptance_date", "updated_at"]
        if asset.warranty_end is None and asset.product.category in years:
            asset.warranty_end = add_years(day, years[asset.product.category])
            fields.append("warranty_end")
        asset.save(update_fields=fields)
    return project


@transaction.atomic
def service_phase_start(*, actor, project: ProjectRecord, exception_reason: str = "") -> ProjectRecord:
    """Mark the service phase started: after the initial acceptance, with every handover document, or with a
    reason recorded for starting without the missing ones."""
    project = _locked(actor, project)
    if project.service_started_at is not None:
        raise InvalidTransition(_("The service phase has started already."))
    if project.initial_acceptance_date is None:
        raise InvalidTransition(_("Record the initial acceptance before the service phase starts."))
    reason = (exception_reason or "").strip()
    if len(reason) > MAX_EXCEPTION_LENGTH:
        raise ValidationFailed(
            detail={"exception_reason": [_("Write at most %(limit)s characters.") % {"limit": MAX_EXCEPTION_LENGTH}]}
        )
    missing = missing_documents(project)
    if missing and not reason:
        labels = ", ".join(str(HandoverDocumentKind(kind).label) for kind in missing)
        raise InvalidTransition(
            _(
                "Documents are missing from the handover: %(missing)s. Upload them or write why the service starts without them."
            )
            % {"missing": labels},
            detail={"missing": missing},
        )
    project.service_started_at, project.service_started_by = timezone.now(), actor
    project.handover_exception = reason if missing else ""
    project.save(update_fields=["service_started_at", "service_started_by", "handover_exception", "updated_at"])
    return project
