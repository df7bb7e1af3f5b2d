"""KPI figures on a week of known work, the same on SQLite and PostgreSQL, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.reports.choices import PeriodKind
from aftersales.reports.kpis.durations import percentile
from aftersales.reports.kpis.figures import kpi_table
from aftersales.reports.periods import Period
from aftersales.reports.tests import test_kpis_fixtures
from aftersales.reports.tests.test_kpis_fixtures import READ_AT, WEEK_END, WEEK_START, october
from aftersales.sla.choices import Clock

pytestmark = pytest.mark.django_db

week = test_kpis_fixtures.week
THE_WEEK = Period(PeriodKind.WEEK, WEEK_START, WEEK_END)


def minutes(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def clocks(row) -> dict[str, tuple[int, int, int]]:
    return {clock: (tally.met, tally.breached, tally.running) for clock, tally in row.clocks.items()}


def times(row) -> dict[str, tuple]:
    return {name: (spread.mean, spread.p90) for name, spread in row.times.items()}


def quality(row) -> tuple:
    return (row.satisfaction, row.satisfaction_answers, row.complaints, row.qc_score, row.qc_reviews, row.labour_hours)


def by_name(rows) -> dict:
    return {row.name: row for row in rows}


@pytest.fixture
def table(week):
    return kpi_table(user=week["manager"], period=THE_WEEK, now=READ_AT)


def test_each_engineer_has_a_row_and_the_idle_one_shows_nothing_done(table):
    assert [(row.name, row.handled) for row in table.engineers] == [("张伟", 3), ("李娜", 2), ("王强", 0)]
    idle = table.engineers[2]
    assert (idle.first_time_fix_rate, idle.reopen_rate, idle.satisfaction, idle.qc_score) == (None, None, None, None)
    assert (idle.complaints, idle.labour_hours, idle.clocks) == (0, Decimal(0), {})


def test_zhang_weis_week(table):
    zhang = by_name(table.engineers)["张伟"]

    assert (zhang.handled, zhang.first_time_fixes, zhang.reopened) == (3, 2, 1)
    assert (zhang.first_time_fix_rate, zhang.reopen_rate) == (66.7, 33.3)
    assert clocks(zhang) == {
        Clock.RESPONSE: (2, 1, 0),
        Clock.ARRIVAL: (1, 0, 0),
        Clock.RESOLUTION: (1, 2, 0),
        Clock.EMERGENCY_PLAN: (1, 2, 0),
        Clock.ESCALATION: (1, 0, 0),
    }
    assert [zhang.clock(clock).percent_met for clock in table.clocks] == [66.7, 100.0, 33.3, 33.3, 100.0]
    assert zhang.all_clocks.percent_met == 54.5  # 6 of 11
    # Responses 10, 40 and 10 minutes; resolutions 110 minutes, 29 h (reopened) and 64 h (over a weekend).
    assert times(zhang) == {
        "response": (minutes(20), minutes(34)),
        "arrival": (minutes(60), minutes(60)),
        "resolution": (minutes(5690 / 3), minutes(3420)),
    }
    assert quality(zhang) == (3.5, 2, 0, 90.0, 1, Decimal("2.5"))


def test_li_nas_week_with_a_second_visit_and_a_complaint(table):
    li = by_name(table.engineers)["李娜"]

    assert (li.handled, li.first_time_fixes, li.reopened) == (2, 1, 0)
    assert (li.first_time_fix_rate, li.reopen_rate) == (50.0, 0.0)
    assert clocks(li) == {
        Clock.RESPONSE: (2, 0, 0),
        Clock.ARRIVAL: (1, 0, 0),
        Clock.RESOLUTION: (1, 1, 0),
        Clock.EMERGENCY_PLAN: (1, 1, 0),
        Clock.ESCALATION: (0, 1, 0),
    }
    assert times(li) == {
        "response": (minutes(12.5), minutes(18.5)),
        "arrival": (minutes(90), minutes(90)),
        "resolution": (minutes(300), minutes(348)),
    }
    # The follow-up of t4 was answered after the week; its 1 does not count.
    assert quality(li) == (4.0, 1, 1, 70.0, 1, Decimal("3.5"))


def test_teams_are_credited_by_the_tickets_team_and_the_complaint_through_its_member(table):
    east, west = table.teams

    assert (east.name, east.handled, east.first_time_fixes, east.reopened) == ("华东二线组", 4, 2, 1)
    assert clocks(east) == {
        Clock.RESPONSE: (3, 1, 0),
        Clock.ARRIVAL: (2, 0, 0),
        Clock.RESOLUTION: (1, 3, 0),
        Clock.EMERGENCY_PLAN: (1, 3, 0),
        Clock.ESCALATION: (1, 1, 0),
    }
    assert times(east)["arrival"] == (minutes(75), minutes(87))
    assert quality(east) == (3.67, 3, 1, 80.0, 2, Decimal("6.0"))
    # 李娜's P2 ticket went to the west team, whose own engineer did nothing.
    assert (west.name, west.handled, west.first_time_fixes, clocks(west)) == (
        "华西二线组",
        1,
        1,
        {Clock.RESPONSE: (1, 0, 0), Clock.RESOLUTION: (1, 0, 0), Clock.EMERGENCY_PLAN: (1, 0, 0)},
    )
    assert quality(west) == (None, 0, 0, None, 0, Decimal(0))


def test_the_total(table):
    total = table.total

    assert (total.handled, total.first_time_fixes, total.reopened) == (5, 3, 1)
    assert clocks(total) == {
        Clock.RESPONSE: (4, 1, 0),
        Clock.ARRIVAL: (2, 0, 0),
        Clock.RESOLUTION: (2, 3, 0),
        Clock.EMERGENCY_PLAN: (2, 3, 0),
        Clock.ESCALATION: (1, 1, 0),
    }
    assert times(total) == {
        "response": (minutes(17), minutes(32)),
        "arrival": (minutes(75), minutes(87)),
        "resolution": (minutes(1258), minutes(3000)),
    }
    assert quality(total) == (3.67, 3, 1, 80.0, 2, Decimal("6.0"))
    assert table.clocks == [Clock.RESPONSE, Clock.ARRIVAL, Clock.RESOLUTION, Clock.EMERGENCY_PLAN, Clock.ESCALATION]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's")
def test_the_database_and_python_percentiles_agree(week):
    in_database = kpi_table(user=week["manager"], period=THE_WEEK, now=READ_AT, percentiles_in_database=True)
    in_python = kpi_table(user=week["manager"], period=THE_WEEK, now=READ_AT, percentiles_in_database=False)

    assert [times(row) for row in in_database.rows] == [times(row) for row in in_python.rows]
    assert times(in_database.total)["resolution"][1] == minutes(3000)


def test_the_python_percentile_interpolates_as_percentile_cont():
    assert percentile([]) is None
    assert percentile([minutes(7)]) == minutes(7)
    assert percentile([minutes(10), minutes(40), minutes(10)]) == minutes(34)
    assert percentile([minutes(value) for value in range(1, 11)]) == minutes(9.1)
    assert percentile([minutes(5), minutes(20)], 0.5) == minutes(12.5)


def test_the_week_bounds_are_local_midnights(week):
    """t5 was resolved at 08:00 on Monday; t6 at 00:30 on the Monday after (16:30 UTC on Sunday)."""
    before = kpi_table(user=week["manager"], period=Period.containing(PeriodKind.DAY, dt.date(2026, 10, 19)))
    sunday = kpi_table(user=week["manager"], period=Period.containing(PeriodKind.DAY, WEEK_END))

    assert by_name(before.engineers)["张伟"].handled == 1
    assert by_name(sunday.engineers)["张伟"].handled == 0
    # Its 4 hours were logged at 00:20 on the 19th.
    assert by_name(before.engineers)["张伟"].labour_hours == Decimal(4)


def test_an_engineers_own_table_has_their_row_only_with_the_same_figures(week, table):
    own = kpi_table(user=week["li"], period=THE_WEEK, engineer=week["li"], now=READ_AT)

    assert [row.name for row in own.rows] == ["李娜"]
    assert (own.teams, own.total) == ([], None)
    li = by_name(table.engineers)["李娜"]
    mine = own.engineers[0]
    assert (clocks(mine), times(mine), quality(mine)) == (clocks(li), times(li), quality(li))
    assert (mine.handled, mine.first_time_fixes, mine.reopened) == (2, 1, 0)


def test_the_kpis_take_the_same_number_of_queries_for_3_and_10_engineers(week):
    with CaptureQueriesContext(connection) as three:
        kpi_table(user=week["manager"], period=THE_WEEK, now=READ_AT)
    desk = week["desk"]
    for index in range(7):
        engineer = UserFactory(role=Role.ENGINEER, username=f"extra{index}")
        ticket = desk.received(october(16, 9, index))
        ticket = desk.assigned(ticket, engineer, week["west"], october(16, 9, 10 + index))
        ticket = desk.accepted(ticket, october(16, 9, 20 + index))
        desk.resolved(ticket, october(16, 10, index))
    week["clock"].set(READ_AT)

    with CaptureQueriesContext(connection) as ten:
        table = kpi_table(user=week["manager"], period=THE_WEEK, now=READ_AT)

    assert len([row for row in table.engineers if row.handled]) == 9
    assert len(table.engineers) == 10
    # The policy book (8), tickets and their events (2), three aggregates (engineers, teams, total), follow-ups,
    # reviews, work log, complaints, the complaints' people's teams, people and teams.
    assert len(ten.captured_queries) == len(three.captured_queries) == 20
