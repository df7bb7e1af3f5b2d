"""The manager's dashboard: today's counts and where they lead, the trends, who may see it, and its query count."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.quality.models import FollowUp
from aftersales.reports.kpis.dashboard import daily_flow, monthly_satisfaction, monthly_sla, today_picture
from aftersales.tickets.choices import SlaHealth, Status, Tier
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.tests.sla_helpers import FrozenClock, beijing

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NOW = beijing(10, 20, 15)
TODAY = dt.date(2026, 10, 20)


@pytest.fixture
def clock(monkeypatch):
    return FrozenClock(monkeypatch, NOW)


@pytest.fixture
def manager():
    return UserFactory(username="manager", role=Role.MANAGER)


def ticket(number: str, **fields) -> Ticket:
    fields.setdefault("received_at", NOW - dt.timedelta(hours=1))
    return TicketFactory(number=number, **fields)


@pytest.fixture
def open_tickets(clock):
    """Five open tickets in every state the dashboard counts, and two that are no longer open."""
    engineer = UserFactory(role=Role.ENGINEER)
    return {
        "fresh": ticket("SR-NEW-P1", status=Status.NEW, priority=1, tier=Tier.L1, sla_health=SlaHealth.OK),
        "at_risk": ticket(
            "SR-RISK", status=Status.ASSIGNED, priority=2, tier=Tier.L2, sla_health=SlaHealth.WARNING, assignee=engineer
        ),
        "late_p1": ticket(
            "SR-LATE-P1",
            status=Status.IN_PROGRESS,
            priority=1,
            tier=Tier.L2,
            sla_health=SlaHealth.BREACHED,
            assignee=engineer,
        ),
        "waiting": ticket(
            "SR-WAIT",
            status=Status.PENDING_CUSTOMER,
            priority=3,
            tier=Tier.L3,
            sla_health=SlaHealth.PAUSED,
            assignee=engineer,
        ),
        "late": ticket(
            "SR-LATE",
            status=Status.IN_PROGRESS,
            priority=3,
            tier=Tier.L1,
            sla_health=SlaHealth.BREACHED,
            assignee=engineer,
        ),
        "resolved": ticket(
            "SR-DONE", status=Status.RESOLVED, priority=1, sla_health=SlaHealth.BREACHED, assignee=engineer
        ),
        "cancelled": ticket("SR-GONE", status=Status.CANCELLED, priority=1, sla_health=SlaHealth.BREACHED),
    }


def test_todays_picture_counts_the_open_tickets(manager, open_tickets):
    picture = today_picture(user=manager)

    assert (picture.open, picture.at_risk, picture.breached, picture.new, picture.critical) == (5, 1, 2, 1, 2)
    assert [(tier, count) for tier, _label, count in picture.by_tier] == [("L1", 2), ("L2", 2), ("L3", 1)]


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">(\d+)<', html))


def link(html: str, key: str) -> str:
    return re.search(rf'href="([^"]+)" data-testid="dashboard-{key}"', html).group(1).replace("&amp;", "&")


def test_each_figure_leads_to_the_tickets_it_counts(client, manager, open_tickets):
    client.force_login(manager)
    html = client.get(reverse("reports_dashboard"), **ENGLISH).content.decode()

    assert figures(html) == {"open": "5", "at_risk": "1", "breached": "2", "new": "1", "critical": "2"}
    expected = {
        "open": {"SR-NEW-P1", "SR-RISK", "SR-LATE-P1", "SR-WAIT", "SR-LATE"},
        "at_risk": {"SR-RISK"},
        "breached": {"SR-LATE-P1", "SR-LATE"},
        "new": {"SR-NEW-P1"},
        "critical": {"SR-NEW-P1", "SR-LATE-P1"},
    }
    every = {found.number for found in open_tickets.values()}
    for key, numbers in expected.items():
        listed = client.get(link(html, key)).content.decode()
        assert {number for number in every if f">{number}<" in listed} == numbers, key
    tiers = re.findall(
        r'href="([^"]+)" data-testid="dashboard-tier">\s*<span>([^<]+)</span><strong>(\d+)</strong>', html
    )
    assert [(href.replace("&amp;", "&"), count) for href, _label, count in tiers] == [
        (f"{reverse('sla_board')}?tier=L1", "2"),
        (f"{reverse('sla_board')}?tier=L2", "2"),
        (f"{reverse('sla_board')}?tier=L3", "1"),
    ]
    on_l2 = client.get(tiers[1][0].replace("&amp;", "&")).content.decode()
    assert {number for number in every if f">{number}<" in on_l2} == {"SR-RISK", "SR-LATE-P1"}


def test_tickets_received_and_resolved_per_local_day(manager, clock):
    ticket("A1", received_at=beijing(10, 20, 0, 10), resolved_at=beijing(10, 20, 9))  # 16:10 UTC on the 19th
    ticket("A2", received_at=beijing(10, 20, 8))
    ticket("A3", received_at=beijing(10, 19, 23, 59), resolved_at=beijing(10, 20, 0, 0))
    ticket("A4", received_at=beijing(9, 21, 0, 0), resolved_at=beijing(9, 22, 10))  # the first of the 30 days
    ticket("A5", received_at=beijing(9, 20, 23, 59), resolved_at=beijing(9, 21, 8))  # the day before them

    flow = daily_flow(user=manager, today=TODAY)

    assert len(flow) == 30
    assert (flow[0].day, flow[-1].day) == (dt.date(2026, 9, 21), TODAY)
    busy = {day.day: (day.received, day.resolved) for day in flow if day.received or day.resolved}
    assert busy == {
        dt.date(2026, 9, 21): (1, 1),
        dt.date(2026, 9, 22): (0, 1),
        dt.date(2026, 10, 19): (1, 0),
        TODAY: (2, 2),
    }


def test_the_share_of_tickets_that_met_every_target_per_month_received(manager, clock):
    october, september = beijing(10, 5, 9), beijing(9, 5, 9)
    ticket("O1", received_at=october, status=Status.CLOSED, sla_health=SlaHealth.OK)
    ticket("O2", received_at=october, status=Status.RESOLVED, sla_health=SlaHealth.OK)
    ticket("O3", received_at=october, status=Status.CLOSED, sla_health=SlaHealth.BREACHED)
    ticket("O4", received_at=october, status=Status.IN_PROGRESS, sla_health=SlaHealth.BREACHED)  # settled: breached
    ticket("O5", received_at=october, status=Status.IN_PROGRESS, sla_health=SlaHealth.OK)  # not settled yet
    ticket("O6", received_at=october, status=Status.CANCELLED, sla_health=SlaHealth.BREACHED)  # left out
    ticket("O7", received_at=october, status=Status.CLOSED, sla_health=SlaHealth.NONE)  # no targets: left out
    ticket("S1", received_at=september, status=Status.CLOSED, sla_health=SlaHealth.OK)
    ticket("N1", received_at=beijing(11, 1, 0, 30, year=2025), status=Status.CLOSED, sla_health=SlaHealth.BREACHED)
    ticket("X1", received_at=beijing(10, 31, 23, 30, year=2025), status=Status.CLOSED, sla_health=SlaHealth.OK)

    months = monthly_sla(user=manager, today=TODAY)

    assert [(month.month.isoformat(), month.decided, month.met, month.percent_met) for month in months] == [
        ("2025-11-01", 1, 0, 0.0),
        ("2025-12-01", 0, 0, None),
        ("2026-01-01", 0, 0, None),
        ("2026-02-01", 0, 0, None),
        ("2026-03-01", 0, 0, None),
        ("2026-04-01", 0, 0, None),
        ("2026-05-01", 0, 0, None),
        ("2026-06-01", 0, 0, None),
        ("2026-07-01", 0, 0, None),
        ("2026-08-01", 0, 0, None),
        ("2026-09-01", 1, 1, 100.0),
        ("2026-10-01", 4, 2, 50.0),
    ]


def answered(number: str, score: int | None, at: dt.datetime) -> FollowUp:
    """A follow-up of an old closed ticket, outside every other figure of the dashboard."""
    old = ticket(number, status=Status.CLOSED, received_at=at - dt.timedelta(days=400))
    return FollowUp.objects.create(
        ticket=old, due_at=at, status="done", method="phone", score_overall=score, answered_at=at
    )


def test_satisfaction_per_month_answered(manager, clock):
    answered("F1", 5, beijing(10, 3, 10))
    answered("F2", 4, beijing(10, 1, 0, 10))  # 16:10 UTC on 30 September
    answered("F3", None, beijing(10, 4, 10))  # unreachable: no score
    answered("F4", 3, beijing(9, 30, 10))
    answered("F5", 1, beijing(10, 31, 23, year=2025))  # before the 12 months

    months = monthly_satisfaction(user=manager, today=TODAY)

    assert [(month.month.isoformat(), month.answers, month.mean) for month in months if month.answers] == [
        ("2026-09-01", 1, 3.0),
        ("2026-10-01", 2, 4.5),
    ]
    assert (len(months), months[0].month, months[0].mean) == (12, dt.date(2025, 11, 1), None)


def chart(html: str, name: str) -> dict:
    found = re.search(rf'<script id="chart-{name}" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_the_page_gives_each_chart_its_data_and_a_table(client, manager, clock):
    ticket(
        "A1", received_at=beijing(10, 20, 8), resolved_at=beijing(10, 20, 9), status=Status.RESOLVED, sla_health="ok"
    )
    answered("F1", 5, beijing(10, 3, 10))
    client.force_login(manager)

    html = client.get(reverse("reports_dashboard"), **ENGLISH).content.decode()

    flow = chart(html, "flow")
    assert (flow["kind"], len(flow["categories"]), flow["categories"][-1]) == ("bar", 30, "10-20")
    assert [series["name"] for series in flow["series"]] == ["Received", "Resolved"]
    assert (flow["series"][0]["data"][-1], flow["series"][1]["data"][-1], sum(flow["series"][0]["data"])) == (1, 1, 1)
    sla = chart(html, "sla")
    assert (sla["unit"], sla["min"], sla["max"], sla["categories"][-1]) == ("%", 0, 100, "2026-10")
    assert sla["series"][0]["data"] == [None] * 11 + [100.0]  # A1 resolved, every target met
    satisfaction = chart(html, "satisfaction")
    assert satisfaction["series"][0]["data"] == [None] * 11 + [5.0]
    assert html.count('data-testid="flow-row"') == 30
    assert html.count('data-testid="sla-row"') == 12
    assert html.count('data-testid="satisfaction-row"') == 12
    assert (
        '<th scope="row" class="fw-normal">2026-10</th><td class="text-end">1</td><td class="text-end">5.00</td>'
        in html
    )
    assert html.count("data-chart-table") == 3
    assert "<script>" not in html  # JSON only: the CSP allows no inline script


def test_the_dashboard_reads_the_same_number_of_queries_however_many_tickets(client, manager, open_tickets):
    client.force_login(manager)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("reports_dashboard")).status_code == 200
    for index in range(20):
        ticket(f"SR-MORE-{index}", status=Status.IN_PROGRESS, sla_health=SlaHealth.BREACHED, resolved_at=NOW)
        answered(f"SR-ASKED-{index}", 4, NOW - dt.timedelta(days=40 * (index % 5)))

    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("reports_dashboard")).content.decode()

    assert figures(html)["open"] == "25"
    # Session, user, unread notifications; today (1), per day (2), SLA per month (1), satisfaction per month (1).
    assert len(few.captured_queries) == len(many.captured_queries) == 8


@pytest.mark.parametrize("role", [Role.QUALITY, Role.ADMIN, Role.MANAGER])
def test_managers_quality_controllers_and_administrators_see_it(client, clock, role):
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("reports_dashboard")).status_code == 200


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.EXPERT, Role.AGENT, Role.DISPATCHER, Role.PARTS_KEEPER])
def test_other_staff_find_no_dashboard(client, clock, role):
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("reports_dashboard")).status_code == 404


def test_a_customer_finds_no_dashboard_and_nothing_changes(client, open_tickets):
    customer = CustomerFactory()
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=customer))
    before = (Ticket.objects.count(), TicketEvent.objects.count(), FollowUp.objects.count())

    assert client.get(reverse("reports_dashboard")).status_code == 404
    assert client.post(reverse("reports_dashboard")).status_code == 405
    assert (Ticket.objects.count(), TicketEvent.objects.count(), FollowUp.objects.count()) == before


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("reports_dashboard"))

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))
