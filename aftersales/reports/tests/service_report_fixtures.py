"""A customer's October under a gold contract, built through the ticket services so every clock has its events.

Five P1 faults (gold: response 5 minutes, resolution 4 hours on 7x24; waiting for the customer pauses the
resolution clock):
- met: answered in 3 minutes, fixed in an hour;
- late: answered after 4.5 hours and fixed after 5.5 (both promises breached);
- paused_met: waited 2h40 for the customer's machine room, fixed within 80 minutes of work;
- paused_breached: waited 5 hours for a maintenance window, then ran past its 4 hours at 18:00;
- still_paused: received on the 30th, still waiting for the customer's logs when the report is made.
Besides: a ticket of the same customer under its other contract, one of another customer, one of September.
"""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory, SiteFactory
from aftersales.tickets.choices import Channel, Kind, Level
from aftersales.tickets.services import ticket_assign, ticket_create, ticket_transition

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=BEIJING)


def beijing(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


class Clockwork:
    """`timezone.now()` for the services, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = NOW
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, moment: dt.datetime) -> "Clockwork":
        self.now = moment
        return self


class Desk:
    """An agent who logs and assigns, an engineer who works, all at the times given."""

    def __init__(self, clock: Clockwork):
        self.clock = clock
        self.agent = UserFactory(role=Role.AGENT)
        self.engineer = UserFactory(role=Role.ENGINEER, first_name="工", last_name="张")

    def fault(self, customer, at, *, site=None, title="核心交换机宕机", kind=Kind.CATASTROPHIC_FAULT, assets=()):
        self.clock.at(at)
        ticket = ticket_create(
            actor=self.agent,
            customer=customer,
            site=site,
            assets=assets,
            title=title,
            description="业务中断。",
            contact_name="赵科长",
            contact_phone="+8613911112222",
            kind=kind,
            channel=Channel.PHONE,
            urgency=Level.HIGH,
            impact=Level.HIGH,
        )
        return ticket_assign(actor=self.agent, ticket=ticket, assignee=self.engineer, version=None)

    def act(self, ticket, at, action, **values):
        self.clock.at(at)
        if action == "resolve":
            values = {"resolution": "更换故障模块后恢复。", "resolution_method": "on_site", **values}
        return ticket_transition(actor=self.engineer, ticket=ticket, action=action, version=None, **values)


@pytest.fixture
def clock(monkeypatch):
    return Clockwork(monkeypatch)


@pytest.fixture
def october(clock):
    customer = CustomerFactory(name="杭州市公安局")
    main_site, branch = SiteFactory(customer=customer, name="指挥中心机房"), SiteFactory(customer=customer, name="分局")
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    contract = ContractFactory(customer=customer, number="HT-2026-0088", start_date=start, end_date=end)
    contract.sites.set([main_site])
    other_contract = ContractFactory(customer=customer, number="HT-2026-0099", start_date=start, end_date=end)
    other_contract.sites.set([branch])
    lead = ContactFactory(customer=customer, name="钱主任", email="qian@example.cn", position="项目负责人")
    ContactFactory(customer=customer, name="无邮箱", email="")
    desk = Desk(clock)

    met = desk.fault(customer, beijing(10, 2, 9), site=main_site)
    desk.act(met, beijing(10, 2, 9, 3), "accept")
    desk.act(met, beijing(10, 2, 10), "resolve")

    late = desk.fault(customer, beijing(10, 2, 9, 30), site=main_site)
    desk.act(late, beijing(10, 2, 14), "accept")
    desk.act(late, beijing(10, 2, 15), "resolve")

    paused_met = desk.fault(customer, beijing(10, 5, 9), site=main_site, title="存储阵列告警")
    desk.act(paused_met, beijing(10, 5, 9, 2), "accept")
    desk.act(paused_met, beijing(10, 5, 9, 20), "pend_customer", note="等机房开门")
    desk.act(paused_met, beijing(10, 5, 12), "resume")
    desk.act(paused_met, beijing(10, 5, 13), "resolve")

    paused_breached = desk.fault(customer, beijing(10, 6, 9), site=main_site, title="存储阵列告警")
    desk.act(paused_breached, beijing(10, 6, 9, 1), "accept")
    desk.act(paused_breached, beijing(10, 6, 10), "pend_customer", note="等客户确认停机窗口")
    desk.act(paused_breached, beijing(10, 6, 15), "resume")
    desk.act(paused_breached, beijing(10, 7, 10), "resolve")

    still_paused = desk.fault(customer, beijing(10, 30, 9), site=main_site, title="存储阵列告警")
    desk.act(still_paused, beijing(10, 30, 9, 1), "accept")
    desk.act(still_paused, beijing(10, 30, 9, 30), "pend_customer", note="等待用户提供日志")

    desk.fault(customer, beijing(10, 3, 9), site=branch)  # the other contract: breached, not in this report
    desk.fault(CustomerFactory(), beijing(10, 3, 9))  # another customer
    september = desk.fault(customer, beijing(9, 30, 9), site=main_site)
    desk.act(september, beijing(9, 30, 9, 4), "accept")
    desk.act(september, beijing(9, 30, 12), "resolve")
    clock.at(NOW)
    return {
        "customer": customer,
        "contract": contract,
        "other_contract": other_contract,
        "site": main_site,
        "lead": lead,
        "desk": desk,
        "met": met,
        "late": late,
        "paused_met": paused_met,
        "paused_breached": paused_breached,
        "still_paused": still_paused,
    }
