"""A ticket's SLA clocks: its events read as happenings, its policy read as targets, and the cached summary.

Everything here is recomputed from the events, so a change of priority, policy, calendar or holiday
table changes the clocks' due times without losing the time they have already counted.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from aftersales.contracts.models import ServiceLevel
from aftersales.core.time import local_date
from aftersales.sla.choices import Clock, ClockStatus
from aftersales.sla.clocks import ClockState, Happening, Happens, Target, compute_clocks
from aftersales.sla.models import BusinessCalendar, CalendarException, LadderStep, SlaPolicy, SlaTarget
from aftersales.tickets.choices import EventKind, Kind, SlaHealth, Status, Tier
from aftersales.tickets.models import SlaPauseRule, Ticket, TicketEvent

ENDING_STATUSES = {Status.CLOSED, Status.ARCHIVED, Status.CANCELLED}
STATUS_ACTIONS = {"accept": Happens.ACKNOWLEDGED, "resolve": Happens.RESOLVED, "reopen": Happens.REOPENED}
# The promises a customer holds us to; the other clocks are internal (emergency plan, escalation).
CUSTOMER_CLOCKS = frozenset({Clock.RESPONSE, Clock.ARRIVAL, Clock.RESOLUTION})
# Clocks are listed in the order a ticket lives them.
CLOCK_ORDER = {clock: index for index, clock in enumerate(Clock.values)}


def happenings(ticket: Ticket, events: Iterable[TicketEvent]) -> list[Happening]:
    """What the ticket's timeline means to the clocks, in order."""
    result = []
    for event in events:
        if event.kind == EventKind.CREATED:
            received_at = dt.datetime.fromisoformat(event.data["received_at"]) if "received_at" in event.data else None
            result.append(Happening(received_at or ticket.received_at, Happens.OPENED))
            result.append(Happening(event.at, Happens.STATUS, Status.NEW))
            continue
        if event.to_status and event.to_status != event.from_status:
            result.append(Happening(event.at, Happens.STATUS, event.to_status))
            if event.to_status in ENDING_STATUSES:
                result.append(Happening(event.at, Happens.ENDED))
        if action := STATUS_ACTIONS.get(event.data.get("action", "")):
            result.append(Happening(event.at, action))
        elif event.kind == EventKind.CALL_LOGGED or event.data.get("responds"):
            result.append(Happening(event.at, Happens.ACKNOWLEDGED))
        elif event.kind == EventKind.ARRIVED:
            result.append(Happening(dt.datetime.fromisoformat(event.data["arrived_at"]), Happens.ARRIVED))
        elif event.kind == EventKind.ESCALATED and event.data.get("to_tier") == Tier.L3:
            result.append(Happening(event.at, Happens.ESCALATED))
    return result


@dataclass
class PolicyBook:
    """Every policy, target, ladder, pause rule and calendar, read once for a batch of tickets."""

    policies: dict[int, SlaPolicy] = field(default_factory=dict)
    default_policy_id: int | None = None
    complaint_policy_id: int | None = None
    targets: dict[tuple[int, int], list[SlaTarget]] = field(default_factory=dict)
    steps: dict[int, list[LadderStep]] = field(default_factory=dict)
    pauses: dict[tuple[int, str], frozenset[str]] = field(default_factory=dict)
    calendars: dict[int, object] = field(default_factory=dict)
    policy_by_level: dict[int, int] = field(default_factory=dict)
    clock_targets: dict[int, Target] = field(default_factory=dict)

    @classmethod
    def load(cls, *, holidays_from: dt.date | None = None) -> "PolicyBook":
        """Everything in a few queries; `holidays_from` skips the holiday rows before a ticket's first day."""
        book = cls()
        exceptions = CalendarException.objects.all()
        if holidays_from is not None:
            exceptions = exceptions.filter(day__gte=holidays_from)
        exceptions = list(exceptions)
        for calendar in BusinessCalendar.objects.prefetch_related("intervals"):
            book.calendars[calendar.pk] = calendar.as_calendar(exceptions)
        targets = SlaTarget.objects.all()
        for policy in SlaPolicy.objects.prefetch_related(Prefetch("targets", queryset=targets)):
            book.policies[policy.pk] = policy
            if policy.is_default:
                book.default_policy_id = policy.pk
            if policy.for_complaints:
                book.complaint_policy_id = policy.pk
            for target in policy.targets.all():
                book.targets.setdefault((policy.pk, target.priority), []).append(target)
        for step in LadderStep.objects.order_by("percent"):
            book.steps.setdefault(step.ladder_id, []).append(step)
        pauses = defaultdict(set)
        for rule in SlaPauseRule.objects.all():
            pauses[rule.policy_id, rule.clock].add(rule.status)
        book.pauses = {key: frozenset(statuses) for key, statuses in pauses.items()}
        book.policy_by_level = dict(
            ServiceLevel.objects.filter(sla_policy__isnull=False).values_list("pk", "sla_policy_id")
        )
        return book

    @classmethod
    def for_ticket(cls, ticket: Ticket) -> "PolicyBook":
        """Enough for one ticket: the holidays from the day before it was received."""
        return cls.load(holidays_from=local_date(ticket.received_at) - dt.timedelta(days=1))

    def policy_id_for(self, ticket: Ticket) -> int | None:
        """A complaint runs on the complaints policy at the priorities it has targets for; other tickets (and a
        complaint at a priority that policy leaves out, rather than none) on their level's policy, else the default."""
        complaints = self.complaint_policy_id
        if ticket.kind == Kind.COMPLAINT and complaints is not None and (complaints, ticket.priority) in self.targets:
            return complaints
        return self.policy_by_level.get(ticket.service_level_id, self.default_policy_id)

    def targets_for(self, ticket: Ticket) -> list[SlaTarget]:
        """The policy's targets at the ticket's current priority; arrival only when someone must go on site."""
        policy_id = self.policy_id_for(ticket)
        targets = self.targets.get((policy_id, ticket.priority), [])
        return [target for target in targets if target.clock != Clock.ARRIVAL or ticket.on_site_required]

    def ladder_steps(self, target: SlaTarget) -> list[LadderStep]:
        policy = self.policies[target.policy_id]
        return self.steps.get(target.ladder_id or policy.ladder_id, [])

    def ladder_step(self, ticket: Ticket, clock: str, percent: int) -> LadderStep | None:
        """The rung of `clock`'s ladder at `percent` for this ticket now (None: the ladder has no such rung)."""
        target = next((target for target in self.targets_for(ticket) if target.clock == clock), None)
        steps = self.ladder_steps(target) if target else []
        return next((step for step in steps if step.percent == percent), None)

    def as_clock_target(self, target: SlaTarget) -> Target:
        if target.pk not in self.clock_targets:
            self.clock_targets[target.pk] = self._clock_target(target)
        return self.clock_targets[target.pk]

    def _clock_target(self, target: SlaTarget) -> Target:
        policy = self.policies[target.policy_id]
        percents = {step.percent for step in self.ladder_steps(target)} | {100}
        return Target(
            clock=target.clock,
            duration=target.duration,
            calendar=self.calendars[target.calendar_id or policy.calendar_id],
            pausing_statuses=self.pauses.get((policy.pk, target.clock), frozenset()),
            percents=tuple(sorted(percents)),
        )


def clock_states(ticket: Ticket, events: Sequence[TicketEvent], book: PolicyBook, now: dt.datetime) -> list[ClockState]:
    targets = sorted(
        (book.as_clock_target(target) for target in book.targets_for(ticket)), key=lambda t: CLOCK_ORDER[t.clock]
    )
    return compute_clocks(happenings(ticket, events), targets, now)


def clock_rows(states: Sequence[ClockState]) -> list[dict]:
    """The clocks as the ticket caches them (JSON): what the board, lists and the API read."""
    return [
        {
            "clock": state.clock,
            "status": state.status,
            "target": int(state.target.total_seconds()),
            "used": int(state.used.total_seconds()),
            "due_at": state.due_at.isoformat() if state.due_at else None,
            "breached_at": state.breached_at.isoformat() if state.breached_at else None,
            "at_risk": state.at_risk,
            "counting": state.counting,
        }
        for state in states
    ]


def health(rows: Sequence[dict], *, warnings: bool = True) -> str:
    """A ticket's SLA at a glance; without `warnings` (customers see no rungs) a clock at risk is on track."""
    if not rows:
        return SlaHealth.NONE
    statuses = {row["status"] for row in rows}
    if ClockStatus.BREACHED in statuses:
        return SlaHealth.BREACHED
    if warnings and any(row.get("at_risk") for row in rows):
        return SlaHealth.WARNING
    if ClockStatus.RUNNING in statuses:
        return SlaHealth.OK
    if ClockStatus.PAUSED in statuses:
        return SlaHealth.PAUSED
    return SlaHealth.OK


def soonest_due(rows: Sequence[dict]) -> dict | None:
    """The counting clock due first (a past due time for a breached clock still running), or None."""
    due = [row for row in rows if row.get("counting") and row["due_at"]]
    return min(due, key=lambda row: dt.datetime.fromisoformat(row["due_at"]), default=None)


def customer_clocks(rows: Sequence[dict]) -> list[dict]:
    return [row for row in rows if row["clock"] in CUSTOMER_CLOCKS]


def customer_summary(rows: Sequence[dict]) -> tuple[str, dt.datetime | None]:
    """What a customer sees: health from their promises without warning rungs, the next due of a running one."""
    own = customer_clocks(rows)
    running = soonest_due([row for row in own if row["status"] == ClockStatus.RUNNING])
    return health(own, warnings=False), dt.datetime.fromisoformat(running["due_at"]) if running else None


def cache_fields(ticket: Ticket, states: Sequence[ClockState]) -> list[str]:
    """Write the summary the board and lists read onto the ticket; returns the changed field names."""
    ticket.sla_clocks = clock_rows(states)
    ticket.sla_health = health(ticket.sla_clocks)
    soonest = soonest_due(ticket.sla_clocks)
    ticket.sla_due_at = dt.datetime.fromisoformat(soonest["due_at"]) if soonest else None
    return ["sla_health", "sla_due_at", "sla_clocks"]


def refresh(ticket: Ticket, now: dt.datetime) -> None:
    """After a change to the ticket: recompute its cache at once, and let the sweep fire what is due."""
    events = list(ticket.events.order_by("at", "id"))
    fields = cache_fields(ticket, clock_states(ticket, events, PolicyBook.for_ticket(ticket), now))
    ticket.next_check_at = now
    Ticket.objects.filter(pk=ticket.pk).update(**{name: getattr(ticket, name) for name in [*fields, "next_check_at"]})


def recheck_open_tickets(**_signal) -> int:
    """The rules changed: every open ticket's clocks are recomputed by the next sweep."""
    return Ticket.objects.open().update(next_check_at=timezone.now())
