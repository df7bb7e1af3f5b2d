"""A week of known work (Monday 12 to Sunday 18 October 2026, Beijing time) that the KPI tests read.

Everything on the tickets goes through the services with a clock moved by hand, so the SLA engine replays
real timelines; the quality records (follow-ups, reviews, complaints) are rows, as their services would leave them.
All P1 and P2 targets run on the 7x24 calendar of the default policy: P1 responds in 30 minutes, arrives in 2 h,
resolves in 4 h (the emergency plan too) and escalates 1 h after arrival; P2 responds in 30 minutes, resolves in 8 h.

No tests here: the module only builds the world (its name keeps it beside the tests that import it).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.dispatch.services.work_orders import (
    work_log_add,
    work_order_act,
    work_order_check_in,
    work_order_complete,
    work_order_dispatch,
)
from aftersales.quality.models import Complaint, FollowUp, QcReview
from aftersales.tickets.choices import Channel, Kind, Level
from aftersales.tickets.services import ticket_assign, ticket_create, ticket_transition
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.tests.sla_helpers import FrozenClock, beijing

WEEK_START, WEEK_END = dt.date(2026, 10, 12), dt.date(2026, 10, 18)
# The afternoon after the week, when the figures are read.
READ_AT = beijing(10, 19, 15)


def october(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return beijing(10, day, hour, minute)


@dataclass
class Desk:
    """The people and the clock; each helper acts at a given moment."""

    clock: FrozenClock
    agent: object
    dispatcher: object
    customer: object

    def received(self, at: dt.datetime, *, priority: int = 1, on_site: bool = False, title: str = "核心交换机宕机"):
        self.clock.set(at)
        return ticket_create(
            actor=self.agent,
            customer=self.customer,
            title=title,
            description="全市监控中断。",
            contact_name="赵科长",
            contact_phone="+8613911112222",
            kind=Kind.MAJOR_FAULT,
            channel=Channel.PHONE,
            urgency=Level.HIGH,
            impact=Level.HIGH if priority == 1 else Level.MEDIUM,
            on_site_required=on_site,
        )

    def assigned(self, ticket, engineer, team, at: dt.datetime):
        self.clock.set(at)
        return ticket_assign(actor=self.dispatcher, ticket=ticket, assignee=engineer, team=team, version=None)

    def accepted(self, ticket, at: dt.datetime):
        self.clock.set(at)
        return ticket_transition(actor=ticket.assignee, ticket=ticket, action="accept", version=None)

    def visit(self, ticket, *, dispatched: dt.datetime, checked_in: dt.datetime):
        """A work order sent to the ticket's engineer, accepted, and checked in on site at `checked_in`."""
        self.clock.set(dispatched)
        order = work_order_dispatch(
            actor=self.dispatcher, ticket=ticket, engineer=ticket.assignee, kind="on_site", basis="合同约定的现场服务"
        )
        order = work_order_act(actor=ticket.assignee, work_order=order, action="accept", version=None)
        self.clock.set(checked_in)
        return work_order_check_in(actor=ticket.assignee, work_order=order, version=None)

    def logged(self, order, hours: str, at: dt.datetime):
        self.clock.set(at)
        return work_log_add(actor=order.engineer, work_order=order, text="更换电源模块并测试", hours=Decimal(hours))

    def completed(self, order, at: dt.datetime):
        self.clock.set(at)
        return work_order_complete(actor=order.engineer, work_order=order, version=None, resolution="已恢复供电")

    def resolved(self, ticket, at: dt.datetime):
        self.clock.set(at)
        ticket.refresh_from_db()
        return ticket_transition(
            actor=ticket.assignee,
            ticket=ticket,
            action="resolve",
            version=None,
            resolution="更换电源模块",
            resolution_method="on_site",
        )

    def reopened(self, ticket, at: dt.datetime):
        self.clock.set(at)
        return ticket_transition(actor=self.agent, ticket=ticket, action="reopen", version=None, note="故障复现")


def follow_up(ticket, score: int, answered_at: dt.datetime) -> FollowUp:
    return FollowUp.objects.create(
        ticket=ticket,
        due_at=answered_at,
        status="done",
        method="phone",
        outcome="satisfied" if score > 2 else "dissatisfied",
        score_overall=score,
        answered_at=answered_at,
    )


def qc_review(ticket, engineer, score: int, reviewed_at: dt.datetime) -> QcReview:
    return QcReview.objects.create(
        ticket=ticket,
        sample_reason="random",
        engineer=engineer,
        response_quality=4,
        service_quality=4,
        score=score,
        reviewed_at=reviewed_at,
    )


def complaint(registered_at: dt.datetime, *, people=(), tickets=(), registered_by) -> Complaint:
    record = Complaint.objects.create(
        ticket=TicketFactory(kind=Kind.COMPLAINT, created_by=registered_by), registered_by=registered_by
    )
    Complaint.objects.filter(pk=record.pk).update(created_at=registered_at)  # auto_now_add: set afterwards
    record.people_concerned.set(people)
    record.related_tickets.set(tickets)
    return record


@pytest.fixture
def week(monkeypatch):
    """Three engineers in two teams, six tickets handled in the week and two just outside it.

    - t1 张伟 (east): P1 on site; response 10 min, arrival 60 min, resolution 110 min; one visit; everything met
      but the escalation clock (on site at 10:00, resolved 10:50: met). Follow-up 5, QC 90, 2.5 h logged.
    - t2 张伟 (east): P1 remote; response 40 min (breached); resolved after 3 h, reopened the next day and
      resolved again 29 h after receipt (resolution and emergency plan breached). Follow-up 2.
    - t3 李娜 (east): P1 on site; response 20 min, arrival 90 min (met), resolution 6 h (breached); two visits.
      Follow-up 4, QC 70, 1.5 h and 2 h logged, and a complaint names 李娜 and t3.
    - t4 李娜 (west): P2 remote; response 5 min, resolution 4 h: met.
    - t5 张伟 (east): received the Friday before at 16:00, response 10 min, resolved Monday 08:00 (40 h).
    - t6 张伟 (east): resolved at 00:30 on the Monday after: outside the week (and its 4 h logged on Monday).
    - 王强 (west) handled nothing.
    """
    clock = FrozenClock(monkeypatch, beijing(10, 1, 9))
    east, west = TeamFactory(name="华东二线组"), TeamFactory(name="华西二线组")
    zhang = UserFactory(username="zhangwei", role=Role.ENGINEER, last_name="张", first_name="伟")
    li = UserFactory(username="lina", role=Role.ENGINEER, last_name="李", first_name="娜")
    wang = UserFactory(username="wangqiang", role=Role.ENGINEER, last_name="王", first_name="强")
    east.members.set([zhang, li])
    west.members.set([wang])
    manager = UserFactory(username="manager", role=Role.MANAGER)
    desk = Desk(
        clock=clock,
        agent=UserFactory(username="agent", role=Role.AGENT),
        dispatcher=UserFactory(username="dispatcher", role=Role.DISPATCHER),
        customer=CustomerFactory(name="杭州市公安局"),
    )

    t5 = desk.received(october(9, 16))
    t5 = desk.assigned(t5, zhang, east, october(9, 16, 5))
    t5 = desk.accepted(t5, october(9, 16, 10))
    t5 = desk.resolved(t5, october(12, 8))

    t1 = desk.received(october(12, 9), on_site=True)
    t1 = desk.assigned(t1, zhang, east, october(12, 9, 5))
    t1 = desk.accepted(t1, october(12, 9, 10))
    order1 = desk.visit(t1, dispatched=october(12, 9, 15), checked_in=october(12, 10))
    desk.logged(order1, "2.5", october(12, 10, 40))
    t1 = desk.resolved(t1, october(12, 10, 50))

    t2 = desk.received(october(13, 9))
    t2 = desk.assigned(t2, zhang, east, october(13, 9, 5))
    t2 = desk.accepted(t2, october(13, 9, 40))
    t2 = desk.resolved(t2, october(13, 12))
    t2 = desk.reopened(t2, october(14, 10))
    t2 = desk.resolved(t2, october(14, 14))

    t3 = desk.received(october(14, 8), on_site=True)
    t3 = desk.assigned(t3, li, east, october(14, 8, 5))
    t3 = desk.accepted(t3, october(14, 8, 20))
    first = desk.visit(t3, dispatched=october(14, 8, 30), checked_in=october(14, 9, 30))
    desk.logged(first, "1.5", october(14, 10))
    desk.completed(first, october(14, 10, 30))
    second = desk.visit(t3, dispatched=october(14, 12), checked_in=october(14, 13))
    desk.logged(second, "2", october(14, 13, 30))
    t3 = desk.resolved(t3, october(14, 14))

    t4 = desk.received(october(15, 9), priority=2)
    t4 = desk.assigned(t4, li, west, october(15, 9, 1))
    t4 = desk.accepted(t4, october(15, 9, 5))
    t4 = desk.resolved(t4, october(15, 13))

    t6 = desk.received(october(18, 22), on_site=True)
    t6 = desk.assigned(t6, zhang, east, october(18, 22, 5))
    t6 = desk.accepted(t6, october(18, 22, 10))
    order6 = desk.visit(t6, dispatched=october(18, 22, 15), checked_in=october(18, 23))
    desk.logged(order6, "4", october(19, 0, 20))
    t6 = desk.resolved(t6, october(19, 0, 30))

    follow_up(t1, 5, october(13, 10))
    follow_up(t2, 2, october(15, 10))
    follow_up(t3, 4, october(16, 10))
    follow_up(t4, 1, october(20, 10))  # answered after the week
    qc_review(t1, zhang, 90, october(16, 15))
    qc_review(t3, li, 70, october(17, 15))
    complaint(october(15, 11), people=[li], tickets=[t3], registered_by=manager)
    complaint(october(5, 11), people=[zhang], tickets=[t5], registered_by=manager)  # before the week

    clock.set(READ_AT)
    return {
        "clock": clock,
        "desk": desk,
        "manager": manager,
        "zhang": zhang,
        "li": li,
        "wang": wang,
        "east": east,
        "west": west,
        "tickets": {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6},
    }
