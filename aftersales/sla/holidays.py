"""China's public holidays and make-up working days (调休上班), from the `holidays` package.

No database: this only reads the package. A calendar-exception table is seeded from it, and
entries an administrator makes there win over it.

What the package gives for China: the statutory holidays, Monday "in lieu" days for holidays
on a weekend (its observed rule), and, for each year whose State Council notice it has
transcribed, a table of swapped days (`special_public_holidays`, entries `(month, day,
from_month, from_day[, from_year])`): the first date becomes a day off and the weekend "from"
date a working day. `is_working_day()` combines them, and `weekend_workdays` lists the
working weekend days. A year without a swap table is extrapolated from the fixed rules alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

HOLIDAY = "holiday"  # a weekday off
WORKDAY = "workday"  # a weekend day worked to make up for one (调休上班)

# Names in the package's own language for China, so seeded rows read the same as its notices.
LANGUAGE = "zh_CN"
MAKE_UP_WORKDAY_NAME = "调休上班"


@dataclass(frozen=True)
class HolidayException:
    day: date
    kind: str  # HOLIDAY or WORKDAY
    name: str
    confirmed: bool  # the year's official schedule is in the package, not extrapolated


ESTIMATED_YEARS_AHEAD = 2


def china_exceptions(years: Iterable[int]) -> list[HolidayException]:
    """Weekdays off and working weekend days in `years`, in date order.

    Ordinary weekends are not listed: the weekly pattern of a calendar covers them.
    """
    exceptions: list[HolidayException] = []
    for year in sorted(set(years)):
        exceptions.extend(_exceptions_in(year))
    return exceptions


def known_years() -> range:
    """The years whose official schedule (with its swapped days) the package contains."""
    years = _confirmed_years()
    known = range(min(years), max(years) + 1)
    # A gap would make the range claim a year the package only estimates.
    assert set(known) == years, f"the package's confirmed years have gaps: {sorted(years)}"
    return known


def seeded_years() -> range:
    """The confirmed years and two more, estimated from fixed dates until the official notice is entered."""
    known = known_years()
    return range(known.start, known.stop + ESTIMATED_YEARS_AHEAD)


def is_estimated(year: int) -> bool:
    """True when the package only extrapolates the year from fixed dates (no official schedule)."""
    return year not in _confirmed_years()


def _exceptions_in(year: int) -> list[HolidayException]:
    china = holidays.country_holidays("CN", years=year, language=LANGUAGE)
    confirmed = not is_estimated(year)
    make_up_for = _make_up_workdays()
    exceptions = []
    day = date(year, 1, 1)
    while day.year == year:
        is_weekend = day.weekday() >= 5
        is_working = china.is_working_day(day)
        if not is_weekend and not is_working:
            exceptions.append(HolidayException(day, HOLIDAY, china.get(day) or "", confirmed))
        elif is_weekend and is_working:
            exceptions.append(HolidayException(day, WORKDAY, _workday_name(make_up_for.get(day)), confirmed))
        day += timedelta(days=1)
    return exceptions


def _workday_name(day_off: date | None) -> str:
    if day_off is None:
        return MAKE_UP_WORKDAY_NAME
    # Mirrors the package's own label for the day off, "休息日（由 2026-02-14 调休）".
    return f"{MAKE_UP_WORKDAY_NAME}（调至 {day_off.isoformat()} 休息）"


@cache
def _confirmed_years() -> frozenset[int]:
    return frozenset(year for year, swaps in _swap_table().items() if any(len(entry) >= 4 for entry in _entries(swaps)))


@cache
def _make_up_workdays() -> dict[date, date]:
    """Each make-up working day, mapped to the day off it pays for."""
    make_up_for = {}
    for year, swaps in _swap_table().items():
        for swap in _entries(swaps):
            if len(swap) < 4:  # (month, day, name): an extra day off with nothing to make up
                continue
            month, day, from_month, from_day, *from_year = swap
            make_up_for[date(from_year[0] if from_year else year, from_month, from_day)] = date(year, month, day)
    return make_up_for


def _swap_table() -> dict[int, object]:
    return dict(holidays.country_holidays("CN").special_public_holidays)


def _entries(swaps: object) -> tuple[tuple, ...]:
    # The package writes a year with a single entry as that entry alone, not as a 1-tuple.
    if isinstance(swaps, tuple) and swaps and not isinstance(swaps[0], tuple):
        return (swaps,)
    return swaps  # type: ignore[return-value]
