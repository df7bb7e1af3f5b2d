"""When a part is due and which rungs of its delivery promise have been reached: pure, no database.

The promise is counted in calendar days or in working days. Working days are Monday to Friday in Asia/Shanghai,
minus public holidays, plus make-up working days (调休上班), read from the exceptions passed in (the sla app's
CalendarException table). The arithmetic is the SLA engine's own (`sla.calendar.add_business_time`) over a
calendar whose working days run from 00:00 to 24:00, so a part and a ticket agree on what a working day is.

Due time: the same time of day as the request, `days` calendar days later, or on the `days`-th working day after
the request's own day. A request made on a day off starts counting at the next working day's midnight, so it is
due at the end (24:00) of the `days`-th working day.

The ladder: 50 %, 80 % and 100 % of the promise, then every further 50 % (150 %, 200 % …). A share is counted in
the same time as the promise: elapsed time for calendar days, working time for working days (the 50 % of a
promise that spans the National Day holiday does not fall inside the holiday).
"""

import datetime as dt
from collections.abc import Iterator, Mapping

from aftersales.sla.calendar import SHANGHAI, Calendar, add_business_time, business_time_between

HOLIDAY = "holiday"  # sla.choices.ExceptionKind values; strings here so this module stays pure
WORKDAY = "workday"
WHOLE_DAY = ((0, 24 * 60),)
WORKING_WEEK = (WHOLE_DAY,) * 5 + ((), ())
FIRST_RUNGS = (50, 80, 100)
RUNG_STEP_AFTER_DUE = 50
ONE_DAY = dt.timedelta(days=1)


def promise_calendar(*, business_days: bool, exceptions: Mapping[dt.date, str] | None = None) -> Calendar:
    """Every instant for calendar days; whole working days in Asia/Shanghai for working days."""
    if not business_days:
        return Calendar.always(SHANGHAI)
    overrides = {day: (() if kind == HOLIDAY else WHOLE_DAY) for day, kind in (exceptions or {}).items()}
    return Calendar(zone=SHANGHAI, week=WORKING_WEEK, exceptions=overrides)


def due_at(
    requested_at: dt.datetime, days: int, *, business_days: bool, exceptions: Mapping[dt.date, str] | None = None
) -> dt.datetime:
    """When a part requested at `requested_at` with a promise of `days` days must be delivered (UTC)."""
    if days < 0:
        raise ValueError(f"a promise cannot be negative: {days}")
    calendar = promise_calendar(business_days=business_days, exceptions=exceptions)
    return add_business_time(calendar, requested_at, days * ONE_DAY)


def rungs() -> Iterator[int]:
    """50, 80, 100, 150, 200, … (endless)."""
    yield from FIRST_RUNGS
    percent = FIRST_RUNGS[-1]
    while True:
        percent += RUNG_STEP_AFTER_DUE
        yield percent


def rung_at(requested_at: dt.datetime, due: dt.datetime, percent: int, *, calendar: Calendar | None = None):
    """The instant `percent` % of the promise has been used."""
    calendar = calendar or Calendar.always(SHANGHAI)
    return add_business_time(calendar, requested_at, _promise(requested_at, due, calendar) * percent / 100)


def rungs_reached(
    requested_at: dt.datetime, due: dt.datetime, now: dt.datetime, *, calendar: Calendar | None = None
) -> list[tuple[int, dt.datetime]]:
    """Every rung reached by `now`, in order, as (percent, reached at)."""
    reached = []
    for percent, at in _ladder(requested_at, due, calendar):
        if at > now:
            return reached
        reached.append((percent, at))
    raise AssertionError("the ladder is endless")


def next_rung_at(
    requested_at: dt.datetime, due: dt.datetime, now: dt.datetime, *, calendar: Calendar | None = None
) -> dt.datetime:
    """When the first rung not yet reached at `now` will be."""
    return next(at for _percent, at in _ladder(requested_at, due, calendar) if at > now)


def _ladder(
    requested_at: dt.datetime, due: dt.datetime, calendar: Calendar | None
) -> Iterator[tuple[int, dt.datetime]]:
    calendar = calendar or Calendar.always(SHANGHAI)
    promise = _promise(requested_at, due, calendar)
    for percent in rungs():
        yield percent, add_business_time(calendar, requested_at, promise * percent / 100)


def _promise(requested_at: dt.datetime, due: dt.datetime, calendar: Calendar) -> dt.timedelta:
    promise = business_time_between(calendar, requested_at, due)
    if promise <= dt.timedelta(0):
        raise ValueError(f"a promise needs time between the request and its due time: {requested_at} to {due}")
    return promise
