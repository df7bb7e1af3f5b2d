"""Report periods: a calendar month, quarter or year in the installation's zone, from its first to its last day."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from aftersales.reports.choices import PeriodKind

MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}
# Reports read no day before this one nor after the end of next year (`last_day_in_reach`): nothing was recorded
# before, nothing is planned later, and the arithmetic of far dates overflows (year 1 in UTC, year 10000).
FIRST_DAY = dt.date(2000, 1, 1)


def last_day_in_reach(today: dt.date) -> dt.date:
    return dt.date(today.year + 1, 12, 31)


def out_of_reach_message(today: dt.date) -> str:
    return _("Choose a day from %(first)s to %(last)s.") % {
        "first": FIRST_DAY.isoformat(),
        "last": last_day_in_reach(today).isoformat(),
    }


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # the last day, included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """The period in words in the active language: 2026-10, 2026 Q4, 2026."""
        if self.kind == PeriodKind.MONTH:
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)d Q%(quarter)d") % {"year": self.start.year, "quarter": (self.start.month - 1) // 3 + 1}
        return str(self.start.year)

    @property
    def chinese_label(self) -> str:
        """The period as the Chinese report writes it (the PDF is a Chinese document)."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年度"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_containing(kind: str, day: dt.date) -> Period:
    """The month, quarter or year that `day` falls in."""
    length = MONTHS[PeriodKind(kind)]
    first_month = (day.month - 1) // length * length + 1
    start = dt.date(day.year, first_month, 1)
    return Period(kind, start, _add_months(start, length) - dt.timedelta(days=1))


def period_starting(kind: str, start: dt.date) -> Period:
    """The period that begins on `start`; ValueError when no period of that kind begins that day."""
    period = period_containing(kind, start)
    if period.start != start:
        raise ValueError(f"No {kind} starts on {start}.")
    return period


def previous_period(kind: str, today: dt.date) -> Period:
    """The last whole period before the one `today` is in (on 1 April: the first quarter)."""
    return period_containing(kind, period_containing(kind, today).start - dt.timedelta(days=1))


def month_of(day: dt.date) -> Period:
    return period_containing(PeriodKind.MONTH, day)
