"""Cases opened with the original vendor (原厂) inside a ticket: their promises, progress and delays.

Each case and each update leaves an internal event on the ticket's timeline, so the vendor's part of the
story, and how late the vendor was, is read in the same place as ours.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.dispatch.choices import VendorCaseStatus
from aftersales.dispatch.models import VendorCase, VendorCaseUpdate
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.common import locked_for_update as ticket_locked
from aftersales.tickets.services.common import record_event as ticket_event

# A promise is often typed in a little after the call in which the vendor made it.
PROMISE_SLACK = dt.timedelta(hours=1)
OPEN_FIELDS = ("case_number", "contact_name", "contact_phone", "contact_email")


def may_manage_vendor_cases(user) -> bool:
    return user.has_perm(roles.WORK) or user.has_perm(roles.DISPATCH)


@transaction.atomic
def vendor_case_open(
    *,
    actor,
    ticket: Ticket,
    vendor,
    case_number: str,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    promised_response_at: dt.datetime | None = None,
    promised_resolution_at: dt.datetime | None = None,
) -> VendorCase:
    """Record the case number the vendor gave us, who to chase there, and what they promised."""
    if not may_manage_vendor_cases(actor):
        raise PermissionDenied()
    ticket = ticket_locked(ticket, None)
    if not ticket.is_open:
        raise InvalidTransition(_("A vendor case can only be opened for an open ticket."))
    now = timezone.now()
    case = VendorCase(
        ticket=ticket,
        vendor=vendor,
        case_number=(case_number or "").strip(),
        contact_name=(contact_name or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        contact_email=(contact_email or "").strip(),
        opened_by=actor,
        opened_at=now,
        promised_response_at=promised_response_at,
        promised_resolution_at=promised_resolution_at,
    )
    _check_new_case(case, now)
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate must not spoil the caller's transaction
            case.save()
    except IntegrityError as error:
        raise ValidationFailed(detail={"case_number": [_duplicate_message()]}) from error
    ticket_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.VENDOR_CASE_OPENED,
        at=now,
        data={
            "case": case.pk,
            "vendor": vendor.pk,
            "vendor_name": vendor.name,
            "case_number": case.case_number,
            "promised_response_at": _iso(promised_response_at),
            "promised_resolution_at": _iso(promised_resolution_at),
            "public": False,
        },
    )
    return case


def _check_new_case(case: VendorCase, now: dt.datetime) -> None:
    errors = {}
    if case.vendor_id is None:
        errors["vendor"] = [_("Choose the vendor.")]
    if not case.case_number:
        errors["case_number"] = [_("Enter the vendor's case number.")]
    try:
        case.clean_fields(exclude=["ticket", "vendor", "opened_by"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, list(messages))
    for name in ("promised_response_at", "promised_resolution_at"):
        value = getattr(case, name)
        if value is not None and value < now - PROMISE_SLACK:
            errors.setdefault(name, [_("A promised time cannot lie in the past.")])
    response, resolution = case.promised_response_at, case.promised_resolution_at
    if response and resolution and resolution < response and "promised_resolution_at" not in errors:
        errors["promised_resolution_at"] = [_("The promised fix cannot come before the promised response.")]
    duplicate = VendorCase.objects.filter(vendor_id=case.vendor_id, case_number=case.case_number)
    if "case_number" not in errors and case.vendor_id is not None and duplicate.exists():
        errors["case_number"] = [_duplicate_message()]
    if errors:
        raise ValidationFailed(detail=errors)


def _duplicate_message() -> str:
    return _("This vendor's case number is already recorded.")


@transaction.atomic
def vendor_case_update(
    *,
    actor,
    case: VendorCase,
    note: str,
    status: str | None = None,
    responded_at: dt.datetime | None = None,
    resolved_at: dt.datetime | None = None,
) -> VendorCaseUpdate:
    """Progress on a vendor case: what the vendor said or did, and when they answered or fixed it.

    A case marked solved without a time is solved now; a fix is also the vendor's answer when none was recorded.
    """
    if not may_manage_vendor_cases(actor):
        raise PermissionDenied()
    case = VendorCase.objects.select_for_update().select_related("ticket").get(pk=case.pk)
    if case.status == VendorCaseStatus.CLOSED:
        raise InvalidTransition(_("A closed vendor case cannot change any more."))
    if not case.ticket.is_editable:
        raise InvalidTransition(_("The ticket is closed: its vendor cases cannot change any more."))
    now = timezone.now()
    note = (note or "").strip()
    status = status or case.status
    if status == VendorCaseStatus.SOLVED and resolved_at is None and case.resolved_at is None:
        resolved_at = now
    if resolved_at is not None and responded_at is None and case.responded_at is None:
        responded_at = resolved_at
    _check_update(case, note, status, responded_at, resolved_at, now)
    changed = {}
    for name, value in (("status", status), ("responded_at", responded_at), ("resolved_at", resolved_at)):
        if value is not None and value != getattr(case, name):
            setattr(case, name, value)
            changed[name] = _iso(value) if isinstance(value, dt.datetime) else value
    if changed:
        case.save(update_fields=list(changed))
    update = VendorCaseUpdate.objects.create(case=case, author=actor, at=now, note=note)
    ticket_event(
        ticket=case.ticket,
        actor=actor,
        kind=EventKind.VENDOR_CASE_UPDATED,
        note=note,
        at=now,
        data={"case": case.pk, "update": update.pk, "case_number": case.case_number, **changed, "public": False},
    )
    return update


def _check_update(case: VendorCase, note: str, status: str, responded_at, resolved_at, now: dt.datetime) -> None:
    errors = {}
    if not note:
        errors["note"] = [_("Describe the vendor's progress.")]
    if status not in VendorCaseStatus.values:
        errors["status"] = [_("Choose a valid status.")]
    for name, value in (("responded_at", responded_at), ("resolved_at", resolved_at)):
        if value is not None and not case.ticket.received_at <= value <= now:
            errors[name] = [_("The time must lie between the request and now.")]
    answered = responded_at or case.responded_at
    fixed = resolved_at or case.resolved_at
    if answered and fixed and fixed < answered and "resolved_at" not in errors:
        errors["resolved_at"] = [_("The fix cannot come before the vendor's response.")]
    if errors:
        raise ValidationFailed(detail=errors)


def vendor_delays(case: VendorCase, now: dt.datetime) -> dict:
    """How late the vendor is or was against its promises (pure; reads prefetched updates of a closed case).

    `response_late_by` and `resolution_late_by` are timedeltas, or None when on time or nothing was promised;
    `*_waiting` says the promise is still open, so the delay is still growing. A case closed without the
    vendor's answer or fix stops counting when it was closed (its last update).
    """
    stopped_at = _closed_at(case)
    response_late_by, response_waiting = _delay(case.promised_response_at, case.responded_at, stopped_at, now)
    resolution_late_by, resolution_waiting = _delay(case.promised_resolution_at, case.resolved_at, stopped_at, now)
    return {
        "response_late_by": response_late_by,
        "response_waiting": response_waiting,
        "resolution_late_by": resolution_late_by,
        "resolution_waiting": resolution_waiting,
        "late": response_late_by is not None or resolution_late_by is not None,
    }


def _closed_at(case: VendorCase) -> dt.datetime | None:
    if case.status != VendorCaseStatus.CLOSED:
        return None
    updates = list(case.updates.all())
    return max((update.at for update in updates), default=case.opened_at)


def _delay(promised, done, stopped_at, now) -> tuple[dt.timedelta | None, bool]:
    if promised is None:
        return None, False
    end = done or stopped_at or now
    waiting = done is None and stopped_at is None
    return (end - promised if end > promised else None), waiting


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None
