"""SLA compliance over a period, recomputed from the tickets' events (never from the cached summary).

Every clock of every ticket received in the period is replayed up to `now` with one PolicyBook, so the
figures agree with the ticket pages and the sweep and can be reproduced for a dispute. A clock counts as
met, breached, or still running (running or paused); clocks that never started, and clocks stopped
before they were met or due (the ticket was cancelled or withdrawn), count for neither side.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from aftersales.core.time import local_zone
from aftersales.sla.choices import Clock, ClockStatus
from aftersales.tickets.choices import Priority
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.sla import CLOCK_ORDER, PolicyBook, clock_states

STILL_RUNNING = {ClockStatus.RUNNING, ClockStatus.PAUSED}
# Tickets and their events are read in chunks, so a year of a busy service desk never sits in memory at once.
CHUNK = 2000


class ReplayedTicket(NamedTuple):
    """What replaying a ticket's clocks and reporting on them read of it (`happenings`, `PolicyBook.targets_for`).

    A plain tuple rather than a model instance: building ~6 model instances per ticket was a quarter of the
    replay's time on a big month."""

    pk: int
    number: str
    kind: str  # a complaint has its own policy
    priority: int
    received_at: dt.datetime
    on_site_required: bool
    service_level_id: int | None
    customer_id: int
    customer_name: str
    contract_id: int | None
    contract_number: str | None


class ReplayedEvent(NamedTuple):
    """What `happenings` reads of an event."""

    ticket_id: int
    kind: str
    at: dt.datetime
    from_status: str
    to_status: str
    data: dict


TICKET_COLUMNS = (
    "pk",
    "number",
    "kind",
    "priority",
    "received_at",
    "on_site_required",
    "service_level_id",
    "customer_id",
    "customer__name",
    "contract_id",
    "contract__number",
)
EVENT_COLUMNS = ("ticket_id", "kind", "at", "from_status", "to_status", "data")


@dataclass
class ComplianceRow:
    """One customer, contract, priority and clock."""

    customer_id: int
    customer: str
    contract_id: int | None
    contract: str  # the contract number; empty for tickets under no contract
    priority: int
    clock: str
    counted: int = 0
    met: int = 0
    breached: int = 0
    running: int = 0

    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label) if self.priority else ""

    @property
    def clock_label(self) -> str:
        return str(Clock(self.clock).label) if self.clock else ""

    @property
    def percent_met(self) -> float | None:
        """Met among the clocks already decided; None while none is."""
        decided = self.met + self.breached
        return round(100 * self.met / decided, 1) if decided else None


@dataclass(frozen=True)
class Breach:
    ticket_id: int
    number: str
    customer: str
    contract: str
    priority: int
    clock: str
    target: dt.timedelta
    due_at: dt.datetime  # the moment the target was used up: the clock breached then
    stopped_at: dt.datetime | None  # when it was met at last (or stopped); None while it still runs
    overdue: dt.timedelta  # business time used past the target, up to the stop or `now`

    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label)

    @property
    def clock_label(self) -> str:
        return str(Clock(self.clock).label)


@dataclass
class ComplianceReport:
    start: dt.date
    end: dt.date
    rows: list[ComplianceRow]
    breaches: list[Breach]
    total: ComplianceRow


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From midnight at the start to midnight after the end, local time (both dates included)."""
    zone = local_zone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def received_tickets(
    *, user, start: dt.date, end: dt.date, customer_id: int | None = None, contract_id: int | None = None
) -> QuerySet[Ticket]:
    """The tickets received in the period that the user may see, with what replaying their clocks needs."""
    since, until = period_bounds(start, end)
    tickets = Ticket.objects.visible_to(user).filter(received_at__gte=since, received_at__lt=until)
    if customer_id is not None:
        tickets = tickets.filter(customer_id=customer_id)
    if contract_id is not None:
        tickets = tickets.filter(contract_id=contract_id)
    return (
        tickets.select_related("customer", "contract")
        .only(
            "id",
            "number",
            "kind",  # a complaint has its own policy
            "priority",
            "received_at",
            "on_site_required",
            "service_level_id",
            "customer__id",
            "customer__name",
            "contract__id",
            "contract__number",
        )
        .order_by("id")
    )


def sla_compliance(
    *,
    user,
    start: dt.date,
    end: dt.date,
    customer_id: int | None = None,
    contract_id: int | None = None,
    now: dt.datetime | None = None,
) -> ComplianceReport:
    """Met, breached and running clocks of the tickets received from `start` to `end` (local dates, inclusive)."""
    now = now or timezone.now()
    tickets = received_tickets(user=user, start=start, end=end, customer_id=customer_id, contract_id=contract_id)
    # Every clock replayed here starts when its ticket was received, in the period, and the calendar looks back
    # one local day at most: older holidays change nothing (as PolicyBook.for_ticket reasons for one ticket).
    book = PolicyBook.load(holidays_from=start - dt.timedelta(days=1))
    rows: dict[tuple, ComplianceRow] = {}
    breaches: list[Breach] = []
    for ticket, own_events in replayed_tickets(tickets):
        contract = ticket.contract_number or ""
        for state in clock_states(ticket, own_events, book, now):
            if state.status not in {ClockStatus.MET, ClockStatus.BREACHED, *STILL_RUNNING}:
                continue
            key = (ticket.customer_id, ticket.contract_id, ticket.priority, state.clock)
            row = rows.get(key)
            if row is None:
                row = rows[key] = ComplianceRow(
                    ticket.customer_id, ticket.customer_name, ticket.contract_id, contract, ticket.priority, state.clock
                )
            row.counted += 1
            if state.status == ClockStatus.MET:
                row.met += 1
            elif state.status in STILL_RUNNING:
                row.running += 1
            else:
                row.breached += 1
                breaches.append(
                    Breach(
                        ticket_id=ticket.pk,
                        number=ticket.number,
                        customer=ticket.customer_name,
                        contract=contract,
                        priority=ticket.priority,
                        clock=state.clock,
                        target=state.target,
                        due_at=state.breached_at,
                        stopped_at=state.stopped_at,
                        overdue=-state.left,
                    )
                )
    ordered = sorted(rows.values(), key=lambda row: (row.customer, row.contract, row.priority, CLOCK_ORDER[row.clock]))
    breaches.sort(key=lambda breach: (breach.due_at, breach.number, CLOCK_ORDER[breach.clock]))
    return ComplianceReport(start=start, end=end, rows=ordered, breaches=breaches, total=_total(ordered))


def replayed_tickets(tickets: QuerySet[Ticket]) -> Iterator[tuple[ReplayedTicket, list[ReplayedEvent]]]:
    """Each ticket with its events in order, as tuples, CHUNK tickets at a time in the order of their ids.

    Each chunk is two plain queries (a page of tickets after the last id, then their events by their ids), so
    a year of a busy service desk never sits in memory at once and no server-side cursor is held open."""
    last_id = 0
    while True:
        page = [
            ReplayedTicket(*values)
            for values in tickets.filter(pk__gt=last_id).order_by("pk").values_list(*TICKET_COLUMNS)[:CHUNK]
        ]
        if not page:
            return
        events = (
            TicketEvent.objects.filter(ticket_id__in=[ticket.pk for ticket in page])
            .order_by("ticket_id", "at", "id")
            .values_list(*EVENT_COLUMNS)
        )
        yield from beside(page, (ReplayedEvent(*values) for values in events))
        if len(page) < CHUNK:
            return
        last_id = page[-1].pk


def beside[T, E](tickets: Iterable[T], events: Iterable[E]) -> Iterator[tuple[T, list[E]]]:
    """Each ticket (its `pk`) with its events (their `ticket_id`); both come ordered by ticket id."""
    events = iter(events)
    pending = next(events, None)
    for ticket in tickets:
        own = []
        while pending is not None and pending.ticket_id <= ticket.pk:
            if pending.ticket_id == ticket.pk:
                own.append(pending)
            pending = next(events, None)
        yield ticket, own


def _total(rows: list[ComplianceRow]) -> ComplianceRow:
    total = ComplianceRow(0, "", None, "", 0, "")
    for row in rows:
        total.counted += row.counted
        total.met += row.met
        total.breached += row.breached
        total.running += row.running
    return total
