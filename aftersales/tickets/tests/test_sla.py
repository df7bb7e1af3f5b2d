"""The SLA clocks on real tickets: intake, the sweep, escalations, the emergency plan, recomputation."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.accounts.models import DutyShift
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied
from aftersales.customers.tests.factories import ContactFactory
from aftersales.notifications.models import NotificationPreference, Outbox
from aftersales.sla.choices import Clock, ExceptionKind, ExceptionSource
from aftersales.sla.models import CalendarException, LadderStep
from aftersales.sla.signals import sla_rules_changed
from aftersales.tickets.choices import EventKind, Kind, Level, SlaHealth
from aftersales.tickets.models import SlaEscalation, Ticket, TicketEvent
from aftersales.tickets.services import (
    call_log,
    comment_add,
    escalation,
    escalation_acknowledge,
    sla_sweep,
    ticket_assign,
    ticket_record_arrival,
    ticket_transition,
    ticket_update,
)
from aftersales.tickets.tests.sla_helpers import BEIJING, FrozenClock, beijing, catastrophic_fault

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    engineer = UserFactory(role=Role.ENGINEER, email="wang@example.com", phone="+8613700000001")
    team = TeamFactory(lead=UserFactory(role=Role.ENGINEER, email="lead@example.com", phone="+8613700000002"))
    manager = UserFactory(role=Role.MANAGER, email="boss@example.com", phone="+8613700000003")
    expert = UserFactory(role=Role.EXPERT, email="expert@example.com", phone="+8613700000004")
    duty = UserFactory(role=Role.MANAGER, email="duty@example.com", phone="+8613700000005")
    for weekday in range(7):
        DutyShift.objects.create(weekday=weekday, start=dt.time(0), end=dt.time(0), duty_manager=duty)
    return {
        "agent": UserFactory(role=Role.AGENT),
        "engineer": engineer,
        "team": team,
        "manager": manager,
        "expert": expert,
        "duty": duty,
    }


def due_times(ticket) -> dict[str, dt.datetime]:
    return {row["clock"]: dt.datetime.fromisoformat(row["due_at"]) for row in ticket.sla_clocks if row["due_at"]}


def fired(ticket) -> list[tuple[str, int, dt.datetime]]:
    rows = SlaEscalation.objects.filter(ticket=ticket).order_by("reached_at", "clock", "percent")
    return [(row.clock, row.percent, timezone.localtime(row.fired_at, BEIJING)) for row in rows]


def test_a_catastrophic_fault_at_2350_on_1_october_fires_every_rung_at_its_minute(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"])
    ticket_assign(actor=staff["agent"], ticket=ticket, assignee=staff["engineer"], team=staff["team"], version=None)

    minute = clock.now
    while minute <= beijing(10, 2, 4, 0):
        sla_sweep(now=clock.set(minute))
        minute += dt.timedelta(minutes=1)

    ticket.refresh_from_db()
    due = due_times(ticket)
    assert due[Clock.RESPONSE] == beijing(10, 2, 0, 20)
    assert due[Clock.ARRIVAL] == beijing(10, 2, 1, 50)
    assert due[Clock.RESOLUTION] == beijing(10, 2, 3, 50)
    assert fired(ticket) == [
        (Clock.RESPONSE, 50, beijing(10, 2, 0, 5)),
        (Clock.RESPONSE, 80, beijing(10, 2, 0, 14)),
        (Clock.RESPONSE, 100, beijing(10, 2, 0, 20)),
        (Clock.RESPONSE, 150, beijing(10, 2, 0, 35)),
        (Clock.ARRIVAL, 50, beijing(10, 2, 0, 50)),
        (Clock.ARRIVAL, 80, beijing(10, 2, 1, 26)),
        (Clock.ARRIVAL, 100, beijing(10, 2, 1, 50)),
        (Clock.RESOLUTION, 50, beijing(10, 2, 1, 50)),
        (Clock.ARRIVAL, 150, beijing(10, 2, 2, 50)),
        (Clock.RESOLUTION, 80, beijing(10, 2, 3, 2)),
        (Clock.EMERGENCY_PLAN, 100, beijing(10, 2, 3, 50)),
        (Clock.RESOLUTION, 100, beijing(10, 2, 3, 50)),
    ]
    assert ticket.emergency_declared_at == beijing(10, 2, 3, 50)
    assert ticket.sla_health == SlaHealth.BREACHED
    emergency = TicketEvent.objects.get(ticket=ticket, kind=EventKind.EMERGENCY_DECLARED)
    assert emergency.data["task"] == "contingency_plan"
    told = set(
        Outbox.objects.filter(key__startswith=f"sla:{ticket.pk}:emergency_plan:100:").values_list("user", "channel")
    )
    assert told == {
        (user.pk, channel) for user in (staff["duty"], staff["expert"]) for channel in ("in_app", "sms", "email")
    }


def test_the_sweep_sends_each_rung_once_however_often_it_runs(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"])
    ticket_assign(actor=staff["agent"], ticket=ticket, assignee=staff["engineer"], version=None)

    first = sla_sweep(now=clock.set(beijing(10, 2, 0, 21)))
    again = sla_sweep(now=clock.now)
    Ticket.objects.filter(pk=ticket.pk).update(next_check_at=clock.now)  # as if a rule changed
    third = sla_sweep(now=clock.now)

    assert (first.escalations, again.escalations, third.escalations) == (3, 0, 0)
    assert again.tickets == 0
    keys = list(Outbox.objects.filter(key__startswith=f"sla:{ticket.pk}:response:").values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == first.messages > 0


def test_a_sweep_that_catches_up_late_fires_every_rung_it_missed_once(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)

    sla_sweep(now=clock.set(beijing(10, 2, 9, 0)))

    assert {(clock_name, percent) for clock_name, percent, _at in fired(ticket)} == {
        (Clock.RESPONSE, 50),
        (Clock.RESPONSE, 80),
        (Clock.RESPONSE, 100),
        (Clock.RESPONSE, 150),
        (Clock.RESOLUTION, 50),
        (Clock.RESOLUTION, 80),
        (Clock.RESOLUTION, 100),
        (Clock.RESOLUTION, 150),
        (Clock.EMERGENCY_PLAN, 100),
    }
    reached = SlaEscalation.objects.get(ticket=ticket, clock=Clock.RESPONSE, percent=100).reached_at
    assert reached == beijing(10, 2, 0, 20)


def test_a_general_fault_on_the_friday_before_spring_festival_skips_the_holiday_and_counts_the_make_up_saturday(
    monkeypatch, staff
):
    FrozenClock(monkeypatch, beijing(2, 13, 16, 30))
    ticket = catastrophic_fault(
        staff["agent"], kind=Kind.GENERAL_FAULT, urgency=Level.MEDIUM, impact=Level.MEDIUM, on_site=False
    )

    ticket.refresh_from_db()
    assert ticket.priority == 3
    due = due_times(ticket)
    # Business hours 08:30–12:00, 13:30–17:30: one hour on Friday, then Saturday 14 February is worked (调休).
    assert due[Clock.RESPONSE] == beijing(2, 14, 9, 30)
    # 3 working days: Fri 1 h + Sat 7.5 h, holiday 15–23 February, Tue 24th 7.5 h, Wed 25th 6.5 h.
    assert due[Clock.RESOLUTION] == beijing(2, 25, 16, 30)


def test_waiting_for_the_customer_pauses_resolution_and_nothing_counted_is_lost(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)
    ticket = ticket_assign(actor=staff["agent"], ticket=ticket, assignee=staff["engineer"], version=None)
    clock.set(beijing(10, 2, 0, 10))
    ticket = ticket_transition(actor=staff["engineer"], ticket=ticket, action="accept", version=ticket.version)
    clock.set(beijing(10, 2, 1, 0))
    ticket = ticket_transition(
        actor=staff["engineer"], ticket=ticket, action="pend_customer", note="等用户开机房门", version=ticket.version
    )
    clock.set(beijing(10, 2, 5, 0))
    ticket = ticket_transition(actor=staff["engineer"], ticket=ticket, action="resume", version=ticket.version)

    sla_sweep(now=clock.now)
    ticket.refresh_from_db()

    clocks = {row["clock"]: row for row in ticket.sla_clocks}
    assert clocks[Clock.RESPONSE]["status"] == "met"
    assert clocks[Clock.RESOLUTION]["status"] == "running"
    assert clocks[Clock.RESOLUTION]["used"] == 70 * 60
    assert dt.datetime.fromisoformat(clocks[Clock.RESOLUTION]["due_at"]) == beijing(10, 2, 7, 50)
    assert not SlaEscalation.objects.filter(ticket=ticket, clock=Clock.RESOLUTION, percent=100).exists()


def test_a_priority_change_half_way_moves_the_due_times_and_keeps_the_time_used(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], urgency=Level.MEDIUM, impact=Level.HIGH, on_site=False)
    assert ticket.priority == 2
    clock.set(beijing(10, 2, 1, 50))

    ticket = ticket_update(actor=staff["agent"], ticket=ticket, version=ticket.version, urgency=Level.HIGH)

    clocks = {row["clock"]: row for row in ticket.sla_clocks}
    assert ticket.priority == 1
    assert clocks[Clock.RESOLUTION]["used"] == 120 * 60
    assert clocks[Clock.RESOLUTION]["target"] == 240 * 60
    assert dt.datetime.fromisoformat(clocks[Clock.RESOLUTION]["due_at"]) == beijing(10, 2, 3, 50)


def test_a_holiday_entered_after_the_ticket_opened_recomputes_its_open_clocks(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(11, 13, 16, 30))  # a Friday
    ticket = catastrophic_fault(
        staff["agent"], kind=Kind.GENERAL_FAULT, urgency=Level.MEDIUM, impact=Level.MEDIUM, on_site=False
    )
    ticket.refresh_from_db()
    assert due_times(ticket)[Clock.RESPONSE] == beijing(11, 16, 9, 30)  # Monday

    CalendarException.objects.create(
        day=dt.date(2026, 11, 16), kind=ExceptionKind.HOLIDAY, name="公司假日", source=ExceptionSource.ADMIN
    )
    sla_rules_changed.send(sender=CalendarException)
    sla_sweep(now=clock.set(beijing(11, 13, 16, 31)))

    ticket.refresh_from_db()
    assert due_times(ticket)[Clock.RESPONSE] == beijing(11, 17, 9, 30)


def test_acknowledging_an_escalation_stops_the_rest_of_that_ladder(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)
    ticket_assign(actor=staff["agent"], ticket=ticket, assignee=staff["engineer"], version=None)
    sla_sweep(now=clock.set(beijing(10, 2, 0, 6)))
    warning = SlaEscalation.objects.get(ticket=ticket, clock=Clock.RESPONSE, percent=50)

    escalation_acknowledge(actor=staff["engineer"], escalation_id=warning.pk)
    sla_sweep(now=clock.set(beijing(10, 2, 0, 40)))

    later = SlaEscalation.objects.filter(ticket=ticket, clock=Clock.RESPONSE, percent__gt=50)
    assert [(row.percent, row.notified) for row in later] == [(80, False), (100, False), (150, False)]
    assert not Outbox.objects.filter(key__startswith=f"sla:{ticket.pk}:response:100:").exists()
    sla_sweep(now=clock.set(beijing(10, 2, 1, 51)))  # the other clocks' ladders go on
    assert Outbox.objects.filter(key__startswith=f"sla:{ticket.pk}:resolution:50:").exists()
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ESCALATION_ACKNOWLEDGED).count() == 1
    with pytest.raises(InvalidTransition):
        escalation_acknowledge(actor=staff["engineer"], escalation_id=warning.pk)


def test_customers_cannot_acknowledge_or_even_find_an_escalation(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)
    sla_sweep(now=clock.set(beijing(10, 2, 0, 6)))
    warning = SlaEscalation.objects.get(ticket=ticket, clock=Clock.RESPONSE, percent=50)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)

    with pytest.raises(PermissionDenied):
        escalation_acknowledge(actor=customer_user, escalation_id=warning.pk)
    with pytest.raises(NotFound):
        escalation_acknowledge(actor=staff["engineer"], escalation_id=warning.pk + 1000)
    warning.refresh_from_db()
    assert warning.acknowledged_at is None


@pytest.mark.parametrize("respond", ["accept", "public_reply", "call"])
def test_each_kind_of_first_acknowledgement_meets_the_response_clock(monkeypatch, staff, respond):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)
    ticket = ticket_assign(actor=staff["agent"], ticket=ticket, assignee=staff["engineer"], version=None)
    clock.set(beijing(10, 2, 0, 10))

    if respond == "accept":
        ticket_transition(actor=staff["engineer"], ticket=ticket, action="accept", version=None)
    elif respond == "public_reply":
        comment_add(actor=staff["engineer"], ticket=ticket, body="已收到，工程师正在处理。")
    else:
        call_log(actor=staff["agent"], ticket=ticket, note="回电确认故障范围")

    ticket.refresh_from_db()
    response = next(row for row in ticket.sla_clocks if row["clock"] == Clock.RESPONSE)
    assert response["status"] == "met"
    assert response["used"] == 20 * 60


def test_an_internal_note_is_not_a_response(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)
    clock.set(beijing(10, 2, 0, 10))

    comment_add(actor=staff["engineer"], ticket=ticket, body="先查日志", is_public=False)

    ticket.refresh_from_db()
    response = next(row for row in ticket.sla_clocks if row["clock"] == Clock.RESPONSE)
    assert response["status"] == "running"


def test_checking_in_on_site_meets_arrival_and_starts_the_escalation_clock(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"])
    clock.set(beijing(10, 2, 1, 30))

    ticket = ticket_record_arrival(actor=staff["engineer"], ticket=ticket, version=None)
    sla_sweep(now=clock.set(beijing(10, 2, 2, 31)))

    ticket.refresh_from_db()
    clocks = {row["clock"]: row for row in ticket.sla_clocks}
    assert clocks[Clock.ARRIVAL]["status"] == "met"
    assert clocks[Clock.ESCALATION]["status"] == "breached"
    escalation = SlaEscalation.objects.get(ticket=ticket, clock=Clock.ESCALATION, percent=100)
    assert escalation.reached_at == beijing(10, 2, 2, 30)
    told = set(Outbox.objects.filter(key__startswith=f"sla:{ticket.pk}:escalation:100:").values_list("user", flat=True))
    assert staff["expert"].pk in told
    with pytest.raises(InvalidTransition):
        ticket_record_arrival(actor=staff["engineer"], ticket=ticket, version=None)


def test_nothing_is_checked_again_once_every_clock_has_stopped(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)
    ticket = ticket_assign(actor=staff["agent"], ticket=ticket, assignee=staff["engineer"], version=None)
    clock.set(beijing(10, 2, 0, 10))
    ticket = ticket_transition(actor=staff["engineer"], ticket=ticket, action="accept", version=None)
    ticket = ticket_transition(
        actor=staff["engineer"],
        ticket=ticket,
        action="resolve",
        version=None,
        resolution="重启核心交换机",
        resolution_method="on_site",
    )

    sla_sweep(now=clock.now)

    ticket.refresh_from_db()
    assert ticket.next_check_at is None
    assert ticket.sla_due_at is None
    assert ticket.sla_health == SlaHealth.OK


def test_only_a_supervisor_may_reprioritise_a_logged_request(monkeypatch, staff):
    FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], urgency=Level.MEDIUM, on_site=False)

    with pytest.raises(PermissionDenied):
        ticket_update(actor=staff["engineer"], ticket=ticket, version=None, urgency=Level.HIGH)
    ticket_update(actor=staff["engineer"], ticket=ticket, version=None, title="核心交换机宕机（更正）")

    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.priority, ticket.title) == (Level.MEDIUM, 2, "核心交换机宕机（更正）")


def test_changing_a_policy_in_the_admin_rechecks_every_open_ticket(monkeypatch, staff, client):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)
    sla_sweep(now=clock.set(beijing(10, 1, 23, 51)))
    ticket.refresh_from_db()
    assert ticket.next_check_at > clock.now
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        "/admin/sla/calendarexception/add/",
        {"day": "2026-10-13", "kind": ExceptionKind.HOLIDAY, "name": "测试", "confirmed": "on"},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.next_check_at == clock.now
    assert CalendarException.objects.get(day=dt.date(2026, 10, 13)).source == ExceptionSource.ADMIN


def test_each_person_is_told_in_their_own_language(monkeypatch, staff):
    NotificationPreference.objects.create(user=staff["engineer"], language="en")
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)
    ticket_assign(actor=staff["agent"], ticket=ticket, assignee=staff["engineer"], team=staff["team"], version=None)

    sla_sweep(now=clock.set(beijing(10, 2, 0, 21)))

    breach = Outbox.objects.filter(key__startswith=f"sla:{ticket.pk}:response:100:", channel="email")
    bodies = dict(breach.values_list("user", "body"))
    assert "Response" in bodies[staff["engineer"].pk]
    assert ticket.number in bodies[staff["engineer"].pk]
    assert "响应" in bodies[staff["team"].lead_id]


def test_a_ticket_the_sweep_cannot_compute_is_retried_later_and_does_not_hold_up_the_others(monkeypatch, staff):
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    broken = catastrophic_fault(staff["agent"], on_site=False)
    healthy = catastrophic_fault(staff["agent"], on_site=False)
    real_clock_states = escalation.clock_states

    def clock_states_failing_on_broken(ticket, *args):
        if ticket.pk == broken.pk:
            raise ValueError("a policy no one could compute")
        return real_clock_states(ticket, *args)

    monkeypatch.setattr(escalation, "clock_states", clock_states_failing_on_broken)
    result = sla_sweep(now=clock.set(beijing(10, 2, 0, 21)))

    broken.refresh_from_db()
    assert result.tickets == 2
    assert SlaEscalation.objects.filter(ticket=healthy).count() == 3
    assert not SlaEscalation.objects.filter(ticket=broken).exists()
    assert broken.next_check_at == beijing(10, 2, 0, 31)


def test_a_ladder_can_tell_the_customers_contact_by_sms_and_by_the_email_their_contact_record_holds(monkeypatch, staff):
    LadderStep.objects.filter(ladder__name="标准提醒", percent=100).update(
        recipients=["customer_contact"], channels=["sms", "email", "in_app"]
    )
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    ticket = catastrophic_fault(staff["agent"], on_site=False)
    ContactFactory(customer=ticket.customer, phone=ticket.contact_phone, email="zhao@customer.example")
    ContactFactory(phone=ticket.contact_phone, email="someone@else.example")  # same phone, another customer

    sla_sweep(now=clock.set(beijing(10, 2, 0, 21)))

    told = set(
        Outbox.objects.filter(key__startswith=f"sla:{ticket.pk}:response:100:").values_list("channel", "recipient")
    )
    assert told == {("sms", "+8613911112222"), ("email", "zhao@customer.example")}
