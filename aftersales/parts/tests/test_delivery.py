"""Due dates of part requests and the rungs of their ladder: pure arithmetic, around China's 2026 National Day.

2026: 1-7 October are days off (1, 2, 5, 6, 7 are weekdays off), Sunday 20 September and Saturday 10 October are
make-up working days.
"""

import datetime as dt
import zoneinfo

import pytest

from aftersales.parts.delivery import due_at, next_rung_at, promise_calendar, rung_at, rungs_reached
from aftersales.sla.holidays import china_exceptions

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
EXCEPTIONS = {exception.day: exception.kind for exception in china_exceptions([2026])}


def beijing(month, day, hour=0, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


def test_calendar_days_keep_the_time_of_day_and_ignore_holidays():
    assert due_at(beijing(9, 30, 10), 7, business_days=False) == beijing(10, 7, 10)
    assert due_at(beijing(9, 30, 10), 21, business_days=False, exceptions=EXCEPTIONS) == beijing(10, 21, 10)


def test_working_days_skip_the_national_day_holiday_and_count_the_make_up_saturday():
    # 30 September (Wednesday) + 7 working days: 8, 9, 10 (make-up Saturday), 12, 13, 14, 15 October
    assert due_at(beijing(9, 30, 10), 7, business_days=True, exceptions=EXCEPTIONS) == beijing(10, 15, 10)
    # without the make-up Saturday it would be the 16th; without any exceptions, 9 October
    without_make_up = {day: kind for day, kind in EXCEPTIONS.items() if kind == "holiday"}
    assert due_at(beijing(9, 30, 10), 7, business_days=True, exceptions=without_make_up) == beijing(10, 16, 10)
    assert due_at(beijing(9, 30, 10), 7, business_days=True) == beijing(10, 9, 10)


def test_the_make_up_sunday_before_the_holiday_is_a_working_day():
    # Friday 18 September + 2 working days: Sunday the 20th is worked, so Monday the 21st (not Tuesday)
    assert due_at(beijing(9, 18, 9), 2, business_days=True, exceptions=EXCEPTIONS) == beijing(9, 21, 9)


def test_a_request_on_a_day_off_counts_from_the_next_working_day_and_is_due_at_its_end():
    # Saturday 3 October, in the holiday: 8, 9 and 10 October; due at the end of the 10th
    assert due_at(beijing(10, 3, 15), 3, business_days=True, exceptions=EXCEPTIONS) == beijing(10, 11, 0)


def test_a_negative_promise_is_refused():
    with pytest.raises(ValueError):
        due_at(beijing(9, 30), -1, business_days=False)


def test_rungs_at_50_80_100_then_every_50_percent():
    requested, due = beijing(10, 12, 10), beijing(10, 22, 10)  # 10 calendar days
    assert rungs_reached(requested, due, beijing(10, 17, 9, 59)) == []
    assert rungs_reached(requested, due, beijing(10, 17, 10)) == [(50, beijing(10, 17, 10))]
    assert [percent for percent, _at in rungs_reached(requested, due, beijing(11, 1, 10))] == [50, 80, 100, 150, 200]
    assert rung_at(requested, due, 80) == beijing(10, 20, 10)
    assert next_rung_at(requested, due, beijing(10, 12, 10)) == beijing(10, 17, 10)
    assert next_rung_at(requested, due, beijing(10, 17, 10)) == beijing(10, 20, 10)
    assert next_rung_at(requested, due, beijing(10, 22, 10)) == beijing(10, 27, 10)


def test_rungs_of_a_working_day_promise_count_working_time():
    requested = beijing(9, 30, 10)
    due = due_at(requested, 7, business_days=True, exceptions=EXCEPTIONS)
    calendar = promise_calendar(business_days=True, exceptions=EXCEPTIONS)
    # half of 7 working days is 84 h: 14 h on 30 September, 24 h on each of 8 and 9 October, 22 h on the 10th
    assert rung_at(requested, due, 50, calendar=calendar) == beijing(10, 10, 22)
    assert rung_at(requested, due, 100, calendar=calendar) == due
    assert next_rung_at(requested, due, beijing(10, 1), calendar=calendar) == beijing(10, 10, 22)


def test_a_promise_without_time_is_refused():
    with pytest.raises(ValueError):
        rungs_reached(beijing(10, 1), beijing(10, 1), beijing(10, 2))
