"""Business-time arithmetic, checked against a minute-stepping reference of the definition.

No database: these are plain functions over aware datetimes.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.sla.calendar import Calendar, add_business_time, business_time_between
from aftersales.sla.holidays import HOLIDAY, china_exceptions

SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_MINUTE = timedelta(minutes=1)
WINDOW_MINUTES = 8 * 1440  # how far the reference steps: affordable, and past several days off

# Zones with every kind of change: none, a DST gap and fold at 02:00, a 30-minute shift, a
# 45-minute offset, changes at midnight, and (until 2010) a fold that straddles midnight.
ZONES = [
    "Asia/Shanghai",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Santiago",
    "America/St_Johns",
    "UTC",
]

OFFICE_DAY = ((510, 720), (810, 1050))  # 08:30-12:00, 13:30-17:30
OFFICE_WEEK = (OFFICE_DAY,) * 5 + ((), ())


# --- The reference: the definition, one minute at a time -------------------------------------


def is_business_minute(calendar: Calendar, minute_start: datetime) -> bool:
    """Whether the minute starting at `minute_start` is business time, by the definition.

    Exact for the zones and years tested here, whose offsets and changes fall on whole minutes.
    """
    local = minute_start.astimezone(calendar.zone)
    intervals = calendar.exceptions.get(local.date(), calendar.week[local.weekday()])
    minute_of_day = local.hour * 60 + local.minute
    return any(start <= minute_of_day < end for start, end in intervals)


def business_minutes(calendar: Calendar, start: datetime) -> list[int]:
    """Offsets (in minutes from `start`) of the business minutes in the reference window."""
    return [index for index in range(WINDOW_MINUTES) if is_business_minute(calendar, start + index * ONE_MINUTE)]


def reference_add(calendar: Calendar, start: datetime, whole_minutes: int, remainder: timedelta) -> datetime:
    """`start` plus `whole_minutes` business minutes and a sub-minute `remainder`, stepping minutes."""
    offsets = business_minutes(calendar, start)
    if remainder:
        return start + offsets[whole_minutes] * ONE_MINUTE + remainder
    if whole_minutes == 0:
        return start
    return start + (offsets[whole_minutes - 1] + 1) * ONE_MINUTE


def reference_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    total = timedelta(0)
    minute = start
    while minute < end:
        if is_business_minute(calendar, minute):
            total += min(minute + ONE_MINUTE, end) - minute
        minute += ONE_MINUTE
    return total


# --- Random calendars --------------------------------------------------------------------------

# Boundaries near the small hours (where clocks change) and the day's ends are the interesting ones.
boundaries = st.one_of(
    st.integers(0, 1440),
    st.sampled_from([0, 1, 29, 30, 59, 60, 61, 90, 120, 121, 150, 180, 181, 1380, 1410, 1439, 1440]),
)


@st.composite
def day_intervals(draw):
    """Sorted, non-overlapping intervals; neighbours may touch; often empty; 1440 ends included."""
    points = sorted(draw(st.lists(boundaries, max_size=6)))
    pairs = zip(points[::2], points[1::2], strict=False)
    return tuple((start, end) for start, end in pairs if start < end)


@st.composite
def scenarios(draw):
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    week = tuple(draw(day_intervals()) for _ in range(7))
    # Half the starts fall in the months when clocks change, so the window often holds a change.
    any_day = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 12, 31))
    change_season = st.builds(
        datetime,
        st.integers(2000, 2030),
        st.sampled_from([3, 4, 9, 10, 11]),
        st.integers(1, 28),
        st.integers(0, 23),
        st.integers(0, 59),
    )
    start = draw(st.one_of(any_day, change_season)).replace(second=0, microsecond=0, tzinfo=UTC)
    first_day = start.astimezone(zone).date()
    # Days off and extra working days around the window, the day before the start included.
    exception_days = draw(st.dictionaries(st.integers(-1, 9), day_intervals(), max_size=5))
    exceptions = {first_day + timedelta(days=offset): intervals for offset, intervals in exception_days.items()}
    return Calendar(zone=zone, week=week, exceptions=exceptions), start


sub_minute = st.integers(0, 59_999_999).map(lambda microseconds: timedelta(microseconds=microseconds))


# --- Properties ---------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_add_business_time_matches_the_reference(scenario, data):
    calendar, start = scenario
    offsets = business_minutes(calendar, start)
    if not offsets:
        check_no_working_time_in_window(calendar, start)
        return
    whole_minutes = data.draw(st.integers(0, len(offsets) - 1), label="whole_minutes")
    remainder = data.draw(sub_minute, label="remainder")

    result = add_business_time(calendar, start, whole_minutes * ONE_MINUTE + remainder)

    assert result == reference_add(calendar, start, whole_minutes, remainder)
    assert result.tzinfo is UTC


def check_no_working_time_in_window(calendar, start):
    if not any(calendar.week):
        with pytest.raises(ValueError, match="no working time"):
            add_business_time(calendar, start, ONE_MINUTE)
    else:
        assert add_business_time(calendar, start, ONE_MINUTE) > start + WINDOW_MINUTES * ONE_MINUTE


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_business_time_between_matches_the_reference(scenario, data):
    calendar, start = scenario
    end = start + data.draw(st.integers(-1440, 3 * 1440), label="minutes") * ONE_MINUTE + data.draw(sub_minute)

    assert business_time_between(calendar, start, end) == reference_between(calendar, start, end)


@settings(max_examples=200, deadline=None)
@given(
    scenario=scenarios(),
    start_shift=sub_minute,
    duration=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
)
def test_between_undoes_add(scenario, start_shift, duration):
    calendar, start = scenario
    start += start_shift
    if not any(calendar.week) and not calendar.exceptions:
        return  # no working time at all: add raises, tested elsewhere
    try:
        end = add_business_time(calendar, start, duration)
    except ValueError:
        assert not any(calendar.week)  # only exceptions had working time, and too little
        return

    assert business_time_between(calendar, start, end) == duration


# --- Examples ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (timedelta(minutes=30), datetime(2026, 10, 2, 0, 20, tzinfo=SHANGHAI)),
        (timedelta(hours=2), datetime(2026, 10, 2, 1, 50, tzinfo=SHANGHAI)),
        (timedelta(hours=4), datetime(2026, 10, 2, 3, 50, tzinfo=SHANGHAI)),
    ],
)
def test_always_counts_every_minute_across_midnight_and_holidays(duration, expected):
    start = datetime(2026, 10, 1, 23, 50, tzinfo=SHANGHAI)  # National Day

    result = add_business_time(Calendar.always(), start, duration)

    assert result == expected
    assert result.tzinfo is UTC


def office_calendar_2026() -> Calendar:
    exceptions = {
        exception.day: () if exception.kind == HOLIDAY else OFFICE_DAY for exception in china_exceptions([2026])
    }
    return Calendar(week=OFFICE_WEEK, exceptions=exceptions)


def test_spring_festival_2026_is_read_from_the_holiday_data():
    calendar = office_calendar_2026()

    assert calendar.exceptions[date(2026, 2, 14)] == OFFICE_DAY  # Saturday worked before the festival
    assert calendar.exceptions[date(2026, 2, 28)] == OFFICE_DAY  # and the Saturday after
    assert [day.day for day in calendar.exceptions if day.month == 2 and not calendar.exceptions[day]] == [
        16,
        17,
        18,
        19,
        20,
        23,
    ]


def test_friday_fault_before_spring_festival_lands_on_the_make_up_saturday():
    # Friday 13 Feb 2026 is the last working Friday before the festival; Saturday 14 Feb is worked.
    start = datetime(2026, 2, 13, 16, 30, tzinfo=SHANGHAI)

    result = add_business_time(office_calendar_2026(), start, timedelta(hours=8))

    # 1 h on Friday, then 3.5 h in the morning and 3.5 h of the afternoon on Saturday.
    assert result == datetime(2026, 2, 14, 17, 0, tzinfo=SHANGHAI)


def test_saturday_fault_before_spring_festival_lands_after_the_holiday():
    start = datetime(2026, 2, 14, 16, 30, tzinfo=SHANGHAI)

    result = add_business_time(office_calendar_2026(), start, timedelta(hours=8))

    # 1 h on Saturday; 16-23 Feb are off (the 21st and 22nd a weekend); 7 h on Tuesday 24 Feb.
    assert result == datetime(2026, 2, 24, 17, 0, tzinfo=SHANGHAI)
    assert business_time_between(office_calendar_2026(), start, result) == timedelta(hours=8)


def test_without_holidays_the_same_fault_lands_on_monday():
    start = datetime(2026, 2, 13, 16, 30, tzinfo=SHANGHAI)

    result = add_business_time(Calendar(week=OFFICE_WEEK), start, timedelta(hours=8))

    assert result == datetime(2026, 2, 16, 17, 0, tzinfo=SHANGHAI)


def test_work_completing_at_an_interval_end_returns_that_end():
    start = datetime(2026, 3, 2, 11, 0, tzinfo=SHANGHAI)  # a Monday

    result = add_business_time(Calendar(week=OFFICE_WEEK), start, timedelta(hours=1))

    assert result == datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)


def test_a_start_in_the_lunch_break_waits_for_the_afternoon():
    start = datetime(2026, 3, 2, 12, 45, tzinfo=SHANGHAI)

    result = add_business_time(Calendar(week=OFFICE_WEEK), start, timedelta(microseconds=1))

    assert result == datetime(2026, 3, 2, 13, 30, 0, 1, tzinfo=SHANGHAI)


def test_non_positive_durations_return_the_start():
    start = datetime(2026, 3, 7, 12, 45, tzinfo=SHANGHAI)  # a Saturday: no working time

    assert add_business_time(Calendar(week=OFFICE_WEEK), start, timedelta(0)) == start
    assert add_business_time(Calendar(week=OFFICE_WEEK), start, timedelta(hours=-1)) == start


def test_between_is_zero_when_end_is_not_after_start():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)

    assert business_time_between(Calendar.always(), start, start) == timedelta(0)
    assert business_time_between(Calendar.always(), start, start - timedelta(hours=1)) == timedelta(0)


def test_a_dst_gap_removes_the_local_hours_that_do_not_exist():
    new_york = ZoneInfo("America/New_York")
    calendar = Calendar(zone=new_york, week=((),) * 6 + (((120, 180), (180, 240)),))  # Sundays 02:00-04:00
    sunday = datetime(2026, 3, 8, tzinfo=new_york)  # clocks go from 02:00 to 03:00

    assert business_time_between(calendar, sunday, sunday + timedelta(days=1)) == timedelta(hours=1)
    assert add_business_time(calendar, sunday, timedelta(minutes=30)) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_a_dst_fold_counts_the_repeated_local_hour_twice():
    new_york = ZoneInfo("America/New_York")
    calendar = Calendar(zone=new_york, week=((),) * 6 + (((60, 120),),))  # Sundays 01:00-02:00
    sunday = datetime(2026, 11, 1, tzinfo=new_york)  # clocks go from 02:00 back to 01:00

    assert business_time_between(calendar, sunday, sunday + timedelta(days=1)) == timedelta(hours=2)
    # The first hour ends at 06:00 UTC, where the repeated hour begins.
    assert add_business_time(calendar, sunday, timedelta(hours=1)) == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    assert add_business_time(calendar, sunday, timedelta(minutes=90)) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_lord_howe_repeats_half_an_hour():
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    calendar = Calendar(zone=lord_howe, week=((),) * 6 + (((90, 120),),))  # Sundays 01:30-02:00
    sunday = datetime(2026, 4, 5, tzinfo=lord_howe)  # clocks go from 02:00 back to 01:30

    assert business_time_between(calendar, sunday, sunday + timedelta(days=1)) == timedelta(hours=1)


def test_a_fold_across_midnight_interleaves_two_dates():
    # St John's, 30 Oct 2005: at 00:01 on Sunday clocks went back to 23:01 on Saturday, so one
    # Sunday minute (00:00-00:01, at -02:30) lies between two stretches of Saturday.
    st_johns = ZoneInfo("America/St_Johns")
    calendar = Calendar(zone=st_johns, week=((),) * 5 + (((0, 1440),), ((0, 30),)))
    saturday = datetime(2005, 10, 29, tzinfo=st_johns)

    # Saturday 24 h + 59 min, Sunday 1 + 30 min, all one unbroken stretch of 25.5 h.
    assert business_time_between(calendar, saturday, saturday + timedelta(days=3)) == timedelta(hours=25, minutes=30)
    # After 24 h of Saturday comes the Sunday minute, then Saturday again.
    assert add_business_time(calendar, saturday, timedelta(hours=24, minutes=1)) == datetime(
        2005, 10, 30, 2, 31, tzinfo=UTC
    )
    assert add_business_time(calendar, saturday, timedelta(hours=25, minutes=30)) == datetime(
        2005, 10, 30, 4, 0, tzinfo=UTC
    )


def test_a_start_on_the_sunday_minute_still_counts_the_saturday_after_it():
    st_johns = ZoneInfo("America/St_Johns")
    calendar = Calendar(zone=st_johns, week=((),) * 5 + (((0, 1440),), ((0, 30),)))
    start = datetime(2005, 10, 30, 2, 30, 30, tzinfo=UTC)  # Sunday 00:00:30 at -02:30

    # 30 s of Sunday, the 59 repeated minutes of Saturday, then Sunday 00:00-00:30 again.
    assert business_time_between(calendar, start, start + timedelta(days=1)) == timedelta(
        hours=1, minutes=29, seconds=30
    )
    assert add_business_time(calendar, start, timedelta(minutes=1)) == datetime(2005, 10, 30, 2, 31, 30, tzinfo=UTC)


class CountingZone(ZoneInfo):
    """Asia/Shanghai, counting the UTC-to-local conversions the engine asks for."""

    conversions = 0

    def fromutc(self, moment):
        CountingZone.conversions += 1
        return super().fromutc(moment)


def test_a_year_of_days_off_is_jumped_not_stepped():
    zone = CountingZone("Asia/Shanghai")
    year_off = {date(2026, 1, 1) + timedelta(days=offset): () for offset in range(365)}
    calendar = Calendar(zone=zone, week=(((540, 1020),),) * 5 + ((), ()), exceptions=year_off)
    start = datetime(2026, 1, 1, 9, 0, tzinfo=SHANGHAI)
    CountingZone.conversions = 0

    result = add_business_time(calendar, start, 30 * timedelta(hours=8))

    # The 30th working day of 2027 is Thursday 11 February.
    assert result == datetime(2027, 2, 11, 17, 0, tzinfo=SHANGHAI)
    # Two look-ups per working day walked, and none for the 365 days off.
    assert CountingZone.conversions < 100


# --- Validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("week", "message"),
    [
        (((),) * 6, "7 days"),
        (((((600, 700), (650, 800)),) + ((),) * 6), "overlap"),
        (((((600, 700), (500, 550)),) + ((),) * 6), "sorted"),
        (((((600, 600),),) + ((),) * 6), "start < end"),
        (((((600, 1441),),) + ((),) * 6), "start < end"),
        (((((-1, 60),),) + ((),) * 6), "start < end"),
        (((((60,),),) + ((),) * 6), "pair"),
    ],
)
def test_invalid_weeks_are_refused(week, message):
    with pytest.raises(ValueError, match=message):
        Calendar(week=week)


def test_an_invalid_exception_names_its_date():
    with pytest.raises(ValueError, match=r"2026-02-17.*overlap"):
        Calendar(exceptions={date(2026, 2, 17): ((600, 700), (650, 800))})


def test_exception_keys_must_be_dates():
    with pytest.raises(ValueError, match="dates"):
        Calendar(exceptions={datetime(2026, 2, 17, tzinfo=SHANGHAI): ()})


def test_touching_intervals_are_allowed():
    calendar = Calendar(week=(((0, 720), (720, 1440)),) * 7)

    start = datetime(2026, 3, 2, 11, 0, tzinfo=SHANGHAI)
    assert add_business_time(calendar, start, timedelta(hours=2)) == datetime(2026, 3, 2, 13, 0, tzinfo=SHANGHAI)


def test_naive_datetimes_are_refused():
    naive = datetime(2026, 3, 2, 9, 0)
    aware = naive.replace(tzinfo=SHANGHAI)

    with pytest.raises(ValueError, match="aware"):
        add_business_time(Calendar.always(), naive, timedelta(hours=1))
    with pytest.raises(ValueError, match="aware"):
        business_time_between(Calendar.always(), naive, aware)
    with pytest.raises(ValueError, match="aware"):
        business_time_between(Calendar.always(), aware, naive)


def test_a_calendar_without_working_time_is_refused_when_adding():
    empty = Calendar(week=((),) * 7)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)

    with pytest.raises(ValueError, match="no working time"):
        add_business_time(empty, start, timedelta(minutes=1))
    assert business_time_between(empty, start, start + timedelta(days=3650)) == timedelta(0)


def test_working_time_only_in_exceptions_runs_out():
    extra_day = Calendar(week=((),) * 7, exceptions={date(2026, 3, 7): ((540, 600),)})
    start = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)

    assert add_business_time(extra_day, start, timedelta(minutes=60)) == datetime(2026, 3, 7, 10, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValueError, match="no working time"):
        add_business_time(extra_day, start, timedelta(minutes=61))


def test_the_calendar_keeps_its_own_copy_of_the_exceptions():
    exceptions = {date(2026, 3, 2): ()}
    calendar = Calendar(week=OFFICE_WEEK, exceptions=exceptions)
    exceptions[date(2026, 3, 3)] = ()

    assert list(calendar.exceptions) == [date(2026, 3, 2)]
