"""When a maintenance plan's inspections fall (pure: no database, no clock).

A rule is anything with a plan's recurrence fields: `recurrence`, `weekday` (Monday 0), `day_of_month`,
`week_of_month`, `starts_on` and `ends_on`. The dates are computed month by month or week by week, never by
stepping through every day.

- weekly: every week on `weekday`;
- monthly on a day: `day_of_month`; a day past the month's end falls on its last day (the 31st is 30 April);
- monthly on a weekday: the `week_of_month`-th `weekday` (1 to 5), or the last one (-1). A fifth weekday that
  a month does not have is skipped, not moved: "the fifth Friday" happens only in months with five Fridays;
- quarterly: `day_of_month` of January, April, July and October, clamped like the monthly day.

No date is before `starts_on` or after `ends_on`.
"""

import calendar
import datetime as dt

from django.utils.translation import gettext as _

from aftersales.maintenance.choices import Recurrence

QUARTER_MONTHS = (1, 4, 7, 10)
LAST = -1


def occurrences(plan_rule, start: dt.date, end: dt.date) -> list[dt.date]:
    """The rule's dates from `start` to `end`, both included, in order."""
    start = max(start, plan_rule.starts_on)
    if plan_rule.ends_on is not None:
        end = min(end, plan_rule.ends_on)
    if start > end or rule_errors(plan_rule):
        return []
    if plan_rule.recurrence == Recurrence.WEEKLY:
        return _weekly(plan_rule.weekday, start, end)
    if plan_rule.recurrence == Recurrence.MONTHLY_DAY:
        return _monthly(start, end, lambda year, month: _clamped(year, month, plan_rule.day_of_month))
    if plan_rule.recurrence == Recurrence.MONTHLY_WEEKDAY:
        return _monthly(
            start, end, lambda year, month: nth_weekday(year, month, plan_rule.weekday, plan_rule.week_of_month)
        )
    return _monthly(
        start,
        end,
        lambda year, month: _clamped(year, month, plan_rule.day_of_month) if month in QUARTER_MONTHS else None,
    )


def _weekly(weekday: int, start: dt.date, end: dt.date) -> list[dt.date]:
    first = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
    count = (end - first).days // 7 + 1 if first <= end else 0
    return [first + dt.timedelta(weeks=week) for week in range(count)]


def _monthly(start: dt.date, end: dt.date, day_in) -> list[dt.date]:
    """`day_in(year, month)` gives the month's date or None; keep those inside [start, end]."""
    dates = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        day = day_in(year, month)
        if day is not None and start <= day <= end:
            dates.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dates


def _clamped(year: int, month: int, day_of_month: int) -> dt.date:
    return dt.date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def nth_weekday(year: int, month: int, weekday: int, week_of_month: int) -> dt.date | None:
    """The n-th `weekday` of the month (n from 1), the last one for -1, None when the month has no n-th."""
    days_in_month = calendar.monthrange(year, month)[1]
    if week_of_month == LAST:
        last = dt.date(year, month, days_in_month)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    day = 1 + (weekday - first.weekday()) % 7 + 7 * (week_of_month - 1)
    return dt.date(year, month, day) if day <= days_in_month else None


def rule_errors(plan_rule) -> dict[str, list[str]]:
    """What the recurrence still needs, by field: empty when the rule can produce dates."""
    errors: dict[str, list[str]] = {}
    recurrence = plan_rule.recurrence
    if recurrence not in Recurrence.values:
        return {"recurrence": [_("Choose how often the inspections take place.")]}
    if recurrence in (Recurrence.WEEKLY, Recurrence.MONTHLY_WEEKDAY) and plan_rule.weekday not in range(7):
        errors["weekday"] = [_("Choose the weekday of the inspections.")]
    if recurrence in (Recurrence.MONTHLY_DAY, Recurrence.QUARTERLY) and plan_rule.day_of_month not in range(1, 32):
        errors["day_of_month"] = [_("Enter the day of the month, from 1 to 31.")]
    if recurrence == Recurrence.MONTHLY_WEEKDAY and plan_rule.week_of_month not in (1, 2, 3, 4, 5, LAST):
        errors["week_of_month"] = [_("Enter the week of the month: 1 to 5, or -1 for the last.")]
    if plan_rule.starts_on is None:
        errors["starts_on"] = [_("Enter the date of the first period.")]
    elif plan_rule.ends_on is not None and plan_rule.ends_on < plan_rule.starts_on:
        errors["ends_on"] = [_("The plan cannot end before it starts.")]
    return errors
