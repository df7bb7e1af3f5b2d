"""The clocks replayed from happenings: pure, no database."""

import datetime as dt
from zoneinfo import ZoneInfo

from aftersales.sla.calendar import Calendar
from aftersales.sla.choices import Clock, ClockStatus
from aftersales.sla.clocks import Happening, Happens, Target, compute_clocks

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALWAYS = Calendar.always()
OFFICE = Calendar(
    week=(((510, 720), (810, 1050)),) * 5 + ((), ()),  # Mon–Fri 08:30–12:00, 13:30–17:30
)


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def minutes(count: float) -> dt.timedelta:
    return dt.timedelta(minutes=count)


def target(clock, duration, calendar=ALWAYS, pauses=(), percents=(50, 80, 100, 150)):
    return Target(clock, minutes(duration), calendar, frozenset(pauses), tuple(percents))


def by_clock(states):
    return {state.clock: state for state in states}


OPENED = [Happening(at(1, 23, 50), Happens.OPENED), Happening(at(1, 23, 50), Happens.STATUS, "new")]
P1 = [target(Clock.RESPONSE, 30), target(Clock.ARRIVAL, 120), target(Clock.RESOLUTION, 240)]


def test_a_catastrophic_fault_at_2350_on_1_october_is_due_at_0020_0150_and_0350():
    states = by_clock(compute_clocks(OPENED, P1, now=at(1, 23, 55)))

    assert states[Clock.RESPONSE].due_at == at(2, 0, 20)
    assert states[Clock.ARRIVAL].due_at == at(2, 1, 50)
    assert states[Clock.RESOLUTION].due_at == at(2, 3, 50)
    assert {state.status for state in states.values()} == {ClockStatus.RUNNING}
    assert states[Clock.RESPONSE].used == minutes(5)
    assert states[Clock.RESPONSE].left == minutes(25)


def test_each_rung_is_reached_at_its_share_of_the_target_and_the_next_one_is_known():
    states = by_clock(compute_clocks(OPENED, P1, now=at(2, 0, 20)))
    response = states[Clock.RESPONSE]

    assert [(level.percent, level.at, level.crossed) for level in response.levels] == [
        (50, at(2, 0, 5), True),
        (80, at(2, 0, 14), True),
        (100, at(2, 0, 20), True),
        (150, at(2, 0, 35), False),
    ]
    assert response.status == ClockStatus.BREACHED
    assert response.breached_at == at(2, 0, 20)
    assert response.next_level_at == at(2, 0, 35)
    assert states[Clock.RESOLUTION].next_level_at == at(2, 1, 50)  # 50% of 4 h


def test_acknowledging_in_time_meets_the_response_clock_and_nothing_more_is_due():
    happenings = [*OPENED, Happening(at(2, 0, 10), Happens.ACKNOWLEDGED)]

    response = by_clock(compute_clocks(happenings, P1, now=at(2, 5)))[Clock.RESPONSE]

    assert response.status == ClockStatus.MET
    assert response.used == minutes(20)
    assert response.stopped_at == at(2, 0, 10)
    assert response.next_level_at is None
    assert [moment.what for moment in response.timeline] == ["started", "level", "met"]


def test_a_late_acknowledgement_leaves_the_clock_breached():
    happenings = [*OPENED, Happening(at(2, 0, 40), Happens.ACKNOWLEDGED)]

    response = by_clock(compute_clocks(happenings, P1, now=at(2, 5)))[Clock.RESPONSE]

    assert response.status == ClockStatus.BREACHED
    assert response.breached_at == at(2, 0, 20)
    assert response.stopped_at == at(2, 0, 40)


def test_pending_customer_pauses_resolution_but_never_response_and_nothing_counted_is_lost():
    targets = [target(Clock.RESPONSE, 30), target(Clock.RESOLUTION, 240, pauses={"pending_customer"})]
    happenings = [
        *OPENED,
        Happening(at(2, 0, 0), Happens.STATUS, "pending_customer"),
        Happening(at(2, 2, 0), Happens.STATUS, "in_progress"),
    ]

    paused = by_clock(compute_clocks(happenings, targets, now=at(2, 1, 0)))
    resumed = by_clock(compute_clocks(happenings, targets, now=at(2, 3, 0)))

    assert paused[Clock.RESOLUTION].status == ClockStatus.PAUSED
    assert paused[Clock.RESOLUTION].used == minutes(10)
    assert paused[Clock.RESOLUTION].due_at is None
    assert paused[Clock.RESPONSE].used == minutes(70)  # response never pauses
    assert resumed[Clock.RESOLUTION].status == ClockStatus.RUNNING
    assert resumed[Clock.RESOLUTION].used == minutes(70)
    assert resumed[Clock.RESOLUTION].due_at == at(2, 5, 50)  # 4 h + the 2 h paused
    assert [moment.what for moment in resumed[Clock.RESOLUTION].timeline] == ["started", "paused", "resumed"]


def test_a_priority_change_half_way_keeps_the_time_used_and_moves_the_due_time():
    now = at(2, 1, 50)  # two hours in
    before = by_clock(compute_clocks(OPENED, [target(Clock.RESOLUTION, 480)], now=now))[Clock.RESOLUTION]
    after = by_clock(compute_clocks(OPENED, [target(Clock.RESOLUTION, 240)], now=now))[Clock.RESOLUTION]

    assert before.used == after.used == minutes(120)
    assert before.due_at == at(2, 7, 50)
    assert after.due_at == at(2, 3, 50)


def test_reopening_resumes_resolution_from_what_it_had_used():
    happenings = [
        *OPENED,
        Happening(at(2, 1, 0), Happens.RESOLVED),
        Happening(at(3, 9, 0), Happens.REOPENED),
    ]

    resolution = by_clock(compute_clocks(happenings, P1, now=at(3, 10, 0)))[Clock.RESOLUTION]

    assert resolution.status == ClockStatus.RUNNING
    assert resolution.used == minutes(70 + 60)
    assert resolution.due_at == at(3, 10, 0) + minutes(240 - 130)


def test_resolving_stops_an_arrival_nobody_needed_any_more_without_a_breach():
    happenings = [*OPENED, Happening(at(2, 0, 30), Happens.RESOLVED)]

    states = by_clock(compute_clocks(happenings, P1, now=at(2, 6)))

    assert states[Clock.ARRIVAL].status == ClockStatus.STOPPED
    assert states[Clock.RESOLUTION].status == ClockStatus.MET
    assert states[Clock.RESPONSE].status == ClockStatus.BREACHED  # resolved, but 10 min past the 30


def test_the_escalation_clock_starts_when_the_engineer_arrives():
    targets = [target(Clock.ESCALATION, 60, percents=(100,))]
    happenings = [*OPENED, Happening(at(2, 1, 0), Happens.ARRIVED)]

    before = by_clock(compute_clocks(happenings, targets, now=at(2, 0, 30)))[Clock.ESCALATION]
    after = by_clock(compute_clocks(happenings, targets, now=at(2, 2, 30)))[Clock.ESCALATION]

    assert before.status == ClockStatus.PENDING
    assert before.due_at is None
    assert after.status == ClockStatus.BREACHED
    assert after.breached_at == at(2, 2, 0)


def test_handing_over_to_the_expert_pool_in_time_meets_the_escalation_clock():
    targets = [target(Clock.ESCALATION, 60, percents=(100,)), target(Clock.RESOLUTION, 240, percents=(100,))]
    happenings = [*OPENED, Happening(at(2, 1, 0), Happens.ARRIVED), Happening(at(2, 1, 40), Happens.ESCALATED)]

    states = by_clock(compute_clocks(happenings, targets, now=at(2, 3)))

    assert states[Clock.ESCALATION].status == ClockStatus.MET
    assert states[Clock.ESCALATION].stopped_at == at(2, 1, 40)
    assert states[Clock.RESOLUTION].status == ClockStatus.RUNNING


def test_an_ended_ticket_stops_every_clock_and_later_happenings_are_ignored_until_now():
    happenings = [*OPENED, Happening(at(2, 0, 10), Happens.ENDED), Happening(at(2, 9), Happens.REOPENED)]

    states = compute_clocks(happenings, P1, now=at(2, 1))

    assert {state.status for state in states} == {ClockStatus.STOPPED}
    assert all(state.stopped_at == at(2, 0, 10) for state in states)


def test_business_hours_skip_the_night_and_the_weekend():
    friday_afternoon = at(9, 16, 30)  # Friday 9 October 2026
    happenings = [Happening(friday_afternoon, Happens.OPENED)]

    resolution = compute_clocks(happenings, [target(Clock.RESOLUTION, 240, OFFICE)], now=friday_afternoon)[0]

    # 1 h on Friday, then Monday 08:30–11:30.
    assert resolution.due_at == at(12, 11, 30)


def test_the_same_happenings_always_give_the_same_states():
    happenings = [*OPENED, Happening(at(2, 0, 10), Happens.ACKNOWLEDGED), Happening(at(2, 2), Happens.RESOLVED)]

    first = compute_clocks(happenings, P1, now=at(3, 0))
    second = compute_clocks(list(reversed(happenings)), P1, now=at(3, 0))

    assert first == second
