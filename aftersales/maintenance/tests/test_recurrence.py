"""When a plan's inspections fall: exact dates, and every rule against a day-by-day reference."""

import calendar
import datetime as dt
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from aftersales.maintenance.recurrence import occurrences, rule_errors

MONDAY, FRIDAY = 0, 4


def rule(
    recurrence, *, weekday=None, day_of_month=None, week_of_month=None, starts_on=dt.date(2000, 1, 1), ends_on=None
):
    return SimpleNamespace(
        recurrence=recurrence,
        weekday=weekday,
        day_of_month=day_of_month,
        week_of_month=week_of_month,
        starts_on=starts_on,
        ends_on=ends_on,
    )


YEAR_2026 = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_the_first_monday_of_each_month_of_2026():
    dates = occurrences(rule("monthly_weekday", weekday=MONDAY, week_of_month=1), *YEAR_2026)
    assert [day.isoformat() for day in dates] == [
        "2026-01-05",
        "2026-02-02",
        "2026-03-02",
        "2026-04-06",
        "2026-05-04",
        "2026-06-01",
        "2026-07-06",
        "2026-08-03",
        "2026-09-07",
        "2026-10-05",
        "2026-11-02",
        "2026-12-07",
    ]


def test_the_31st_falls_on_the_last_day_of_shorter_months():
    dates = occurrences(rule("monthly_day", day_of_month=31), dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert dates == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
        dt.date(2026, 5, 31),
        dt.date(2026, 6, 30),
    ]
    leap = occurrences(rule("monthly_day", day_of_month=30), dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert leap == [dt.date(2028, 2, 29)]


def test_the_last_friday_of_each_month():
    dates = occurrences(
        rule("monthly_weekday", weekday=FRIDAY, week_of_month=-1), dt.date(2026, 1, 1), dt.date(2026, 4, 30)
    )
    assert dates == [dt.date(2026, 1, 30), dt.date(2026, 2, 27), dt.date(2026, 3, 27), dt.date(2026, 4, 24)]


def test_a_fifth_weekday_a_month_does_not_have_is_skipped():
    # In 2026 only January, May, July and October have five Fridays.
    dates = occurrences(rule("monthly_weekday", weekday=FRIDAY, week_of_month=5), *YEAR_2026)
    assert dates == [dt.date(2026, 1, 30), dt.date(2026, 5, 29), dt.date(2026, 7, 31), dt.date(2026, 10, 30)]


def test_quarterly_on_a_day_of_the_quarters_first_month():
    dates = occurrences(rule("quarterly", day_of_month=10), *YEAR_2026)
    assert dates == [dt.date(2026, 1, 10), dt.date(2026, 4, 10), dt.date(2026, 7, 10), dt.date(2026, 10, 10)]


def test_weekly_on_wednesdays_within_the_plans_own_dates():
    plan = rule("weekly", weekday=2, starts_on=dt.date(2026, 3, 5), ends_on=dt.date(2026, 3, 25))
    assert occurrences(plan, dt.date(2026, 3, 1), dt.date(2026, 12, 31)) == [
        dt.date(2026, 3, 11),
        dt.date(2026, 3, 18),
        dt.date(2026, 3, 25),
    ]
    assert len(occurrences(rule("weekly", weekday=MONDAY), *YEAR_2026)) == 52


def test_an_incomplete_rule_has_no_dates_and_says_what_is_missing():
    assert occurrences(rule("monthly_weekday", weekday=MONDAY), *YEAR_2026) == []
    assert rule_errors(rule("monthly_weekday", weekday=MONDAY)).keys() == {"week_of_month"}
    assert rule_errors(rule("monthly_weekday", week_of_month=0)).keys() == {"weekday", "week_of_month"}
    assert rule_errors(rule("weekly")).keys() == {"weekday"}
    assert rule_errors(rule("quarterly", day_of_month=32)).keys() == {"day_of_month"}
    assert rule_errors(rule("monthly_day")).keys() == {"day_of_month"}
    assert rule_errors(rule("yearly")).keys() == {"recurrence"}
    ended_early = rule("weekly", weekday=1, starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 4, 1))
    assert rule_errors(ended_early).keys() == {"ends_on"}
    assert rule_errors(rule("monthly_weekday", weekday=6, week_of_month=-1)) == {}


def reference(plan, start: dt.date, end: dt.date) -> list[dt.date]:
    """Day by day, straight from the definitions."""
    dates = []
    day = max(start, plan.starts_on)
    last = min(end, plan.ends_on) if plan.ends_on else end
    while day <= last:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        if plan.recurrence == "weekly":
            hit = day.weekday() == plan.weekday
        elif plan.recurrence in ("monthly_day", "quarterly"):
            hit = day.day == min(plan.day_of_month, days_in_month)
            hit = hit and (plan.recurrence == "monthly_day" or day.month in (1, 4, 7, 10))
        else:
            same_weekdays = [
                other
                for other in range(1, days_in_month + 1)
                if dt.date(day.year, day.month, other).weekday() == plan.weekday
            ]
            position = plan.week_of_month - 1 if plan.week_of_month > 0 else -1
            hit = position < len(same_weekdays) and same_weekdays[position] == day.day
        if hit:
            dates.append(day)
        day += dt.timedelta(days=1)
    return dates


dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))
rules = st.one_of(
    st.builds(lambda weekday: rule("weekly", weekday=weekday), st.integers(0, 6)),
    st.builds(lambda day: rule("monthly_day", day_of_month=day), st.integers(1, 31)),
    st.builds(lambda day: rule("quarterly", day_of_month=day), st.integers(1, 31)),
    st.builds(
        lambda weekday, week: rule("monthly_weekday", weekday=weekday, week_of_month=week),
        st.integers(0, 6),
        st.sampled_from([1, 2, 3, 4, 5, -1]),
    ),
)


@given(rules, dates, st.one_of(st.none(), dates), dates, st.integers(0, 500))
def test_every_rule_matches_the_day_by_day_reference(plan, starts_on, ends_on, start, length):
    plan.starts_on, plan.ends_on = starts_on, ends_on
    end = start + dt.timedelta(days=length)
    assert occurrences(plan, start, end) == reference(plan, start, end)
