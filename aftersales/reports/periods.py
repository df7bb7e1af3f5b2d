"""The periods reports are read over: a day, an ISO week, a month, a quarter, a year, or a range of dates.

A period is a pair of local dates (both included); its bounds in time are the midnights of the installation's
zone, as the SLA compliance report reads them. Service reports cover a month, a quarter or a year
(`choices.REPORT_PERIOD_KINDS`); the KPI pages take any kind.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from aftersales.reports.choices import PeriodKind
from aftersales.tickets.sla_report import period_bounds

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

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        """The day, week (Monday to Sunday), month, quarter or year that `day` falls in."""
        if kind == PeriodKind.DAY:
            return cls(kind, day, day)
        if kind == PeriodKind.WEEK:
            monday = day - dt.timedelta(days=day.weekday())
            return cls(kind, monday, monday + dt.timedelta(days=6))
        if kind in MONTHS:
            length = MONTHS[PeriodKind(kind)]
            start = dt.date(day.year, (day.month - 1) // length * length + 1, 1)
            return cls(kind, start, _months_after(start, length) - dt.timedelta(days=1))
        raise ValueError(f"A {kind!r} period is not made from one day.")

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """From local midnight at the start to local midnight after the end."""
        return period_bounds(self.start, self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        if self.kind == PeriodKind.RANGE:
            return Period(self.kind, self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def following(self) -> "Period":
        if self.kind == PeriodKind.RANGE:
            return Period(self.kind, self.end + dt.timedelta(days=1), self.end + dt.timedelta(days=self.days))
        return Period.containing(self.kind, self.end + dt.timedelta(days=1))

    @property
    def query(self) -> dict[str, str]:
        """The query string that names this period on the KPI pages and downloads."""
        if self.kind == PeriodKind.RANGE:
            return {"period": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"period": self.kind, "date": self.start.isoformat()}

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        """The period in words in the active language: 2026-10-14, week 42 of 2026…, 2026-10, Q4 2026, 2026."""
        if self.kind == PeriodKind.DAY:
            return self.start.isoformat()
        if self.kind == PeriodKind.WEEK:
            year, week, _weekday = self.start.isocalendar()
            return _("Week %(week)d of %(year)d (%(start)s to %(end)s)") % {
                "week": week,
                "year": year,
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
            }
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(quarter)d %(year)d") % {"quarter": self.quarter, "year": self.start.year}
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        return _("%(start)s to %(end)s") % {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def chinese_label(self) -> str:
        """A service report's period as the Chinese report writes it (the PDF is a Chinese document)."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}年第{self.quarter}季度"
        return f"{self.start.year}年度"

    @property
    def slug(self) -> str:
        """For file names: the dates only, so they sort and never need quoting."""
        return self.start.isoformat() if self.start == self.end else f"{self.start.isoformat()}_{self.end.isoformat()}"


def _months_after(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_starting(kind: str, start: dt.date) -> Period:
    """The period that begins on `start`; ValueError when no period of that kind begins that day."""
    period = Period.containing(kind, start)
    if period.start != start:
        raise ValueError(f"No {kind} starts on {start}.")
    return period


def previous_period(kind: str, today: dt.date) -> Period:
    """The last whole period before the one `today` is in (on 1 April: the first quarter)."""
    return Period.containing(kind, today).previous()


def month_of(day: dt.date) -> Period:
    return Period.containing(PeriodKind.MONTH, day)


def months_back(last: dt.date, count: int) -> list[dt.date]:
    """The first days of `count` months ending with the month of `last`, oldest first."""
    first = last.replace(day=1)
    return [_months_after(first, -offset) for offset in range(count - 1, -1, -1)]
