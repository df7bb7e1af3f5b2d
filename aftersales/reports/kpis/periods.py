"""The periods KPIs are read over: a day, an ISO week, a month, a quarter, a year, or a range of dates.

A period is a pair of local dates (both included); its bounds in time are the midnights of the installation's
zone, as the SLA compliance report reads them.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from aftersales.tickets.sla_report import period_bounds


class PeriodKind(models.TextChoices):
    # The context the service reports' periods use too, so each word is translated once.
    DAY = "day", pgettext_lazy("report period", "Day")
    WEEK = "week", pgettext_lazy("report period", "Week")
    MONTH = "month", pgettext_lazy("report period", "Month")
    QUARTER = "quarter", pgettext_lazy("report period", "Quarter")
    YEAR = "year", pgettext_lazy("report period", "Year")
    RANGE = "range", pgettext_lazy("report period", "Chosen dates")


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        """The day, week (Monday to Sunday), month, quarter or year that `day` falls in."""
        if kind == PeriodKind.DAY:
            return cls(kind, day, day)
        if kind == PeriodKind.WEEK:
            monday = day - dt.timedelta(days=day.weekday())
            return cls(kind, monday, monday + dt.timedelta(days=6))
        if kind == PeriodKind.MONTH:
            first = day.replace(day=1)
            return cls(kind, first, _months_after(first, 1) - dt.timedelta(days=1))
        if kind == PeriodKind.QUARTER:
            first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
            return cls(kind, first, _months_after(first, 3) - dt.timedelta(days=1))
        if kind == PeriodKind.YEAR:
            return cls(kind, day.replace(month=1, day=1), day.replace(month=12, day=31))
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
    def label(self) -> str:
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
            return _("Q%(quarter)d %(year)d") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        return _("%(start)s to %(end)s") % {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def slug(self) -> str:
        """For file names: the dates only, so they sort and never need quoting."""
        return self.start.isoformat() if self.start == self.end else f"{self.start.isoformat()}_{self.end.isoformat()}"


def _months_after(first: dt.date, months: int) -> dt.date:
    index = first.month - 1 + months
    return first.replace(year=first.year + index // 12, month=index % 12 + 1)


def months_back(last: dt.date, count: int) -> list[dt.date]:
    """The first days of `count` months ending with the month of `last`, oldest first."""
    first = last.replace(day=1)
    return [_months_after(first, -offset) for offset in range(count - 1, -1, -1)]
