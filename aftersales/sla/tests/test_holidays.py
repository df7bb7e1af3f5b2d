"""China's holidays from the `holidays` package, cross-checked day by day with `chinese_calendar`.

No database: both are plain libraries.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest

from aftersales.sla.holidays import HOLIDAY, WORKDAY, HolidayException, china_exceptions, is_estimated, known_years

# Dates where the two libraries disagree, with what the official notice says (True = worked).
OFFICIAL_WHERE_LIBRARIES_DISAGREE = {
    # 国办发明电〔2005〕35号 (the 2006 schedule): "12月31日（星期六）上班" for New Year 2006.
    # `holidays` has it; chinese_calendar 1.11.0 marks the Saturday a rest day (its issue #125).
    date(2005, 12, 31): True,
}


def years_both_libraries_know() -> list[int]:
    years = []
    for year in known_years():
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            continue
        years.append(year)
    return years


def is_working_day(day: date, exceptions: dict[date, HolidayException]) -> bool:
    """A Monday-to-Friday week with `exceptions` laid over it."""
    exception = exceptions.get(day)
    if exception is None:
        return day.weekday() < 5
    return exception.kind == WORKDAY


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=offset) for offset in range((date(year + 1, 1, 1) - first).days)]


def test_the_libraries_overlap_on_twenty_years_and_more():
    assert years_both_libraries_know()[0] <= 2004
    assert years_both_libraries_know()[-1] >= 2026
    assert len(years_both_libraries_know()) >= 23


@pytest.mark.parametrize("year", years_both_libraries_know())
def test_every_day_matches_chinese_calendar(year):
    exceptions = {exception.day: exception for exception in china_exceptions([year])}

    ours = {day: is_working_day(day, exceptions) for day in days_of(year)}

    theirs = {
        day: OFFICIAL_WHERE_LIBRARIES_DISAGREE.get(day, chinese_calendar.is_workday(day)) for day in days_of(year)
    }
    assert [day for day in ours if ours[day] != theirs[day]] == []


def test_the_listed_disagreements_are_still_disagreements():
    # If chinese_calendar corrects one, drop it from the list so the cross-check is exact again.
    for day, worked in OFFICIAL_WHERE_LIBRARIES_DISAGREE.items():
        assert chinese_calendar.is_workday(day) is not worked


def test_2026_make_up_workdays_and_holidays():
    exceptions = {exception.day: exception for exception in china_exceptions([2026])}

    workdays = sorted(day for day, exception in exceptions.items() if exception.kind == WORKDAY)
    assert workdays == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert exceptions[date(2026, 2, 14)] == HolidayException(
        date(2026, 2, 14), WORKDAY, "调休上班（调至 2026-02-20 休息）", True
    )
    assert exceptions[date(2026, 2, 17)] == HolidayException(date(2026, 2, 17), HOLIDAY, "春节", True)


def test_ordinary_weekends_are_not_exceptions_even_when_a_holiday_falls_on_them():
    exceptions = {exception.day: exception for exception in china_exceptions([2026])}

    assert date(2026, 10, 3) not in exceptions  # National Day on a Saturday: an ordinary weekend day off
    assert date(2026, 10, 5) in exceptions  # and the Monday given in lieu
    assert all(exception.day.weekday() < 5 for exception in exceptions.values() if exception.kind == HOLIDAY)
    assert all(exception.day.weekday() >= 5 for exception in exceptions.values() if exception.kind == WORKDAY)


def test_a_make_up_saturday_from_next_years_notice_belongs_to_its_own_year():
    exceptions_2005 = {exception.day: exception for exception in china_exceptions([2005])}

    assert exceptions_2005[date(2005, 12, 31)].kind == WORKDAY
    assert exceptions_2005[date(2005, 12, 31)].name == "调休上班（调至 2006-01-03 休息）"


def test_known_years_are_the_years_with_an_official_schedule():
    assert known_years() == range(2001, 2027)
    assert not is_estimated(2001)
    assert not is_estimated(2026)
    assert is_estimated(2000)
    assert is_estimated(2027)


def test_estimated_years_are_flagged_and_have_no_make_up_workdays():
    exceptions_2027 = china_exceptions([2027])

    assert exceptions_2027
    assert not any(exception.confirmed for exception in exceptions_2027)
    assert not any(exception.kind == WORKDAY for exception in exceptions_2027)
    assert all(exception.confirmed for exception in china_exceptions([2026]))


def test_several_years_come_back_in_date_order_once_each():
    exceptions = china_exceptions([2026, 2025, 2026])

    days = [exception.day for exception in exceptions]
    assert days == sorted(set(days))
    assert {day.year for day in days} == {2025, 2026}
