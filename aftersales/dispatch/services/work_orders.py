"""Dispatching work orders and moving them through their lifecycle (transitions.py is the table)."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.accounts.models import EngineerProfile, EngineerStatus, system_user
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed, validation_failed_from
from aftersales.dispatch import transitions
from aftersales.dispatch.choices import WorkOrderEventKind, WorkOrderKind, WorkOrderStatus
from aftersales.dispatch.models import PartUsed, WorkLogEntry, WorkOrder
from aftersales.dispatch.services.common import (
    ensure_editable,
    locked_for_update,
    record_event,
    render_pdf_on_commit,
    save_new_version,
)
from aftersales.dispatch.services.remote import credentials_mark_for_rotation, pending_change_approvals
from aftersales.dispatch.services.signing import SIGN_PURPOSE
from aftersales.dispatch.transitions import may_edit
from aftersales.notifications.services import enqueue, user_messages
from aftersales.sla.choices import Clock
from aftersales.tickets.choices import EventKind, Tier
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_assign, ticket_record_arrival, ticket_update
from aftersales.tickets.services.common import locked_for_update as ticket_locked
from aftersales.tickets.services.common import record_event as ticket_event

# What an engineer or dispatcher may change on an unsigned sheet.
SHEET_FIELDS = (
    "basis",
    "software_name",
    "software_version",
    "problem_description",
    "task_description",
    "method",
    "resolution",
    "labour_hours",
    "travel_km",
    "travel_cost",
)


def may_dispatch(user) -> bool:
    return user.has_perm(roles.DISPATCH)


@transaction.atomic
def work_order_dispatch(
    *,
    actor,
    ticket: Ticket,
    engineer,
    kind: str,
    basis: str,
    version: int | None = None,
    problem_description: str = "",
    task_description: str = "",
    method: str = "",
) -> WorkOrder:
    """Send an engineer a task sheet for the ticket; the ticket is assigned to them and the engineer is told."""
    if not may_dispatch(actor):
        raise PermissionDenied()
    ticket = ticket_locked(ticket, version)
    errors = _dispatch_errors(ticket, engineer, kind, basis)
    if errors:
        raise ValidationFailed(detail=errors)
    now = timezone.now()
    if kind == WorkOrderKind.ON_SITE and not ticket.on_site_required:
        # Someone is going: the arrival clock starts counting (on the timeline, and in the SLA cache at once).
        ticket = ticket_update(actor=actor, ticket=ticket, version=None, on_site_required=True)
    if ticket.assignee_id != engineer.pk:
        tier = Tier.L2 if ticket.tier == Tier.L1 else None
        ticket = ticket_assign(actor=actor, ticket=ticket, assignee=engineer, version=None, tier=tier)
    work_order = WorkOrder.objects.create(
        number=_next_number(ticket),
        ticket=ticket,
        customer_id=ticket.customer_id,
        site=ticket.site,
        kind=kind,
        dispatcher=actor,
        dispatched_at=now,
        basis=basis.strip(),
        engineer=engineer,
        accept_by=accept_deadline(ticket, now),
        **_sheet_from_ticket(ticket),
        problem_description=problem_description.strip() or ticket.description,
        task_description=task_description.strip(),
        method=method.strip(),
    )
    record_event(
        work_order=work_order,
        actor=actor,
        kind=WorkOrderEventKind.STATUS_CHANGED,
        at=now,
        to_status=work_order.status,
        data={"action": "dispatch", "engineer": engineer.pk},
    )
    _ticket_note(work_order, actor, "dispatched", now)
    _tell(engineer, work_order, "dispatched", "work_order_dispatched")
    return work_order


def _dispatch_errors(ticket: Ticket, engineer, kind: str, basis: str) -> dict:
    errors = {}
    if not ticket.is_open:
        errors["ticket"] = [_("Only an open ticket can be dispatched.")]
    if engineer is None or not engineer.is_active or not engineer.has_perm(roles.WORK):
        errors["engineer"] = [_("Choose an active engineer who can work on tickets.")]
    elif WorkOrder.objects.open().filter(ticket=ticket, engineer=engineer).exists():
        errors["engineer"] = [_("This engineer already has an open work order for this ticket.")]
    if kind not in WorkOrderKind.values:
        errors["kind"] = [_("Choose on-site or remote maintenance.")]
    if not basis.strip():
        errors["basis"] = [_("Say why this job is sent (the basis for dispatch).")]
    return errors


def _next_number(ticket: Ticket) -> str:
    """WO + the ticket's number + a counter: readable, and unique because the ticket row is locked."""
    count = WorkOrder.objects.filter(ticket=ticket).count()
    return f"WO{ticket.number.removeprefix('SR')}-{count + 1}"


def _sheet_from_ticket(ticket: Ticket) -> dict:
    """What the sheet copies from the ticket at dispatch (the signed sheet keeps what was true then)."""
    site = ticket.site
    asset = ticket.assets.exclude(software_name="").first() or ticket.assets.first()
    address = f"{site.province}{site.city}{site.district}{site.address}" if site else ""
    return {
        "address": address or ticket.customer.address,
        "contact_name": ticket.contact_name,
        "contact_phone": str(ticket.contact_phone or ""),
        "latitude": site.latitude if site else None,
        "longitude": site.longitude if site else None,
        "software_name": asset.software_name if asset else "",
        "software_version": asset.software_version if asset else "",
    }


def accept_deadline(ticket: Ticket, now: dt.datetime) -> dt.datetime:
    """When an unaccepted order returns to the dispatcher: after the accept window, or halfway to the
    arrival target if that comes sooner, so there is time to send someone else before the clock is at risk."""
    deadline = now + dt.timedelta(minutes=settings.AFTERSALES_ACCEPT_WINDOW_MINUTES)
    arrival = next((row for row in ticket.sla_clocks or [] if row["clock"] == Clock.ARRIVAL and row["counting"]), None)
    if arrival and arrival["due_at"]:
        halfway = now + (dt.datetime.fromisoformat(arrival["due_at"]) - now) / 2
        deadline = min(deadline, max(halfway, now + dt.timedelta(minutes=2)))
    return deadline


@transaction.atomic
def work_order_act(*, actor, work_order: WorkOrder, action: str, version: int | None, note: str = "") -> WorkOrder:
    """Accept, decline, set off, start remote work, resume, cancel or archive (check-in, completion and
    signing have their own services because they carry data)."""
    if action in ("check_in", "complete", "sign"):
        raise ValidationFailed(detail={"action": [_("Unknown action.")]})
    work_order, row = _locked_transition(actor, work_order, action, version)
    note = note.strip()
    if row.note_required and not note:
        raise ValidationFailed(detail={"note": [_("Please give a reason.")]})
    now = timezone.now()
    fields = _action_fields(work_order, action, actor, note, now)
    _move(work_order, row, fields, actor, note, now, action)
    if action in ("decline", "cancel"):
        _ticket_note(work_order, actor, action, now, note)
        if action == "decline":
            _tell(work_order.dispatcher, work_order, "declined", "work_order_returned")
    if action in ("set_off", "cancel", "resume"):
        _set_engineer(work_order.engineer_id, now)
    if action == "archive":
        render_pdf_on_commit(work_order)
    return work_order


def _locked_transition(actor, work_order: WorkOrder, action: str, version: int | None):
    work_order = locked_for_update(work_order, version)
    row = transitions.find(action, status=work_order.status, kind=work_order.kind)
    if row is None:
        known = any(candidate.action == action for candidate in transitions.TRANSITIONS)
        if not known:
            raise ValidationFailed(detail={"action": [_("Unknown action.")]})
        raise InvalidTransition()
    if not transitions.may_act(row, user=actor, work_order=work_order):
        raise PermissionDenied()
    return work_order, row


def _action_fields(work_order: WorkOrder, action: str, actor, note: str, now) -> list[str]:
    if action == "accept":
        work_order.accepted_at = now
        return ["accepted_at"]
    if action == "decline":
        work_order.decline_reason = note
        return ["decline_reason"]
    if action == "set_off":
        work_order.travel_started_at = now
        return ["travel_started_at"]
    if action == "start_remote":
        work_order.started_at = now
        return ["started_at"]
    if action == "resume":
        # Back to work: the engineer's signature covered the sheet as it was, so it is withdrawn (the event keeps it),
        # and so are the links sent for the customer to sign that sheet.
        work_order.signatures.all().delete()
        work_order.signing_links.filter(purpose=SIGN_PURPOSE, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        work_order.ended_at = None
        return ["ended_at"]
    if action == "archive":
        work_order.archived_by, work_order.archived_at = actor, now
        return ["archived_by", "archived_at"]
    return []


def _move(work_order: WorkOrder, row, fields: list[str], actor, note: str, now, action: str) -> None:
    from_status = work_order.status
    work_order.status = row.target
    save_new_version(work_order, [*fields, "status"])
    record_event(
        work_order=work_order,
        actor=actor,
        kind=WorkOrderEventKind.STATUS_CHANGED,
        note=note,
        at=now,
        from_status=from_status,
        to_status=row.target,
        data={"action": action},
    )


@transaction.atomic
def work_order_check_in(
    *, actor, work_order: WorkOrder, version: int | None, latitude=None, longitude=None, accuracy_m=None
) -> WorkOrder:
    """The engineer is on site: the time (and the phone's position, when it gave one) meet the arrival clock."""
    work_order, row = _locked_transition(actor, work_order, "check_in", version)
    position = _position(latitude, longitude, accuracy_m)
    now = timezone.now()
    work_order.started_at = now
    work_order.check_in_latitude, work_order.check_in_longitude, work_order.check_in_accuracy_m = position
    fields = ["started_at", "check_in_latitude", "check_in_longitude", "check_in_accuracy_m"]
    _move(work_order, row, fields, actor, "", now, "check_in")
    _set_engineer(work_order.engineer_id, now, position)
    ticket = work_order.ticket
    if ticket.arrived_at is None and ticket.is_open:
        ticket_record_arrival(
            actor=actor,
            ticket=ticket,
            version=None,
            arrived_at=now,
            note=_("Checked in on work order %(number)s.") % {"number": work_order.number},
        )
    return work_order


@transaction.atomic
def work_order_complete(
    *,
    actor,
    work_order: WorkOrder,
    version: int | None,
    resolution: str,
    latitude=None,
    longitude=None,
    accuracy_m=None,
) -> WorkOrder:
    """Work done (check-out on site): the resolution is written; the sheet now waits for signatures."""
    work_order, row = _locked_transition(actor, work_order, "complete", version)
    if not resolution.strip():
        raise ValidationFailed(detail={"resolution": [_("Describe how the problem was solved.")]})
    if pending_change_approvals(work_order):
        raise InvalidTransition(_("A change is still waiting for the customer's approval."))
    position = _position(latitude, longitude, accuracy_m)
    now = timezone.now()
    work_order.resolution, work_order.ended_at = resolution.strip(), now
    work_order.check_out_latitude, work_order.check_out_longitude, work_order.check_out_accuracy_m = position
    fields = ["resolution", "ended_at", "check_out_latitude", "check_out_longitude", "check_out_accuracy_m"]
    if not work_order.labour_hours:
        work_order.labour_hours = sum((entry.hours for entry in work_order.log.all()), Decimal(0))
        fields.append("labour_hours")
    _move(work_order, row, fields, actor, "", now, "complete")
    _set_engineer(work_order.engineer_id, now, position)
    if work_order.kind == WorkOrderKind.REMOTE:
        credentials_mark_for_rotation(work_order=work_order, now=now)
    return work_order


def _position(latitude, longitude, accuracy_m) -> tuple:
    """A phone's position, or (None, None, None) when it gave none; half a position is refused."""
    if latitude in (None, "") and longitude in (None, ""):
        return None, None, None
    try:
        lat, lon = (
            Decimal(str(latitude)).quantize(Decimal("0.000001")),
            Decimal(str(longitude)).quantize(Decimal("0.000001")),
        )
        accuracy = None if accuracy_m in (None, "") else max(0, min(int(float(accuracy_m)), 100_000))
        valid = -90 <= lat <= 90 and -180 <= lon <= 180  # NaN refuses to be compared: it lands below
    except (ArithmeticError, ValueError, TypeError):
        valid = False
    if not valid:
        raise ValidationFailed(detail={"position": [_("The position sent by the phone is not valid.")]})
    return lat, lon, accuracy


def _set_engineer(user_id: int, now, position=None) -> None:
    """The engineer's status follows their open orders: on site if working one, travelling if on the way to
    one, else available (an engineer marked off duty stays so until working again); the last position too."""
    working = set(
        WorkOrder.objects.filter(engineer_id=user_id, status__in=transitions.ACTIVE_STATUSES).values_list(
            "status", flat=True
        )
    )
    if working & transitions.WORKING_STATUSES:
        status = EngineerStatus.ON_SITE
    elif WorkOrderStatus.TRAVELLING in working:
        status = EngineerStatus.TRAVELLING
    else:
        status = EngineerStatus.AVAILABLE
    changes = {"status": status}
    if position and position[0] is not None:
        changes |= {"last_latitude": position[0], "last_longitude": position[1], "last_seen_at": now}
    profiles = EngineerProfile.objects.filter(user_id=user_id)
    if status == EngineerStatus.AVAILABLE:
        profiles = profiles.exclude(status=EngineerStatus.OFF_DUTY)
    profiles.update(**changes)


@transaction.atomic
def work_order_update(*, actor, work_order: WorkOrder, version: int | None, **changes) -> WorkOrder:
    """Edit the sheet's text and figures until it is signed."""
    unknown = set(changes) - set(SHEET_FIELDS)
    if unknown:
        raise ValidationFailed(detail={name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    work_order = locked_for_update(work_order, version)
    if not may_edit(actor, work_order):
        raise PermissionDenied()
    ensure_editable(work_order)
    before = {name: getattr(work_order, name) for name in changes}
    for name, value in changes.items():
        setattr(work_order, name, value.strip() if isinstance(value, str) else value)
    try:
        work_order.full_clean(exclude=["number", "pdf"])
    except ValidationError as error:
        raise validation_failed_from(error) from error
    changed = [name for name in changes if before[name] != getattr(work_order, name)]
    if changed:
        save_new_version(work_order, changed)
        record_event(
            work_order=work_order,
            actor=actor,
            kind=WorkOrderEventKind.UPDATED,
            data={name: str(getattr(work_order, name)) for name in changed},
        )
    return work_order


def _ensure_working(actor, work_order: WorkOrder) -> None:
    if not transitions.is_own_order(actor, work_order):
        raise PermissionDenied()
    ensure_editable(work_order)
    if work_order.status not in transitions.WORKING_STATUSES | {WorkOrderStatus.WORK_DONE}:
        raise InvalidTransition(_("Work can be logged once the engineer is on site or working remotely."))


@transaction.atomic
def work_log_add(*, actor, work_order: WorkOrder, text: str, hours) -> WorkLogEntry:
    work_order = locked_for_update(work_order, None)
    _ensure_working(actor, work_order)
    entry = WorkLogEntry(work_order=work_order, author=actor, at=timezone.now(), text=text.strip(), hours=hours or 0)
    _clean(entry, exclude=["work_order", "author"])
    entry.save()
    record_event(work_order=work_order, actor=actor, kind=WorkOrderEventKind.WORK_LOGGED, data={"entry": entry.pk})
    return entry


@transaction.atomic
def part_add(
    *, actor, work_order: WorkOrder, description: str, quantity=1, part_number="", serial_number="", unit_price=0
) -> PartUsed:
    work_order = locked_for_update(work_order, None)
    _ensure_working(actor, work_order)
    part = PartUsed(
        work_order=work_order,
        description=description.strip(),
        quantity=quantity,
        part_number=part_number.strip(),
        serial_number=serial_number.strip(),
        unit_price=unit_price or 0,
    )
    _clean(part, exclude=["work_order"])
    part.save()
    record_event(work_order=work_order, actor=actor, kind=WorkOrderEventKind.PART_ADDED, data={"part": part.pk})
    return part


def _clean(instance, exclude) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise validation_failed_from(error) from error


@transaction.atomic
def return_unaccepted(*, now: dt.datetime | None = None) -> int:
    """Orders nobody accepted in time go back to their dispatcher (declined by the system, with the reason)."""
    now = now or timezone.now()
    due = WorkOrder.objects.select_for_update(skip_locked=True).filter(
        status=WorkOrderStatus.DISPATCHED, accept_by__lte=now
    )
    actor, returned = system_user(), 0
    for work_order in due.select_related("dispatcher", "ticket"):
        row = transitions.find("decline", status=work_order.status, kind=work_order.kind)
        reason = _("Not accepted in time.")
        work_order.decline_reason = reason
        _move(work_order, row, ["decline_reason"], actor, reason, now, "expire")
        _ticket_note(work_order, actor, "expired", now, reason)
        _tell(work_order.dispatcher, work_order, "expired", "work_order_returned")
        returned += 1
    return returned


def _ticket_note(work_order: WorkOrder, actor, action: str, now, note: str = "") -> None:
    """The ticket's timeline shows the field work too; customers see that someone was sent, not declines."""
    ticket_event(
        ticket=work_order.ticket,
        actor=actor,
        kind=EventKind.WORK_ORDER,
        note=note,
        at=now,
        data={
            "action": action,
            "work_order": work_order.pk,
            "number": work_order.number,
            "engineer": work_order.engineer_id,
            "public": action == "dispatched",
        },
    )


def _tell(user, work_order: WorkOrder, cause: str, template: str) -> None:
    context = {
        "number": work_order.number,
        "ticket_number": work_order.ticket.number,
        "customer": work_order.customer.name,
        "address": work_order.address,
        "accept_by": work_order.accept_by,
        "reason": work_order.decline_reason,
        "engineer": str(work_order.engineer),
    }
    url = settings.AFTERSALES_BASE_URL + work_order.get_absolute_url()
    key = f"work_order:{work_order.pk}:{cause}:{work_order.version}"
    enqueue(user_messages(user=user, key=key, template=template, context=context, url=url))
