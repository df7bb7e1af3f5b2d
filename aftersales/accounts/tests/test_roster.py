"""The duty roster (值班表): exceptions replace the weekly shifts of their scope, standby engineers, and the week's
gaps and overlaps."""

import datetime as dt
import zoneinfo

import pytest

from aftersales.accounts.models import DutyException, DutyShift
from aftersales.accounts.roles import Role
from aftersales.accounts.selectors import (
    DatedException,
    Gap,
    OnDuty,
    Replaced,
    WeeklyShift,
    build_roster_week,
    on_duty,
    roster_week,
)
from aftersales.accounts.tests.factories import TeamFactory, UserFactory

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 30)
TUESDAY = MONDAY + dt.timedelta(days=1)
SUNDAY = MONDAY + dt.timedelta(days=6)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)
TEAM = 7


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


def shift(shift_id, weekday, start, end, manager=None, engineer=None, standby=(), team_id=None) -> WeeklyShift:
    return WeeklyShift(shift_id, team_id, weekday, dt.time(*start), dt.time(*end), manager, engineer, tuple(standby))


def exception(exception_id, day, start, end, manager=None, engineer=None, team_id=None) -> DatedException:
    return DatedException(exception_id, team_id, day, dt.time(*start), dt.time(*end), manager, engineer, "调休")


def week(shifts, exceptions=(), team_id=None):
    return build_roster_week(week_start=MONDAY, shifts=shifts, exceptions=exceptions, team_id=team_id, zone=BEIJING)


# Who is on duty now: read from the database.


@pytest.fixture
def people():
    return {
        name: UserFactory(username=name, role=Role.MANAGER if "manager" in name else Role.ENGINEER)
        for name in (
            "day_manager",
            "day_engineer",
            "night_manager",
            "night_engineer",
            "swap_manager",
            "swap_engineer",
            "team_engineer",
            "team_swap_engineer",
            "standby_a",
            "standby_b",
        )
    }


@pytest.fixture
def weekly(people):
    """Monday: a day shift with two standby engineers and a night shift into Tuesday morning, for everyone."""
    day = DutyShift.objects.create(
        weekday=0,
        start=dt.time(8, 30),
        end=dt.time(17, 30),
        duty_manager=people["day_manager"],
        duty_engineer=people["day_engineer"],
    )
    day.standby_engineers.set([people["standby_b"], people["standby_a"]])
    DutyShift.objects.create(
        weekday=0,
        start=dt.time(17, 30),
        end=dt.time(8, 30),
        duty_manager=people["night_manager"],
        duty_engineer=people["night_engineer"],
    )


@pytest.mark.django_db
def test_an_organisation_exception_replaces_the_weekly_shift_only_while_it_runs(people, weekly):
    DutyException.objects.create(
        day=MONDAY,
        start=dt.time(12),
        end=dt.time(14),
        duty_manager=people["swap_manager"],
        duty_engineer=people["swap_engineer"],
        reason="调休",
    )

    assert on_duty(at(MONDAY, 11, 59)) == OnDuty(
        people["day_manager"], people["day_engineer"], (people["standby_a"], people["standby_b"])
    )
    assert on_duty(at(MONDAY, 12)) == OnDuty(people["swap_manager"], people["swap_engineer"], ())
    assert on_duty(at(MONDAY, 13, 59)) == OnDuty(people["swap_manager"], people["swap_engineer"], ())
    assert on_duty(at(MONDAY, 14)) == OnDuty(
        people["day_manager"], people["day_engineer"], (people["standby_a"], people["standby_b"])
    )


@pytest.mark.django_db
def test_an_exception_that_crosses_midnight_holds_until_the_next_morning(people, weekly):
    DutyException.objects.create(
        day=MONDAY, start=dt.time(22), end=dt.time(6), duty_engineer=people["swap_engineer"], reason="病假"
    )

    assert on_duty(at(MONDAY, 21, 59)) == OnDuty(people["night_manager"], people["night_engineer"])
    # The exception names no manager: while it runs, the organisation has none.
    assert on_duty(at(MONDAY, 22)) == OnDuty(None, people["swap_engineer"])
    assert on_duty(at(TUESDAY, 5, 59)) == OnDuty(None, people["swap_engineer"])
    assert on_duty(at(TUESDAY, 6)) == OnDuty(people["night_manager"], people["night_engineer"])
    assert on_duty(at(TUESDAY, 8, 30)) == OnDuty()


@pytest.mark.django_db
def test_a_teams_exception_replaces_the_teams_shift_and_the_organisation_still_fills_in(people, weekly):
    team, other_team = TeamFactory(), TeamFactory()
    team_shift = DutyShift.objects.create(
        team=team, weekday=0, start=dt.time(8, 30), end=dt.time(17, 30), duty_engineer=people["team_engineer"]
    )
    DutyException.objects.create(
        team=team,
        day=MONDAY,
        start=dt.time(9),
        end=dt.time(10),
        duty_engineer=people["team_swap_engineer"],
        reason="外出培训",
    )
    DutyException.objects.create(
        team=other_team, day=MONDAY, start=dt.time(0), end=dt.time(0), duty_engineer=people["swap_engineer"], reason="x"
    )

    standby = (people["standby_a"], people["standby_b"])
    assert on_duty(at(MONDAY, 8, 45), team.pk) == OnDuty(people["day_manager"], people["team_engineer"], standby)
    assert on_duty(at(MONDAY, 9, 30), team.pk) == OnDuty(people["day_manager"], people["team_swap_engineer"], standby)
    assert on_duty(at(MONDAY, 9, 30)) == OnDuty(people["day_manager"], people["day_engineer"], standby)
    # The team's own standby engineers come before the organisation's.
    team_shift.standby_engineers.set([people["night_engineer"]])
    assert on_duty(at(MONDAY, 8, 45), team.pk).standby == (people["night_engineer"],)


@pytest.mark.django_db
def test_an_organisation_exception_does_not_replace_a_teams_own_shift(people, weekly):
    team = TeamFactory()
    DutyShift.objects.create(
        team=team, weekday=0, start=dt.time(8, 30), end=dt.time(17, 30), duty_engineer=people["team_engineer"]
    )
    DutyException.objects.create(
        day=MONDAY,
        start=dt.time(8),
        end=dt.time(18),
        duty_manager=people["swap_manager"],
        duty_engineer=people["swap_engineer"],
        reason="国庆调休",
    )

    assert on_duty(at(MONDAY, 10), team.pk) == OnDuty(people["swap_manager"], people["team_engineer"])


@pytest.mark.django_db
def test_who_is_on_duty_takes_three_queries_however_many_shifts_and_exceptions(
    people, weekly, django_assert_num_queries
):
    team = TeamFactory()
    for weekday in range(7):
        DutyShift.objects.create(
            team=team, weekday=weekday, start=dt.time(0), end=dt.time(0), duty_engineer=people["team_engineer"]
        ).standby_engineers.set([people["standby_a"]])
    DutyException.objects.create(team=team, day=MONDAY, start=dt.time(9), end=dt.time(10), reason="x")
    DutyException.objects.create(day=MONDAY, start=dt.time(9), end=dt.time(10), reason="y")

    with django_assert_num_queries(3):
        on_duty(at(MONDAY, 9, 30), team.pk)


# The week's roster: pure, no database.

WEEKDAY_DAY = [shift(weekday + 1, weekday, (8, 30), (17, 30), "李经理", "王工") for weekday in range(5)]


def test_each_day_lists_what_starts_on_it_with_its_people():
    roster = week(
        [shift(1, 0, (8, 30), (17, 30), "李经理", "王工", ["赵工"]), shift(2, 0, (17, 30), (8, 30), "张经理", "刘工")],
        [exception(9, SUNDAY, (9,), (12,), "张经理", "刘工")],
    )

    assert [day.day for day in roster.days] == [MONDAY + dt.timedelta(days=offset) for offset in range(7)]
    monday = [(entry.slot.starts_at, entry.slot.ends_at, entry.slot.manager) for entry in roster.days[0].entries]
    assert monday == [
        (at(MONDAY, 8, 30), at(MONDAY, 17, 30), "李经理"),
        (at(MONDAY, 17, 30), at(TUESDAY, 8, 30), "张经理"),
    ]
    assert roster.days[0].entries[0].slot.standby == ("赵工",)
    assert [(entry.slot.exception_id, entry.slot.reason) for entry in roster.days[6].entries] == [(9, "调休")]
    assert [len(day.entries) for day in roster.days[1:6]] == [0, 0, 0, 0, 0]
    assert (roster.previous_week, roster.next_week) == (MONDAY - dt.timedelta(days=7), NEXT_MONDAY)


def test_gaps_are_the_exact_times_without_a_manager_or_an_engineer():
    roster = week([*WEEKDAY_DAY, shift(10, 0, (17, 30), (8, 30), "张经理", None)])

    assert roster.gaps[:4] == (
        Gap(at(MONDAY, 0), at(MONDAY, 8, 30), no_manager=True, no_engineer=True),
        Gap(at(MONDAY, 17, 30), at(TUESDAY, 8, 30), no_manager=False, no_engineer=True),
        Gap(at(TUESDAY, 17, 30), at(TUESDAY + dt.timedelta(days=1), 8, 30), no_manager=True, no_engineer=True),
        Gap(at(MONDAY + dt.timedelta(days=2), 17, 30), at(MONDAY + dt.timedelta(days=3), 8, 30), True, True),
    )
    assert roster.gaps[-1] == Gap(at(MONDAY + dt.timedelta(days=4), 17, 30), at(NEXT_MONDAY, 0), True, True)
    assert len(roster.gaps) == 6


def test_a_full_roster_has_no_gaps_and_last_sundays_night_shift_counts_for_monday_morning():
    roster = week(
        [shift(weekday + 1, weekday, (8,), (20,), "李经理", "王工") for weekday in range(7)]
        + [shift(weekday + 11, weekday, (20,), (8,), "张经理", "刘工") for weekday in range(7)]
    )

    assert roster.gaps == ()
    assert roster.overlaps == ()


def test_an_exception_fills_a_gap_and_an_empty_exception_opens_one():
    roster = week(
        WEEKDAY_DAY,
        [
            exception(1, MONDAY, (17, 30), (8, 30), "张经理", "刘工"),  # covers Monday night
            exception(2, TUESDAY, (12,), (13,), "李经理", None),  # lunch on Tuesday: no engineer
        ],
    )

    assert roster.gaps[:3] == (
        Gap(at(MONDAY, 0), at(MONDAY, 8, 30), True, True),
        Gap(at(TUESDAY, 12), at(TUESDAY, 13), no_manager=False, no_engineer=True),
        Gap(at(TUESDAY, 17, 30), at(TUESDAY + dt.timedelta(days=1), 8, 30), True, True),
    )
    tuesday = roster.days[1].entries
    assert [(entry.slot.shift_id, entry.slot.exception_id, entry.replaced) for entry in tuesday] == [
        (2, None, Replaced.PARTLY),
        (None, 2, Replaced.NOT),
    ]


def test_an_exception_over_a_whole_shift_replaces_it_fully():
    roster = week(WEEKDAY_DAY, [exception(1, MONDAY, (8,), (18,), "张经理", "刘工")])

    assert [entry.replaced for entry in roster.days[0].entries] == [Replaced.NOT, Replaced.FULLY]
    assert [entry.slot.exception_id for entry in roster.days[0].entries] == [1, None]


def test_overlaps_pair_shifts_of_the_same_scope_with_the_time_they_share():
    roster = week(
        [
            shift(1, 6, (22,), (6,), "张经理", "刘工"),  # Sunday night, also last Sunday's into this Monday
            shift(2, 0, (0,), (8,), "李经理", "王工"),
            shift(3, 2, (8,), (18,), "李经理", "王工"),
            shift(4, 2, (17,), (20,), "李经理", "赵工"),
            shift(5, 2, (8,), (12,), None, "孙工", team_id=TEAM),  # another scope: not an overlap
        ],
        [exception(1, MONDAY, (1,), (2,), "周经理", "吴工")],  # exceptions replace, they do not overlap
    )

    found = [
        (overlap.first.shift_id, overlap.second.shift_id, overlap.starts_at, overlap.ends_at)
        for overlap in roster.overlaps
    ]
    assert found == [
        (1, 2, at(MONDAY, 0), at(MONDAY, 6)),
        (3, 4, at(MONDAY + dt.timedelta(days=2), 17), at(MONDAY + dt.timedelta(days=2), 18)),
    ]


def test_a_teams_week_counts_the_organisations_shifts_and_checks_overlaps_within_each_scope():
    shifts = [
        shift(1, 0, (0,), (0,), "李经理", None),
        shift(2, 0, (8,), (12,), None, "孙工", team_id=TEAM),
        shift(3, 0, (10,), (14,), None, "钱工", team_id=TEAM),
        shift(4, 0, (12,), (20,), None, "王工"),
        shift(5, 0, (9,), (10,), "陈经理", "郑工", team_id=TEAM + 1),  # another team: not read
    ]

    roster = week(shifts, team_id=TEAM)

    assert roster.gaps == (
        Gap(at(MONDAY, 0), at(MONDAY, 8), no_manager=False, no_engineer=True),
        Gap(at(MONDAY, 20), at(TUESDAY, 0), no_manager=False, no_engineer=True),
        Gap(at(TUESDAY, 0), at(NEXT_MONDAY, 0), no_manager=True, no_engineer=True),
    )
    assert [(overlap.first.shift_id, overlap.second.shift_id) for overlap in roster.overlaps] == [(2, 3), (1, 4)]
    assert {entry.slot.shift_id for entry in roster.days[0].entries} == {1, 2, 3, 4}
    assert week(shifts).gaps[0] == Gap(at(MONDAY, 0), at(MONDAY, 12), no_manager=False, no_engineer=True)


# The week's roster: read from the database.


@pytest.mark.django_db
def test_the_week_is_read_in_three_queries_with_the_standby_engineers_and_the_weeks_exceptions(
    people, weekly, django_assert_num_queries
):
    DutyException.objects.create(day=SUNDAY, start=dt.time(9), end=dt.time(10), reason="in the week")
    DutyException.objects.create(day=NEXT_MONDAY, start=dt.time(9), end=dt.time(10), reason="next week")

    with django_assert_num_queries(3):
        roster = roster_week(None, MONDAY)

    assert roster.days[0].entries[0].slot.standby == (people["standby_a"], people["standby_b"])
    assert [entry.slot.reason for day in roster.days for entry in day.entries if entry.slot.is_exception] == [
        "in the week"
    ]
    assert roster.gaps[0] == Gap(at(MONDAY, 0), at(MONDAY, 8, 30), True, True)
