"""KPIs per engineer, per team and in total over a period, in a fixed number of queries however many engineers.

What counts, and when (the page's help says the same to its readers):

- The tickets handled are the tickets resolved in the period (their last resolution: a reopened ticket counts
  when it is resolved again), credited to the ticket's assignee and team as they are now.
- SLA targets met: every clock of those tickets replayed from their events with the SLA engine, as the SLA
  compliance report does (`tickets.sla_report`); met divided by met and breached, per clock.
- Response, arrival and resolution times: elapsed (wall-clock) time from the request received to the first
  response, the arrival on site and the resolution, read from the ticket's timestamps; the mean and the
  90th percentile (linear interpolation, as PostgreSQL's percentile_cont).
- First-time fix: resolved, never reopened (no reopen on the timeline and no re-service after a dissatisfied
  follow-up), and at most one work order started (checked in on site, or started remotely).
- Satisfaction: the overall score (1-5) of follow-ups answered in the period, credited to the ticket's assignee
  and team. QC score: the overall score (0-100) of quality reviews completed in the period, credited to the
  engineer reviewed and the ticket's team. Complaints: complaints registered in the period that name the
  engineer among the people concerned; for a team, that name one of its members or concern one of its
  tickets. Labour hours: work-log hours logged in the period by the engineer (for a team, on its tickets).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.accounts.models import Team, User
from aftersales.dispatch.models import WorkLogEntry, WorkOrder
from aftersales.quality.models import Complaint, FollowUp, QcReview
from aftersales.reports.kpis.access import OWN_KPI_ROLES
from aftersales.reports.kpis.durations import (
    PercentileCont,
    database_percentiles,
    elapsed,
    percentile,
    whole_seconds,
)
from aftersales.reports.periods import Period
from aftersales.sla.choices import ClockStatus
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.sla import CLOCK_ORDER, PolicyBook, clock_states
from aftersales.tickets.sla_report import CHUNK, STILL_RUNNING, beside

# Each time is measured from the request received to this timestamp of the ticket.
TIMES = {"response": "responded_at", "arrival": "arrived_at", "resolution": "resolved_at"}
ENGINEER, TEAM, TOTAL = "engineer", "team", "total"


@dataclass
class ClockTally:
    met: int = 0
    breached: int = 0
    running: int = 0

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def percent_met(self) -> float | None:
        """Met among the clocks already decided; None while none is."""
        return round(100 * self.met / self.decided, 1) if self.decided else None

    def add(self, status: str) -> None:
        if status == ClockStatus.MET:
            self.met += 1
        elif status == ClockStatus.BREACHED:
            self.breached += 1
        else:
            self.running += 1


@dataclass
class Spread:
    """How long something took: the mean and the 90th percentile, to the second."""

    mean: dt.timedelta | None = None
    p90: dt.timedelta | None = None


@dataclass
class KpiRow:
    kind: str  # ENGINEER, TEAM or TOTAL
    key: int | None  # the user's or the team's id; None for the total
    name: str = ""
    handled: int = 0
    first_time_fixes: int = 0
    reopened: int = 0
    clocks: dict[str, ClockTally] = field(default_factory=dict)
    times: dict[str, Spread] = field(default_factory=lambda: {name: Spread() for name in TIMES})
    satisfaction_total: int = 0
    satisfaction_answers: int = 0
    complaints: int = 0
    qc_total: int = 0
    qc_reviews: int = 0
    labour_hours: Decimal = Decimal(0)

    @property
    def all_clocks(self) -> ClockTally:
        return ClockTally(
            met=sum(tally.met for tally in self.clocks.values()),
            breached=sum(tally.breached for tally in self.clocks.values()),
            running=sum(tally.running for tally in self.clocks.values()),
        )

    def clock(self, clock: str) -> ClockTally:
        return self.clocks.get(clock) or ClockTally()

    @property
    def first_time_fix_rate(self) -> float | None:
        return round(100 * self.first_time_fixes / self.handled, 1) if self.handled else None

    @property
    def reopen_rate(self) -> float | None:
        return round(100 * self.reopened / self.handled, 1) if self.handled else None

    @property
    def satisfaction(self) -> float | None:
        """The mean overall score, 1 to 5."""
        return round(self.satisfaction_total / self.satisfaction_answers, 2) if self.satisfaction_answers else None

    @property
    def qc_score(self) -> float | None:
        """The mean overall QC score, 0 to 100."""
        return round(self.qc_total / self.qc_reviews, 1) if self.qc_reviews else None


@dataclass
class KpiTable:
    period: Period
    engineers: list[KpiRow]
    teams: list[KpiRow]
    total: KpiRow | None  # None when the reader sees only their own row
    clocks: list[str]  # the clocks any ticket of the period had, in the order a ticket lives them

    @property
    def rows(self) -> list[KpiRow]:
        return [*self.engineers, *self.teams, *([self.total] if self.total else [])]


class _Rows:
    """The rows a figure is added to: its engineer's, its team's and the total (those that are kept)."""

    def __init__(self, *, one_engineer: bool):
        self.one_engineer = one_engineer
        self.engineers: dict[int, KpiRow] = {}
        self.teams: dict[int, KpiRow] = {}
        self.total = KpiRow(TOTAL, None)

    def engineer(self, key: int) -> KpiRow:
        if key not in self.engineers:
            self.engineers[key] = KpiRow(ENGINEER, key)
        return self.engineers[key]

    def team(self, key: int) -> KpiRow:
        if key not in self.teams:
            self.teams[key] = KpiRow(TEAM, key)
        return self.teams[key]

    def of(self, engineer_id: int | None, team_id: int | None) -> Iterator[KpiRow]:
        if engineer_id is not None:
            yield self.engineer(engineer_id)
        if self.one_engineer:
            return
        if team_id is not None:
            yield self.team(team_id)
        yield self.total


def kpi_table(
    *,
    user,
    period: Period,
    engineer: User | None = None,
    now: dt.datetime | None = None,
    percentiles_in_database: bool | None = None,
) -> KpiTable:
    """Every engineer's and team's KPIs and the total; with `engineer`, that engineer's row alone.

    The caller checks that `user` may read them (`access.py`). `percentiles_in_database` forces the
    percentile path (the tests compare both); by default PostgreSQL computes percentiles and SQLite does not.
    """
    now = now or timezone.now()
    since, until = period.bounds
    tickets = Ticket.objects.visible_to(user).filter(resolved_at__gte=since, resolved_at__lt=until)
    if engineer is not None:
        tickets = tickets.filter(assignee=engineer)
    if percentiles_in_database is None:
        percentiles_in_database = database_percentiles(connections[tickets.db])
    rows = _Rows(one_engineer=engineer is not None)
    _add_ticket_counts(rows, tickets, percentiles_in_database)
    _add_clocks(rows, tickets, now, with_durations=not percentiles_in_database)
    _add_satisfaction(rows, user, since, until, engineer)
    _add_qc(rows, user, since, until, engineer)
    _add_hours(rows, since, until, engineer)
    _add_complaints(rows, user, since, until, engineer)
    return _named(rows, period, engineer)


def reopened_condition() -> Q:
    """Reopened at least once: a reopen on the timeline, or a re-service after a dissatisfied follow-up."""
    reopen = TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.STATUS_CHANGED, data__action="reopen")
    reservice = FollowUp.objects.filter(ticket=OuterRef("pk"), reservice_ticket__isnull=False)
    return Q(Exists(reopen)) | Q(Exists(reservice))


def started_visits() -> Coalesce:
    """Work orders started on the ticket (checked in on site, or started remotely)."""
    started = (
        WorkOrder.objects.filter(ticket=OuterRef("pk"), started_at__isnull=False)
        .order_by()
        .values("ticket")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(started[:1]), 0)


def _add_ticket_counts(rows: _Rows, tickets: QuerySet[Ticket], percentiles_in_database: bool) -> None:
    """Tickets handled, first-time fixes, reopens and mean times: one aggregate query per grouping."""
    annotated = tickets.annotate(visits=started_visits()).alias(was_reopened=reopened_condition()).order_by()
    aggregates = {
        "handled": Count("pk"),
        "first_time_fixes": Count("pk", filter=Q(visits__lte=1) & ~Q(was_reopened=True)),
        "reopened": Count("pk", filter=Q(was_reopened=True)),
    }
    for name, stamp in TIMES.items():
        aggregates[f"{name}_mean"] = Avg(elapsed(stamp))
        if percentiles_in_database:
            aggregates[f"{name}_p90"] = PercentileCont(elapsed(stamp))
    groupings = [("assignee", rows.engineer)]
    if not rows.one_engineer:
        groupings.append(("team", rows.team))
    for column, row_for in groupings:
        for values in annotated.values(column).annotate(**aggregates):
            if values[column] is not None:
                _fill(row_for(values[column]), values, percentiles_in_database)
    if not rows.one_engineer:
        _fill(rows.total, annotated.aggregate(**aggregates), percentiles_in_database)


def _fill(row: KpiRow, values: dict, percentiles_in_database: bool) -> None:
    row.handled = values["handled"]
    row.first_time_fixes = values["first_time_fixes"]
    row.reopened = values["reopened"]
    for name in TIMES:
        row.times[name].mean = whole_seconds(values[f"{name}_mean"])
        if percentiles_in_database:
            row.times[name].p90 = whole_seconds(values[f"{name}_p90"])


def _add_clocks(rows: _Rows, tickets: QuerySet[Ticket], now: dt.datetime, *, with_durations: bool) -> None:
    """Replay every clock of every ticket handled (and, without database percentiles, gather their times)."""
    cohort = tickets.only(
        "id",
        "kind",  # complaints may run on a policy of their own
        "priority",
        "received_at",
        "on_site_required",
        "service_level_id",
        "assignee_id",
        "team_id",
        *TIMES.values(),
    ).order_by("id")
    events = (
        TicketEvent.objects.filter(ticket__in=cohort.values("pk"))
        .only("id", "ticket_id", "kind", "at", "from_status", "to_status", "data")
        .order_by("ticket_id", "at", "id")
    )
    book = PolicyBook.load()
    durations: dict[int, dict[str, list[dt.timedelta]]] = defaultdict(lambda: defaultdict(list))
    for ticket, own_events in beside(cohort.iterator(chunk_size=CHUNK), events.iterator(chunk_size=CHUNK)):
        targets = list(rows.of(ticket.assignee_id, ticket.team_id))
        for state in clock_states(ticket, own_events, book, now):
            if state.status not in {ClockStatus.MET, ClockStatus.BREACHED, *STILL_RUNNING}:
                continue
            for row in targets:
                row.clocks.setdefault(state.clock, ClockTally()).add(state.status)
        if with_durations:
            for name, stamp in TIMES.items():
                if (moment := getattr(ticket, stamp)) is not None:
                    for row in targets:
                        durations[id(row)][name].append(moment - ticket.received_at)
    if with_durations:
        for row in [*rows.engineers.values(), *rows.teams.values(), rows.total]:
            for name in TIMES:
                row.times[name].p90 = whole_seconds(percentile(durations[id(row)][name]))


def _in_period(name: str, since: dt.datetime, until: dt.datetime) -> Q:
    return Q(**{f"{name}__gte": since, f"{name}__lt": until})


def _add_satisfaction(rows: _Rows, user, since, until, engineer) -> None:
    answers = FollowUp.objects.visible_to(user).filter(
        _in_period("answered_at", since, until), score_overall__isnull=False
    )
    if engineer is not None:
        answers = answers.filter(ticket__assignee=engineer)
    grouped = answers.values("ticket__assignee", "ticket__team").annotate(
        total=Sum("score_overall"), answers=Count("pk")
    )
    for values in grouped.order_by():
        for row in rows.of(values["ticket__assignee"], values["ticket__team"]):
            row.satisfaction_total += values["total"]
            row.satisfaction_answers += values["answers"]


def _add_qc(rows: _Rows, user, since, until, engineer) -> None:
    reviews = QcReview.objects.visible_to(user).filter(_in_period("reviewed_at", since, until), score__isnull=False)
    if engineer is not None:
        reviews = reviews.filter(engineer=engineer)
    grouped = reviews.values("engineer", "ticket__team").annotate(total=Sum("score"), reviews=Count("pk"))
    for values in grouped.order_by():
        for row in rows.of(values["engineer"], values["ticket__team"]):
            row.qc_total += values["total"]
            row.qc_reviews += values["reviews"]


def _add_hours(rows: _Rows, since, until, engineer) -> None:
    # The pages are for staff, who see every work order; work-log entries have no customer scope of their own.
    entries = WorkLogEntry.objects.filter(_in_period("at", since, until))
    if engineer is not None:
        entries = entries.filter(author=engineer)
    grouped = entries.values("author", "work_order__ticket__team").annotate(hours=Sum("hours"))
    for values in grouped.order_by():
        for row in rows.of(values["author"], values["work_order__ticket__team"]):
            row.labour_hours += values["hours"] or Decimal(0)


def _add_complaints(rows: _Rows, user, since, until, engineer) -> None:
    """Each complaint counts once per row, however many of the row's people or tickets it names."""
    complaints = Complaint.objects.visible_to(user).filter(_in_period("created_at", since, until))
    if engineer is not None:
        rows.engineer(engineer.pk).complaints = complaints.filter(people_concerned=engineer).distinct().count()
        return
    named: dict[int, set[int]] = defaultdict(set)  # person → complaints
    by_team: dict[int, set[int]] = defaultdict(set)  # team → complaints
    every: set[int] = set()
    for complaint, person, team in complaints.values_list("pk", "people_concerned", "related_tickets__team"):
        every.add(complaint)
        if person is not None:
            named[person].add(complaint)
        if team is not None:
            by_team[team].add(complaint)
    if named:
        for person, team in Team.members.through.objects.filter(user_id__in=named).values_list("user_id", "team_id"):
            by_team[team] |= named[person]
    for person, found in named.items():
        rows.engineer(person).complaints = len(found)
    for team, found in by_team.items():
        rows.team(team).complaints = len(found)
    rows.total.complaints = len(every)


def _named(rows: _Rows, period: Period, engineer: User | None) -> KpiTable:
    """Names on the rows; every active engineer and expert has a row, with figures or without."""
    if engineer is not None:
        row = rows.engineer(engineer.pk)
        row.name = str(engineer)
        return KpiTable(period=period, engineers=[row], teams=[], total=None, clocks=_clocks_of([row]))
    people = User.objects.filter(Q(role__in=OWN_KPI_ROLES, is_active=True) | Q(pk__in=list(rows.engineers)))
    for person in people.only("id", "username", "first_name", "last_name"):
        rows.engineer(person.pk).name = str(person)
    for team in Team.objects.only("id", "name"):
        rows.team(team.pk).name = team.name
    engineers = sorted(rows.engineers.values(), key=lambda row: (row.name, row.key))
    teams = sorted(rows.teams.values(), key=lambda row: (row.name, row.key))
    return KpiTable(
        period=period,
        engineers=engineers,
        teams=teams,
        total=rows.total,
        clocks=_clocks_of([*engineers, *teams, rows.total]),
    )


def _clocks_of(rows: list[KpiRow]) -> list[str]:
    return sorted({clock for row in rows for clock in row.clocks}, key=CLOCK_ORDER.__getitem__)
