"""How many SLA deadlines per second the business-time engine computes, against a minute-stepping reference.

    python bench/sla_calendar.py            # ~5 s
    python bench/sla_calendar.py --fast 200000 --reference 2000 --seed 7

A business-hours calendar (Mon-Fri 08:30-12:00, 13:30-17:30, Asia/Shanghai) with 2026's
holidays and make-up working days from `holidays`; starts uniform over 2026 on whole minutes;
targets from 30 minutes to 5 business days (37.5 h). The reference steps one minute at a time
through the same definition the engine implements; both must agree on every input they share.
No Django, no database.
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aftersales.sla.calendar import Calendar, add_business_time
from aftersales.sla.holidays import HOLIDAY, china_exceptions

OFFICE_DAY = ((510, 720), (810, 1050))
OFFICE_WEEK = (OFFICE_DAY,) * 5 + ((), ())
ONE_MINUTE = timedelta(minutes=1)
YEAR = 2026


def office_calendar() -> Calendar:
    exceptions = {
        exception.day: () if exception.kind == HOLIDAY else OFFICE_DAY for exception in china_exceptions([YEAR])
    }
    return Calendar(week=OFFICE_WEEK, exceptions=exceptions)


def random_inputs(count: int, generator: random.Random) -> list[tuple[datetime, timedelta]]:
    year_start = datetime(YEAR, 1, 1, tzinfo=UTC)
    minutes_in_year = 365 * 1440
    shortest, longest = 30, 5 * 450  # 5 business days of 7.5 h
    return [
        (
            year_start + generator.randrange(minutes_in_year) * ONE_MINUTE,
            generator.randint(shortest, longest) * ONE_MINUTE,
        )
        for _ in range(count)
    ]


def reference_add(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The definition, a minute at a time: whole-minute starts and durations only."""
    remaining = duration // ONE_MINUTE
    minute = start
    while remaining:
        local = minute.astimezone(calendar.zone)
        intervals = calendar.exceptions.get(local.date(), calendar.week[local.weekday()])
        minute_of_day = local.hour * 60 + local.minute
        if any(begin <= minute_of_day < end for begin, end in intervals):
            remaining -= 1
        minute += ONE_MINUTE
    return minute


def rate(function, calendar: Calendar, inputs: list[tuple[datetime, timedelta]]) -> tuple[float, list[datetime]]:
    began = time.perf_counter()
    results = [function(calendar, start, duration) for start, duration in inputs]
    return len(inputs) / (time.perf_counter() - began), results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", type=int, default=50_000, help="deadlines for the engine")
    parser.add_argument("--reference", type=int, default=500, help="deadlines for the reference (slow)")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()

    calendar = office_calendar()
    inputs = random_inputs(arguments.fast, random.Random(arguments.seed))
    reference_inputs = inputs[: arguments.reference]

    fast_rate, fast_results = rate(add_business_time, calendar, inputs)
    reference_rate, reference_results = rate(reference_add, calendar, reference_inputs)

    mismatches = sum(fast != slow for fast, slow in zip(fast_results, reference_results, strict=False))
    print(f"calendar: Mon-Fri 08:30-12:00, 13:30-17:30 Asia/Shanghai, {len(calendar.exceptions)} exceptions of {YEAR}")
    print(f"targets: 30 min to 5 business days, starts uniform over {YEAR}")
    print(f"engine:    {fast_rate:12,.0f} deadlines/s  ({len(inputs):,} deadlines)")
    print(f"reference: {reference_rate:12,.1f} deadlines/s  ({len(reference_inputs):,} deadlines)")
    print(f"ratio:     {fast_rate / reference_rate:12,.0f}x")
    print(f"mismatches with the reference: {mismatches}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
