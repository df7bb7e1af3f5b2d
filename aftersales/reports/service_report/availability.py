"""Availability of a customer's systems over a period, from the outages of its major and catastrophic faults.

    availability = (period length − downtime) / period length × 100 %

where the period length is measured in calendar time (24 hours a day) from the period's start to its end (or to
now, while the period runs), and the downtime of a system is the union of its outages: each MAJOR or
CATASTROPHIC fault ticket about it counts from when it was received to when it was resolved (to the end of
the period while unresolved), clipped to the period, and overlapping outages count once. A fault ticket that
names no equipment counts for "equipment not recorded"; the customer's overall figure merges every outage.
"""

import datetime as dt
from collections.abc import Iterable

Interval = tuple[dt.datetime, dt.datetime]


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of the intervals as disjoint intervals in order; empty ones (end <= start) are dropped."""
    result: list[list[dt.datetime]] = []
    for start, end in sorted(interval for interval in intervals if interval[1] > interval[0]):
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(start, end) for start, end in result]


def clipped(interval: Interval, since: dt.datetime, until: dt.datetime) -> Interval:
    return max(interval[0], since), min(interval[1], until)


def downtime(intervals: Iterable[Interval], since: dt.datetime, until: dt.datetime) -> dt.timedelta:
    """How long, between `since` and `until`, at least one of the intervals was going on."""
    pieces = merged(clipped(interval, since, until) for interval in intervals)
    return sum((end - start for start, end in pieces), dt.timedelta(0))


def percent_available(down: dt.timedelta, length: dt.timedelta) -> float:
    """Availability in per cent, to three decimals (99.999 % is five minutes a year)."""
    if length <= dt.timedelta(0):
        return 100.0
    return round(100 * (1 - down / length), 3)
