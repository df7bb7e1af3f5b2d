"""The hotline pop-up: the telephone system reports a call ringing at an agent; the agent sees who is calling
(contacts, customers, their open tickets and entitlement) and logs the call on a ticket or opens a new one."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.contracts.entitlement import EntitlementResult, entitlement_check
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.time import local_date
from aftersales.customers.models import Contact, Customer
from aftersales.intake.models import CallOutcome, IncomingCall, PhoneExtension, TelephoneSystem
from aftersales.intake.phones import display, normalise
from aftersales.tickets.choices import Channel, EventKind
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import call_log, ticket_create
from aftersales.tickets.services.common import record_event

# A PBX's clock may run a little ahead of ours; further ahead is a wrong time, not skew.
CLOCK_SKEW = dt.timedelta(minutes=5)
# A call still ringing at an agent after this long is history, not a pop-up.
POP_MINUTES = 30
CUSTOMERS_SHOWN = 5
OPEN_TICKETS_SHOWN = 10
PAST_TICKETS_READ = 20
RINGING_SHOWN = 5
POLL_SECONDS = 3


def may_answer_calls(user) -> bool:
    # From the role table without a query: the pop-up asks on every page.
    return user.is_active and user.is_staff_member and user.can_log_requests


def _agent_for(system: TelephoneSystem, agent_ref: str):
    """The extension's agent on this system, else the staff member with that username; None if neither."""
    extension = PhoneExtension.objects.filter(system=system, extension=agent_ref).select_related("user").first()
    user = extension.user if extension else get_user_model().objects.filter(username=agent_ref).first()
    return user if user is not None and may_answer_calls(user) else None


@transaction.atomic
def call_receive(
    *, system: TelephoneSystem, call_id: str, caller: str, called: str, agent_ref: str, rang_at=None
) -> tuple[IncomingCall, bool]:
    """Record a call ringing at an agent, once per call id: (the call, whether this report created it).

    A repeated report of the same call id returns the first record unchanged (telephone systems retry).
    """
    call_id, agent_ref = (call_id or "").strip(), (agent_ref or "").strip()
    errors = {}
    if not call_id:
        errors["call_id"] = [_("Give the telephone system's id of the call.")]
    if not agent_ref:
        errors["agent"] = [_("Give the username or extension of the agent the call rings at.")]
    now = timezone.now()
    if rang_at is not None and rang_at > now + CLOCK_SKEW:
        errors["rang_at"] = [_("The call cannot ring in the future.")]
    if errors:
        raise ValidationFailed(detail=errors)
    existing = IncomingCall.objects.filter(system=system, call_id=call_id).first()
    if existing is not None:
        return existing, False
    call = IncomingCall(
        system=system,
        call_id=call_id[:100],
        caller=(caller or "").strip()[:50],
        caller_e164=normalise(caller),
        called=(called or "").strip()[:50],
        agent_ref=agent_ref[:150],
        agent=_agent_for(system, agent_ref),
        rang_at=min(rang_at or now, now),
    )
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:  # the same call reported twice at once: the other report recorded it
        return IncomingCall.objects.get(system=system, call_id=call_id), False
    TelephoneSystem.objects.filter(pk=system.pk).update(last_call_at=now)
    return call, True


@dataclass
class CustomerMatch:
    """One customer the caller may be calling for, and why we think so."""

    customer: Customer
    contacts: list[Contact] = field(default_factory=list)
    by_customer_phone: bool = False
    past_contact_names: list[str] = field(default_factory=list)
    open_tickets: list[Ticket] = field(default_factory=list)
    entitlement: EntitlementResult | None = None


@dataclass
class CallerCard:
    call: IncomingCall
    number: str  # as people write it
    matches: list[CustomerMatch]

    @property
    def known(self) -> bool:
        return bool(self.matches)

    @property
    def suggested(self) -> CustomerMatch | None:
        """The customer a new ticket is for when there is no doubt."""
        return self.matches[0] if len(self.matches) == 1 else None

    @property
    def suggested_contact(self) -> Contact | None:
        match = self.suggested
        return match.contacts[0] if match is not None and len(match.contacts) == 1 else None


def caller_card(*, user, call: IncomingCall) -> CallerCard:
    """Who is calling, as `user` may see it: contacts and customers with the number, and past tickets' callers."""
    number = call.caller_e164
    card = CallerCard(call=call, number=display(number) or call.caller, matches=[])
    if not number:
        return card
    matches: dict[int, CustomerMatch] = {}

    def match_for(customer):
        return matches.setdefault(customer.pk, CustomerMatch(customer=customer))

    contacts = Contact.objects.visible_to(user).filter(phone=number).select_related("customer", "site")
    for contact in contacts.order_by("customer__name", "name")[: CUSTOMERS_SHOWN * 2]:
        match_for(contact.customer).contacts.append(contact)
    for customer in Customer.objects.visible_to(user).filter(phone=number)[:CUSTOMERS_SHOWN]:
        match_for(customer).by_customer_phone = True
    past = (
        Ticket.objects.visible_to(user)
        .filter(contact_phone=number)
        .select_related("customer")
        .order_by("-received_at")[:PAST_TICKETS_READ]
    )
    for ticket in past:
        names = match_for(ticket.customer).past_contact_names
        if ticket.contact_name not in names:
            names.append(ticket.contact_name)
    card.matches = list(matches.values())[:CUSTOMERS_SHOWN]
    _add_open_tickets(user, card)
    today = local_date()
    for match in card.matches:
        sites = {contact.site_id for contact in match.contacts}
        site_id = sites.pop() if len(sites) == 1 else None
        match.entitlement = entitlement_check(customer_id=match.customer.pk, site_id=site_id, on=today)
    return card


def _add_open_tickets(user, card: CallerCard) -> None:
    """Each customer's open tickets, the caller's own first, then by priority and age."""
    by_customer = {match.customer.pk: match for match in card.matches}
    tickets = (
        Ticket.objects.visible_to(user)
        .open()
        .filter(customer_id__in=by_customer)
        .select_related("assignee")
        .order_by("priority", "received_at", "id")[: OPEN_TICKETS_SHOWN * len(by_customer)]
    )
    number = card.call.caller_e164
    for ticket in sorted(tickets, key=lambda ticket: str(ticket.contact_phone) != number):
        match = by_customer[ticket.customer_id]
        if len(match.open_tickets) < OPEN_TICKETS_SHOWN:
            match.open_tickets.append(ticket)


def _check_answerer(actor) -> None:
    if not may_answer_calls(actor):
        raise NotFound() if actor.is_customer_user else PermissionDenied()


def _locked_unhandled(call: IncomingCall) -> IncomingCall:
    locked = IncomingCall.objects.select_for_update().get(pk=call.pk)
    if locked.handled_at is not None:
        raise InvalidTransition(_("This call was already handled."))
    return locked


def _handled(call: IncomingCall, *, actor, outcome: str, ticket: Ticket | None = None) -> IncomingCall:
    call.ticket, call.outcome, call.handled_by, call.handled_at = ticket, outcome, actor, timezone.now()
    call.save(update_fields=["ticket", "outcome", "handled_by", "handled_at"])
    return call


@transaction.atomic
def call_log_on_ticket(*, actor, call: IncomingCall, ticket: Ticket, note: str) -> IncomingCall:
    """Log the call on an open ticket (it counts as the response) and link the ticket to the call."""
    _check_answerer(actor)
    if not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise NotFound()
    locked = _locked_unhandled(call)
    call_log(actor=actor, ticket=ticket, note=note)
    return _handled(locked, actor=actor, outcome=CallOutcome.LOGGED, ticket=ticket)


@transaction.atomic
def call_ticket_create(*, actor, call: IncomingCall, **ticket_fields) -> Ticket:
    """Register the caller's request as a phone ticket received when the call rang, linked to the call."""
    _check_answerer(actor)
    locked = _locked_unhandled(call)
    ticket = ticket_create(
        actor=actor,
        **{
            **ticket_fields,
            "channel": Channel.PHONE,
            "received_at": ticket_fields.get("received_at") or locked.rang_at,
        },
    )
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.UPDATED,
        data={"incoming_call": locked.pk, "caller": locked.caller_e164 or locked.caller, "public": False},
    )
    _handled(locked, actor=actor, outcome=CallOutcome.NEW_TICKET, ticket=ticket)
    return ticket


@transaction.atomic
def call_dismiss(*, actor, call: IncomingCall) -> IncomingCall:
    """Close the pop-up without a ticket (a wrong number, a question answered at once)."""
    _check_answerer(actor)
    return _handled(_locked_unhandled(call), actor=actor, outcome=CallOutcome.DISMISSED)


def calls_ringing(*, user):
    """The calls still waiting on `user`'s screen, newest first."""
    since = timezone.now() - dt.timedelta(minutes=POP_MINUTES)
    return (
        IncomingCall.objects.visible_to(user)
        .filter(agent=user, handled_at__isnull=True, rang_at__gte=since)
        .order_by("-id")
    )


def ringing_context(user, *, floating: bool = False) -> dict:
    """The pop-up panel: the calls ringing at `user`, each with who is calling."""
    calls = list(calls_ringing(user=user).select_related("system")[:RINGING_SHOWN])
    return {
        "cards": [caller_card(user=user, call=call) for call in calls],
        "shown": ",".join(str(call.pk) for call in sorted(calls, key=lambda call: call.pk)),
        "poll_seconds": POLL_SECONDS,
        "floating": floating,
    }
