"""Who is on duty: the roster decides whom the SLA ladders mean by duty manager and duty engineer."""

import datetime as dt
import zoneinfo

import pytest

from aftersales.accounts.models import DutyShift
from aftersales.accounts.roles import Role
from aftersales.accounts.selectors import on_duty
from aftersales.accounts.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 30)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


@pytest.fixture
def roster():
    people = {
        name: UserFactory(role=Role.MANAGER if "manager" in name else Role.ENGINEER)
        for name in ("day_manager", "day_engineer", "night_manager", "night_engineer", "team_engineer")
    }
    team = TeamFactory()
    DutyShift.objects.create(
        weekday=0,
        start=dt.time(8, 30),
        end=dt.time(17, 30),
        duty_manager=people["day_manager"],
        duty_engineer=people["day_engineer"],
    )
    DutyShift.objects.create(
        weekday=0,
        start=dt.time(17, 30),
        end=dt.time(8, 30),
        duty_manager=people["night_manager"],
        duty_engineer=people["night_engineer"],
    )
    DutyShift.objects.create(
        weekday=0, start=dt.time(8, 30), end=dt.time(17, 30), team=team, duty_engineer=people["team_engineer"]
    )
    return people, team


def test_the_day_shift_covers_the_day_and_the_night_shift_runs_into_the_next_morning(roster):
    people, _team = roster

    assert on_duty(at(MONDAY, 9)).manager == people["day_manager"]
    assert on_duty(at(MONDAY, 17, 30)).engineer == people["night_engineer"]
    assert on_duty(at(MONDAY + dt.timedelta(days=1), 8, 29)).manager == people["night_manager"]
    assert on_duty(at(MONDAY + dt.timedelta(days=1), 8, 30)).manager is None  # Tuesday has no shift


def test_a_teams_own_shift_wins_and_the_organisations_fills_what_it_leaves_empty(roster):
    people, team = roster

    duty = on_duty(at(MONDAY, 10), team_id=team.pk)

    assert duty.engineer == people["team_engineer"]
    assert duty.manager == people["day_manager"]
