"""Part requests on tickets: the contract's delivery promise as a clock that escalates, advance replacement
(备件先行) with the faulty part chased until it comes back, and the sweep that does both.

Each request, shipment, delivery and return leaves an event on the ticket's timeline. There is no event kind for
parts, so they are `updated` events with `{"part_request": id, "action": …}`; customers see that a part was
requested, shipped and delivered (and when it is due), not cancellations or the parts keepers' notes.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.accounts.models import Team, User
from aftersales.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.core.time import local_zone
from aftersales.notifications.services import enqueue, user_messages
from aftersales.parts import delivery
from aftersales.parts.choices import Destination, PartRequestStatus
from aftersales.parts.choices import MovementKind as K
from aftersales.parts.models import Part, PartEscalation, PartRequest, Warehouse
from aftersales.parts.services.stock import may_move_stock, stock_move
from aftersales.sla.models import CalendarException
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.common import locked_for_update as ticket_locked
from aftersales.tickets.services.common import record_event as ticket_event

logger = logging.getLogger(__name__)

# Without a contract: the house promise (seed 002: 7 days domestic, 21 from abroad), in calendar days.
DEFAULT_DAYS = {Destination.DOMESTIC: 7, Destination.ABROAD: 21}
# Advance replacement: the customer keeps the faulty part this long after the good one arrives. A constant rather
# than a setting because config/settings.py is not this module's to change; move it there when it needs tuning.
FAULTY_RETURN_DAYS = 14
# The clock runs until the part is delivered (or the request cancelled).
RUNNING = (PartRequestStatus.REQUESTED, PartRequestStatus.RESERVED, PartRequestStatus.SHIPPED)
MAX_QUANTITY = 1000
FAILED_REQUEST_RETRY = dt.timedelta(minutes=10)


def may_request_parts(user) -> bool:
    """Whoever works or dispatches tickets asks for parts; parts keepers fulfil the requests."""
    return user.is_active and user.is_staff_member and (user.has_perm(roles.WORK) or user.has_perm(roles.DISPATCH))


def may_fulfil_parts(user) -> bool:
    """Ship, deliver, cancel, take the faulty part back, run RMA: whoever may move stock."""
    return may_move_stock(user)


def exceptions_from(day: dt.date) -> dict[dt.date, str]:
    """The holidays and make-up working days from `day` on, as delivery.py reads them."""
    return dict(CalendarException.objects.filter(day__gte=day - dt.timedelta(days=1)).values_list("day", "kind"))


def promise_for(ticket: Ticket, destination: str) -> tuple[int, bool]:
    """(days, counted in working days) from the ticket's contract, else the house promise in calendar days."""
    contract = ticket.contract
    if contract is None:
        return DEFAULT_DAYS[destination], False
    days = contract.parts_days_domestic if destination == Destination.DOMESTIC else contract.parts_days_abroad
    # A promise of 0 days would leave no time for the ladder; the same day's delivery is read as one day.
    return max(days, 1), contract.parts_business_days


@transaction.atomic
def part_request_create(
    *,
    actor,
    ticket: Ticket,
    part: Part,
    quantity: int,
    destination: str,
    warehouse: Warehouse | None = None,
    advance_replacement: bool = False,
    faulty_serial: str = "",
    note: str = "",
) -> PartRequest:
    """Ask for a part on an open ticket; its clock starts now. From a warehouse that has it, it is reserved."""
    if not may_request_parts(actor):
        raise PermissionDenied()
    ticket = ticket_locked(ticket, None)
    if not ticket.is_open:
        raise InvalidTransition(_("Parts can only be requested for an open ticket."))
    _check_new_request(part, quantity, destination, warehouse, faulty_serial, note)
    now = timezone.now()
    days, business_days = promise_for(ticket, destination)
    exceptions = exceptions_from(timezone.localtime(now, local_zone()).date()) if business_days else None
    due = delivery.due_at(now, days, business_days=business_days, exceptions=exceptions)
    request = PartRequest.objects.create(
        ticket=ticket,
        part=part,
        quantity=quantity,
        warehouse=warehouse,
        destination=destination,
        requested_by=actor,
        requested_at=now,
        promised_days=days,
        business_days=business_days,
        due_at=due,
        advance_replacement=bool(advance_replacement),
        faulty_serial=(faulty_serial or "").strip(),
        note=(note or "").strip(),
    )
    calendar = delivery.promise_calendar(business_days=business_days, exceptions=exceptions)
    request.next_check_at = delivery.next_rung_at(now, due, now, calendar=calendar)
    if warehouse is not None and _reserve(actor, request):
        request.status = PartRequestStatus.RESERVED
    request.save(update_fields=["next_check_at", "status"])
    _event(request, actor, now, "requested", public=True, due_at=due.isoformat(), quantity=quantity)
    return request


def _check_new_request(part, quantity, destination, warehouse, faulty_serial, note) -> None:
    errors = {}
    if not isinstance(part, Part) or part.pk is None:
        errors["part"] = [_("Choose the part.")]
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_QUANTITY:
        errors["quantity"] = [_("Enter a whole number from 1 to 1000.")]
    if destination not in Destination.values:
        errors["destination"] = [_("Choose where the part comes from.")]
    if warehouse is not None and not warehouse.is_active:
        errors["warehouse"] = [_("This warehouse is closed.")]
    if len((faulty_serial or "").strip()) > PartRequest._meta.get_field("faulty_serial").max_length:
        errors["faulty_serial"] = [_("The serial number is too long.")]
    if len(note or "") > 2000:
        errors["note"] = [_("The note is too long.")]
    if errors:
        raise ValidationFailed(detail=errors)


def _reserve(actor, request: PartRequest) -> bool:
    """Reserve the request's quantity in its warehouse; False, and nothing reserved, when it lacks the stock."""
    try:
        stock_move(
            actor=actor,
            kind=K.RESERVE,
            part=request.part,
            warehouse=request.warehouse,
            quantity=request.quantity,
            ticket=request.ticket,
            part_request=request,
        )
    except Conflict:
        return False  # stock_move is its own savepoint: the refused move left nothing behind
    return True


def _locked(request: PartRequest) -> PartRequest:
    return (
        PartRequest.objects.select_for_update(of=("self",))
        .select_related("ticket", "part", "warehouse")
        .get(pk=request.pk)
    )


@transaction.atomic
def part_request_ship(
    *,
    actor,
    request: PartRequest,
    tracking_number: str = "",
    warehouse: Warehouse | None = None,
    serial_number: str = "",
) -> PartRequest:
    """The part leaves: issued from the reservation, or from `warehouse` (else the request's), or, with neither,
    sent from outside our stock (straight from the vendor). The clock keeps running until it is delivered."""
    if not may_fulfil_parts(actor):
        raise PermissionDenied()
    request = _locked(request)
    if request.status not in (PartRequestStatus.REQUESTED, PartRequestStatus.RESERVED):
        raise InvalidTransition(_("Only a part that is requested or reserved can be shipped."))
    tracking_number = (tracking_number or "").strip()
    if len(tracking_number) > PartRequest._meta.get_field("tracking_number").max_length:
        raise ValidationFailed(detail={"tracking_number": [_("The tracking number is too long.")]})
    reserved = request.status == PartRequestStatus.RESERVED
    if reserved and warehouse is not None and warehouse.pk != request.warehouse_id:
        raise ValidationFailed(
            detail={"warehouse": [_("The part is reserved in %(name)s.") % {"name": request.warehouse}]}
        )
    source = request.warehouse if reserved else (warehouse or request.warehouse)
    if source is not None:
        stock_move(
            actor=actor,
            kind=K.ISSUE,
            part=request.part,
            warehouse=source,
            quantity=request.quantity,
            serial_number=serial_number or "",
            ticket=request.ticket,
            part_request=request,
            from_reservation=reserved,
        )
    now = timezone.now()
    request.status, request.shipped_at, request.tracking_number = PartRequestStatus.SHIPPED, now, tracking_number
    request.warehouse = source
    request.save(update_fields=["status", "shipped_at", "tracking_number", "warehouse", "updated_at"])
    _event(request, actor, now, "shipped", public=True)
    return request


@transaction.atomic
def part_request_deliver(*, actor, request: PartRequest) -> PartRequest:
    """The part has arrived: its clock stops. For advance replacement the faulty part's return clock starts."""
    if not may_fulfil_parts(actor):
        raise PermissionDenied()
    request = _locked(request)
    if request.status != PartRequestStatus.SHIPPED:
        raise InvalidTransition(_("Only a shipped part can be delivered."))
    now = timezone.now()
    request.status, request.delivered_at = PartRequestStatus.DELIVERED, now
    request.next_check_at = None
    if request.advance_replacement and request.faulty_returned_at is None:
        request.faulty_due_at = now + dt.timedelta(days=FAULTY_RETURN_DAYS)
        request.next_check_at = request.faulty_due_at
    request.save(update_fields=["status", "delivered_at", "faulty_due_at", "next_check_at", "updated_at"])
    _event(request, actor, now, "delivered", public=True, late=now > request.due_at)
    return request


@transaction.atomic
def part_request_cancel(*, actor, request: PartRequest, reason: str) -> PartRequest:
    """Not needed after all: the reservation is released and the clock stops. A shipped part cannot be recalled
    here; it is delivered and, if unused, returned to stock."""
    if not may_fulfil_parts(actor):
        raise PermissionDenied()
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000:
        raise ValidationFailed(detail={"reason": [_("Say why the part is no longer needed.")]})
    request = _locked(request)
    if request.status not in (PartRequestStatus.REQUESTED, PartRequestStatus.RESERVED):
        raise InvalidTransition(_("Only a part that is requested or reserved can be cancelled."))
    if request.status == PartRequestStatus.RESERVED:
        stock_move(
            actor=actor,
            kind=K.RELEASE,
            part=request.part,
            warehouse=request.warehouse,
            quantity=request.quantity,
            ticket=request.ticket,
            part_request=request,
            note=reason,
        )
    now = timezone.now()
    request.status, request.next_check_at = PartRequestStatus.CANCELLED, None
    request.save(update_fields=["status", "next_check_at", "updated_at"])
    # Internal: the reason is the team's business; the customer's card shows the request as cancelled.
    _event(request, actor, now, "cancelled", public=False, note=reason)
    return request


@transaction.atomic
def faulty_part_returned(*, actor, request: PartRequest, serial_number: str, warehouse: Warehouse):
    """The faulty part is back from the customer. It is not good stock, so no stock moves: the return is recorded
    and an RMA case is opened for it in `warehouse` (where it waits to go to the vendor). Returns the RMA case."""
    from aftersales.parts.services.rma import rma_open

    if not may_fulfil_parts(actor):
        raise PermissionDenied()
    request = _locked(request)
    if request.status != PartRequestStatus.DELIVERED:
        raise InvalidTransition(_("The faulty part is taken back once the good one is delivered."))
    if request.faulty_returned_at is not None:
        raise InvalidTransition(_("The faulty part is already back."))
    serial_number = (serial_number or "").strip() or request.faulty_serial
    if len(serial_number) > PartRequest._meta.get_field("faulty_serial").max_length:
        raise ValidationFailed(detail={"serial_number": [_("The serial number is too long.")]})
    now = timezone.now()
    request.faulty_returned_at, request.faulty_serial, request.next_check_at = now, serial_number, None
    request.save(update_fields=["faulty_returned_at", "faulty_serial", "next_check_at", "updated_at"])
    rma = rma_open(
        actor=actor, part=request.part, warehouse=warehouse, serial_number=serial_number, part_request=request
    )
    _event(request, actor, now, "faulty_returned", public=True, rma=rma.pk)
    return rma


def _event(request: PartRequest, actor, at, action: str, *, public: bool, note: str = "", **data) -> None:
    ticket_event(
        ticket=request.ticket,
        actor=actor,
        kind=EventKind.UPDATED,
        at=at,
        note=note,
        data={
            "part_request": request.pk,
            "action": action,
            "part_number": request.part.part_number,
            "public": public,
            **data,
        },
    )


# The sweep -----------------------------------------------------------------------------------------------------


def part_delivery_sweep(*, now: dt.datetime | None = None, batch_size: int = 200) -> int:
    """Act on every request whose next check is due: record each rung of the ladder reached, tell the parts keepers,
    the ticket's assignee and its team lead, and chase faulty parts not back in time. Returns messages queued.

    Rungs are unique per request and percent and messages per key, so two sweeps, or one killed half way and run
    again, never tell anyone twice; on PostgreSQL concurrent sweepers skip each other's locked requests.
    """
    now = now or timezone.now()
    queued = 0
    while True:
        with transaction.atomic():
            ids = list(
                PartRequest.objects.filter(next_check_at__lte=now)
                .select_for_update(skip_locked=True)
                .order_by("next_check_at", "id")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return queued
            requests = list(
                PartRequest.objects.filter(pk__in=ids)
                .select_related("part", "ticket__customer", "ticket__assignee", "requested_by")
                .order_by("next_check_at", "id")
            )
            queued += _sweep_batch(requests, now)
        if len(ids) < batch_size:
            return queued


def _sweep_batch(requests: list[PartRequest], now: dt.datetime) -> int:
    keepers = list(User.objects.filter(is_active=True, role=roles.Role.PARTS_KEEPER).order_by("pk"))
    team_ids = {request.ticket.team_id for request in requests if request.ticket.team_id}
    leads = {team.pk: team.lead for team in Team.objects.filter(pk__in=team_ids).select_related("lead")}
    fired = set(PartEscalation.objects.filter(request__in=requests).values_list("request_id", "percent"))
    exceptions = None
    if any(request.business_days for request in requests):
        exceptions = exceptions_from(min(timezone.localtime(r.requested_at, local_zone()).date() for r in requests))
    escalations, messages = [], []
    for request in requests:
        try:
            if request.status in RUNNING:
                new, told = _escalate(request, fired, exceptions, now, keepers, leads)
                escalations += new
                messages += told
            else:
                messages += _chase(request, now, keepers)
        except Exception:
            # One request the sweep cannot compute must not stop every other request's escalations.
            logger.exception("Part delivery sweep failed on request %s; it is retried later", request.pk)
            request.next_check_at = now + FAILED_REQUEST_RETRY
    PartEscalation.objects.bulk_create(escalations, ignore_conflicts=True)
    PartRequest.objects.bulk_update(requests, ["next_check_at"])
    return enqueue(messages, now=now)


def _escalate(request: PartRequest, fired: set, exceptions, now: dt.datetime, keepers, leads):
    calendar = delivery.promise_calendar(business_days=request.business_days, exceptions=exceptions)
    reached = delivery.rungs_reached(request.requested_at, request.due_at, now, calendar=calendar)
    new = [
        PartEscalation(request=request, percent=percent, reached_at=at, fired_at=now)
        for percent, at in reached
        if (request.pk, percent) not in fired
    ]
    request.next_check_at = delivery.next_rung_at(request.requested_at, request.due_at, now, calendar=calendar)
    if not new:
        return [], []
    # Only the highest new rung is told: after a pause of the sweeper, 50 % and 80 % at once would be stale news.
    latest = new[-1]
    late = latest.percent >= 100
    context = {
        **_context(request),
        "percent": latest.percent,
        "due_at": request.due_at,
        "now": now,
    }
    people = _people(keepers, request.ticket.assignee, leads.get(request.ticket.team_id))
    template = "part_delivery_late" if late else "part_delivery_warning"
    messages = []
    for user in people:
        messages += user_messages(
            user=user,
            key=f"part:{request.pk}:{latest.percent}:{user.pk}",
            template=template,
            context=context,
            url=context["url"],
            urgent=late,
        )
    return new, messages


def _chase(request: PartRequest, now: dt.datetime, keepers) -> list:
    """Advance replacement: once a day after the faulty part was due back, until it is."""
    waiting = (
        request.status == PartRequestStatus.DELIVERED
        and request.advance_replacement
        and request.faulty_returned_at is None
        and request.faulty_due_at is not None
    )
    if not waiting:
        request.next_check_at = None
        return []
    if now < request.faulty_due_at:
        request.next_check_at = request.faulty_due_at
        return []
    days_overdue = (now - request.faulty_due_at) // dt.timedelta(days=1)
    request.next_check_at = request.faulty_due_at + dt.timedelta(days=days_overdue + 1)
    today = timezone.localtime(now, local_zone()).date()
    context = {
        **_context(request),
        "faulty_due_at": request.faulty_due_at,
        "faulty_serial": request.faulty_serial,
        "now": now,
    }
    messages = []
    for user in _people(keepers, request.ticket.assignee, request.requested_by):
        messages += user_messages(
            user=user,
            key=f"faulty:{request.pk}:{today.isoformat()}:{user.pk}",
            template="faulty_part_chase",
            context=context,
            url=context["url"],
            urgent=False,
        )
    return messages


def _context(request: PartRequest) -> dict:
    ticket = request.ticket
    return {
        "ticket_number": ticket.number,
        "customer": ticket.customer.name,
        "part_number": request.part.part_number,
        "description": request.part.description,
        "quantity": request.quantity,
        "url": settings.AFTERSALES_BASE_URL + ticket.get_absolute_url(),
    }


def _people(keepers: list, *others) -> list:
    """Active staff, each once, in a stable order."""
    people = {}
    for user in [*keepers, *others]:
        if user is not None and user.is_active and user.is_staff_member:
            people.setdefault(user.pk, user)
    return list(people.values())
