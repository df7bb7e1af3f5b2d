"""The manager's dashboard: today's picture from the tickets' SLA cache, and trends, each in one aggregate query.

Today's picture and the SLA trend read the summary each ticket keeps of its clocks (`sla_health`, refreshed
on every change and by the sweep), so the dashboard costs a few indexed counts whatever the size of the desk;
the KPI page and the SLA compliance report recompute the clocks from the events when the exact figures matter.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from aftersales.core.time import local_date, local_zone
from aftersales.quality.models import FollowUp
from aftersales.reports.periods import months_back
from aftersales.tickets.choices import OPEN_STATUSES, Priority, SlaHealth, Status, Tier
from aftersales.tickets.models import Ticket
from aftersales.tickets.sla_report import period_bounds

DAYS = 30
MONTHS = 12


@dataclass(frozen=True)
class TodayPicture:
    open: int
    at_risk: int
    breached: int
    new: int  # not yet assigned: assignment moves a new ticket on
    critical: int  # P1 open
    by_tier: list[tuple[str, str, int]]  # (tier, label, open tickets)


def today_picture(*, user) -> TodayPicture:
    """The open tickets now, counted by SLA health, assignment, priority and tier (one query)."""
    counts = (
        Ticket.objects.visible_to(user)
        .filter(status__in=sorted(OPEN_STATUSES))
        .aggregate(
            open=Count("pk"),
            at_risk=Count("pk", filter=Q(sla_health=SlaHealth.WARNING)),
            breached=Count("pk", filter=Q(sla_health=SlaHealth.BREACHED)),
            new=Count("pk", filter=Q(status=Status.NEW)),
            critical=Count("pk", filter=Q(priority=Priority.P1)),
            **{f"tier_{tier}": Count("pk", filter=Q(tier=tier)) for tier in Tier.values},
        )
    )
    return TodayPicture(
        open=counts["open"],
        at_risk=counts["at_risk"],
        breached=counts["breached"],
        new=counts["new"],
        critical=counts["critical"],
        by_tier=[(tier.value, str(tier.label), counts[f"tier_{tier}"]) for tier in Tier],
    )


@dataclass(frozen=True)
class DayFlow:
    day: dt.date
    received: int
    resolved: int


def daily_flow(*, user, today: dt.date | None = None, days: int = DAYS) -> list[DayFlow]:
    """Tickets received and resolved on each of the last `days` local days, today included (two queries)."""
    today = today or local_date()
    first = today - dt.timedelta(days=days - 1)
    since, until = period_bounds(first, today)
    tickets = Ticket.objects.visible_to(user)
    zone = local_zone()
    received = _per_day(tickets.filter(received_at__gte=since, received_at__lt=until), "received_at", zone)
    resolved = _per_day(tickets.filter(resolved_at__gte=since, resolved_at__lt=until), "resolved_at", zone)
    return [
        DayFlow(day, received.get(day, 0), resolved.get(day, 0))
        for day in (first + dt.timedelta(days=offset) for offset in range(days))
    ]


def _per_day(tickets, stamp: str, zone) -> dict[dt.date, int]:
    rows = tickets.annotate(day=TruncDate(stamp, tzinfo=zone)).values("day").annotate(count=Count("pk")).order_by()
    return {row["day"]: row["count"] for row in rows}


@dataclass(frozen=True)
class MonthSla:
    month: dt.date
    decided: int  # tickets whose promises are settled: no longer open, or already breached
    met: int

    @property
    def percent_met(self) -> float | None:
        return round(100 * self.met / self.decided, 1) if self.decided else None


def monthly_sla(*, user, today: dt.date | None = None, months: int = MONTHS) -> list[MonthSla]:
    """Per month received, the share of tickets with SLA targets that met every one of them (one query).

    Cancelled tickets and tickets without targets are left out; an open ticket counts once it has breached.
    """
    firsts = months_back(today or local_date(), months)
    since, _until = period_bounds(firsts[0], firsts[0])
    breached = Q(sla_health=SlaHealth.BREACHED)
    rows = (
        Ticket.objects.visible_to(user)
        .filter(received_at__gte=since)
        .exclude(status=Status.CANCELLED)
        .exclude(sla_health=SlaHealth.NONE)
        .annotate(month=TruncMonth("received_at", tzinfo=local_zone()))
        .values("month")
        .annotate(
            decided=Count("pk", filter=~Q(status__in=sorted(OPEN_STATUSES)) | breached),
            breached=Count("pk", filter=breached),
        )
        .order_by()
    )
    found = {_as_date(row["month"]): row for row in rows}
    return [
        MonthSla(first, found[first]["decided"], found[first]["decided"] - found[first]["breached"])
        if first in found
        else MonthSla(first, 0, 0)
        for first in firsts
    ]


@dataclass(frozen=True)
class MonthSatisfaction:
    month: dt.date
    answers: int
    mean: float | None


def monthly_satisfaction(*, user, today: dt.date | None = None, months: int = MONTHS) -> list[MonthSatisfaction]:
    """The mean overall score (1-5) of the follow-ups answered in each month (one query)."""
    firsts = months_back(today or local_date(), months)
    since, _until = period_bounds(firsts[0], firsts[0])
    rows = (
        FollowUp.objects.visible_to(user)
        .filter(answered_at__gte=since, score_overall__isnull=False)
        .annotate(month=TruncMonth("answered_at", tzinfo=local_zone()))
        .values("month")
        .annotate(answers=Count("pk"), mean=Avg("score_overall"))
        .order_by()
    )
    found = {_as_date(row["month"]): row for row in rows}
    return [
        MonthSatisfaction(first, found[first]["answers"], round(found[first]["mean"], 2))
        if first in found
        else MonthSatisfaction(first, 0, None)
        for first in firsts
    ]


def _as_date(month) -> dt.date:
    """TruncMonth of a datetime gives the local midnight starting the month; its local date is the first day."""
    return timezone.localtime(month, local_zone()).date() if isinstance(month, dt.datetime) else month
