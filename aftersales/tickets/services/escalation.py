"""The SLA sweep: fire each rung of each ladder exactly once, start the emergency plan, and acknowledge.

Each batch of due tickets is recomputed and its escalation rows, outbox rows, events and cache are written
in one transaction; escalations and messages have unique keys, so a second sweeper or a sweeper killed half
way and started again never sends twice and never loses one.
"""

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.accounts.models import Role, Team, User, system_user
from aftersales.accounts.selectors import OnDuty, on_duty
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied
from aftersales.customers.models import Contact
from aftersales.notifications.choices import ChannelKind
from aftersales.notifications.services import Message, enqueue, preferred_languages, render
from aftersales.sla.choices import Clock, Recipient
from aftersales.sla.clocks import ClockState
from aftersales.tickets.choices import EventKind, Tier
from aftersales.tickets.models import SlaEscalation, Ticket, TicketEvent
from aftersales.tickets.services.common import record_event
from aftersales.tickets.sla import PolicyBook, cache_fields, clock_states

logger = logging.getLogger(__name__)

ROBOTS = {ChannelKind.DINGTALK, ChannelKind.WECOM, ChannelKind.FEISHU}
FAILED_TICKET_RETRY = dt.timedelta(minutes=10)
CACHE_FIELDS = ["sla_health", "sla_due_at", "sla_clocks", "next_check_at", "emergency_declared_at"]
# What the sweep reads of a ticket: its clocks' inputs, the people to tell and the words of the message.
SWEPT_FIELDS = [
    *CACHE_FIELDS,
    "number",
    "title",
    "priority",
    "service_level",
    "on_site_required",
    "team",
    "assignee",
    "contact_phone",
    "customer",
    "received_at",
]


class EventRow(NamedTuple):
    """What the clocks read of a ticket event."""

    ticket_id: int
    kind: str
    at: dt.datetime
    from_status: str
    to_status: str
    data: dict


@dataclass
class SweepResult:
    tickets: int = 0
    escalations: int = 0
    messages: int = 0


@dataclass
class People:
    """Who the ladders may name and in which language, read once per sweep."""

    now: dt.datetime
    staff: dict[int, User]
    team_leads: dict[int, int]
    languages: dict[int, str]
    duty: dict[int | None, OnDuty] = field(default_factory=dict)
    contact_emails: dict[tuple[int, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls, now: dt.datetime) -> "People":
        return cls(
            now=now,
            staff={user.pk: user for user in User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER)},
            team_leads=dict(Team.objects.filter(lead__isnull=False).values_list("pk", "lead_id")),
            languages=preferred_languages(),
        )

    def learn_contacts(self, tickets: list[Ticket]) -> None:
        """The email of each ticket's contact, where the customer's contact list knows their phone."""
        contacts = Contact.objects.filter(
            customer_id__in={ticket.customer_id for ticket in tickets},
            phone__in={ticket.contact_phone for ticket in tickets},
        ).exclude(email="")
        for contact in contacts:
            self.contact_emails[contact.customer_id, str(contact.phone)] = contact.email

    def contact_address(self, ticket: Ticket, channel: str) -> str:
        phone = str(ticket.contact_phone or "")
        if channel == ChannelKind.SMS:
            return phone
        if channel == ChannelKind.EMAIL:
            return self.contact_emails.get((ticket.customer_id, phone), "")
        return ""  # in-app needs an account; customer contacts are reached by SMS or email

    def with_role(self, role: str) -> list[User]:
        return [user for user in self.staff.values() if user.role == role]

    def on_duty(self, team_id: int | None) -> OnDuty:
        if team_id not in self.duty:
            self.duty[team_id] = on_duty(self.now, team_id)
        return self.duty[team_id]

    def language(self, user: User | None) -> str:
        return self.languages.get(user.pk, settings.LANGUAGE_CODE) if user else settings.LANGUAGE_CODE

    def named(self, recipient: str, ticket: Ticket) -> list[User]:
        """Active staff only: a deactivated assignee, lead or duty officer is not told."""
        if recipient == Recipient.MANAGER:
            return self.with_role(Role.MANAGER)
        if recipient == Recipient.EXPERT_POOL:
            return self.with_role(Role.EXPERT)
        duty = self.on_duty(ticket.team_id)
        user_id = {
            Recipient.ASSIGNEE: ticket.assignee_id,
            Recipient.TEAM_LEAD: self.team_leads.get(ticket.team_id),
            Recipient.DUTY_MANAGER: duty.manager and duty.manager.pk,
            Recipient.DUTY_ENGINEER: duty.engineer and duty.engineer.pk,
        }.get(recipient)
        return [self.staff[user_id]] if user_id in self.staff else []


def sla_sweep(*, now: dt.datetime | None = None, batch_size: int = 500) -> SweepResult:
    """Recompute the tickets whose next SLA check is due and act on every rung they reached."""
    now = now or timezone.now()
    result = SweepResult()
    book = people = None
    while True:
        with transaction.atomic():
            due = list(
                Ticket.objects.filter(next_check_at__lte=now)
                .only(*SWEPT_FIELDS)
                .annotate(customer_name=F("customer__name"))
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("next_check_at")[:batch_size]
            )
            if not due:
                return result
            book = book or PolicyBook.load()
            people = people or People.load(now)
            people.learn_contacts(due)
            _sweep_batch(due, book, people, now, result)
        if len(due) < batch_size:
            return result


def _sweep_batch(tickets: list[Ticket], book: PolicyBook, people: People, now: dt.datetime, result: SweepResult):
    ids = [ticket.pk for ticket in tickets]
    events = {ticket_id: [] for ticket_id in ids}
    rows = TicketEvent.objects.filter(ticket_id__in=ids).order_by("at", "id").values_list(*EventRow._fields)
    for event in map(EventRow._make, rows):  # plain tuples: a thousand tickets' events as models cost ~50 ms
        events[event.ticket_id].append(event)
    fired, acknowledged = set(), set()
    for escalation in SlaEscalation.objects.filter(ticket_id__in=ids).only(
        "ticket", "clock", "percent", "acknowledged_at"
    ):
        fired.add((escalation.ticket_id, escalation.clock, escalation.percent))
        if escalation.acknowledged_at is not None:
            acknowledged.add((escalation.ticket_id, escalation.clock))
    escalations, messages = [], []
    for ticket in tickets:
        try:
            new, told = _sweep_ticket(ticket, events[ticket.pk], fired, acknowledged, book, people, now)
        except Exception:
            # One ticket the sweep cannot compute must not stop every other ticket's escalations.
            logger.exception("SLA sweep failed on ticket %s; it is retried later", ticket.pk)
            ticket.next_check_at = now + FAILED_TICKET_RETRY
            continue
        escalations += new
        messages += told
    SlaEscalation.objects.bulk_create(escalations, ignore_conflicts=True)
    _save_caches(tickets)
    result.tickets += len(tickets)
    result.escalations += len(escalations)
    result.messages += enqueue(messages, now=now)


def _sweep_ticket(ticket: Ticket, events, fired, acknowledged, book, people, now) -> tuple[list, list[Message]]:
    """Replay one ticket: its new escalations and messages; its cache is updated in place."""
    escalations, messages = [], []
    states = clock_states(ticket, events, book, now)
    for state in states:
        new = _new_escalations(ticket, state, fired, acknowledged, now)
        escalations += new
        for escalation in new:
            if escalation.clock == Clock.EMERGENCY_PLAN and escalation.percent == 100:
                _declare_emergency(ticket, escalation.reached_at)
            if escalation.notified:
                messages += _messages(ticket, state, escalation, book, people)
    cache_fields(ticket, states)
    ticket.next_check_at = min((at for state in states if (at := state.next_level_at)), default=None)
    return escalations, messages


def _save_caches(tickets: list[Ticket]) -> None:
    if connection.vendor != "postgresql":
        Ticket.objects.bulk_update(tickets, CACHE_FIELDS)
        return
    # bulk_update builds a CASE per row and column (~0.5 ms of Python a ticket); unnest costs a tenth of it.
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE tickets_ticket AS ticket
                SET sla_health = cache.health, sla_due_at = cache.due_at, sla_clocks = cache.clocks,
                    next_check_at = cache.next_check_at, emergency_declared_at = cache.emergency_declared_at
                FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::jsonb[], %s::timestamptz[],
                            %s::timestamptz[]) AS cache(id, health, due_at, clocks, next_check_at, emergency_declared_at)
                WHERE ticket.id = cache.id""",
            [
                [ticket.pk for ticket in tickets],
                [ticket.sla_health for ticket in tickets],
                [ticket.sla_due_at for ticket in tickets],
                [json.dumps(ticket.sla_clocks) for ticket in tickets],
                [ticket.next_check_at for ticket in tickets],
                [ticket.emergency_declared_at for ticket in tickets],
            ],
        )


def _new_escalations(
    ticket: Ticket, state: ClockState, fired: set, acknowledged: set, now: dt.datetime
) -> list[SlaEscalation]:
    """The rungs this clock has reached that have no escalation row yet; an acknowledged rung mutes the rest."""
    muted = (ticket.pk, state.clock) in acknowledged
    new = []
    for level in state.levels:
        if level.crossed and (ticket.pk, state.clock, level.percent) not in fired:
            fired.add((ticket.pk, state.clock, level.percent))
            new.append(
                SlaEscalation(
                    ticket=ticket,
                    clock=state.clock,
                    percent=level.percent,
                    reached_at=level.at,
                    fired_at=now,
                    notified=not muted,
                )
            )
    return new


def _declare_emergency(ticket: Ticket, at: dt.datetime) -> None:
    """Resolution is out of time: flag the ticket and record the contingency task on its timeline."""
    if ticket.emergency_declared_at is not None:
        return
    # A savepoint: should the write fail, the batch's transaction stays usable for the other tickets.
    with transaction.atomic():
        record_event(
            ticket=ticket,
            actor=system_user(),
            kind=EventKind.EMERGENCY_DECLARED,
            at=at,
            data={"task": "contingency_plan", "tier": Tier.L3, "public": False},
        )
    ticket.emergency_declared_at = at


def _messages(ticket, state: ClockState, escalation: SlaEscalation, book: PolicyBook, people: People) -> list[Message]:
    step = book.ladder_step(ticket, state.clock, escalation.percent)
    if step is None:
        return []
    template = _template(escalation)
    context = {
        "ticket_number": ticket.number,
        "customer": ticket.customer_name,
        "title": ticket.title,
        "clock": Clock(state.clock).label,  # lazy: rendered in each recipient's language
        "percent": escalation.percent,
        "due_at": state.due_at,
        "remaining": state.left,
        "url": settings.AFTERSALES_BASE_URL + ticket.get_absolute_url(),
    }
    key = f"sla:{ticket.pk}:{state.clock}:{escalation.percent}"
    messages, texts = [], {}
    for recipient, user, address, channel in _addresses(step, ticket, people):
        language = people.language(user)
        if language not in texts:
            texts[language] = render(template, language, context)
        subject, body = texts[language]
        messages.append(
            Message(
                key=f"{key}:{channel}:{recipient}",
                channel=channel,
                recipient=address,
                user_id=user.pk if user else None,
                subject=subject,
                body=body,
                url=context["url"],
                urgent=step.urgent,
            )
        )
    return messages


def _template(escalation: SlaEscalation) -> str:
    if escalation.clock == Clock.EMERGENCY_PLAN and escalation.percent >= 100:
        return "emergency_plan"
    return "sla_breach" if escalation.percent >= 100 else "sla_warning"


def _addresses(step, ticket: Ticket, people: People):
    """(recipient key, user, address, channel) for every person and channel the step names, once each."""
    seen = set()
    for channel in step.channels:
        if channel in ROBOTS:
            yield "group", None, "", channel
            continue
        for recipient in step.recipients:
            if recipient == Recipient.CUSTOMER_CONTACT:
                address = people.contact_address(ticket, channel)
                if address:
                    yield "contact", None, address, channel
                continue
            for user in people.named(recipient, ticket):
                address = {ChannelKind.EMAIL: user.email, ChannelKind.SMS: str(user.phone or "")}.get(channel, "")
                if (channel, user.pk) in seen or (channel != ChannelKind.IN_APP and not address):
                    continue
                seen.add((channel, user.pk))
                yield f"user{user.pk}", user, address, channel


def may_acknowledge_escalation(user) -> bool:
    return user.has_perm(roles.WORK) or user.has_perm(roles.DISPATCH) or user.has_perm(roles.SUPERVISE)


@transaction.atomic
def escalation_acknowledge(*, actor, escalation_id: int) -> SlaEscalation:
    """ "I've got it": the rest of this clock's ladder is recorded but no longer sent."""
    if not may_acknowledge_escalation(actor):
        raise PermissionDenied()
    escalation = SlaEscalation.objects.visible_to(actor).select_for_update().filter(pk=escalation_id).first()
    if escalation is None:
        raise NotFound()
    if escalation.acknowledged_at is not None:
        raise InvalidTransition(_("This escalation has already been acknowledged."))
    escalation.acknowledged_by, escalation.acknowledged_at = actor, timezone.now()
    escalation.save(update_fields=["acknowledged_by", "acknowledged_at"])
    record_event(
        ticket=escalation.ticket,
        actor=actor,
        kind=EventKind.ESCALATION_ACKNOWLEDGED,
        at=escalation.acknowledged_at,
        data={"clock": escalation.clock, "percent": escalation.percent, "public": False},
    )
    return escalation
