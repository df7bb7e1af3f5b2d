"""The SLA board: open tickets by time to their next breach, coloured by SLA health, filtered, refreshed."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.core.time import local_date
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.sla.choices import Clock, ClockStatus, ExceptionKind, ExceptionSource
from aftersales.sla.models import CalendarException
from aftersales.tickets.choices import SlaHealth, Status
from aftersales.tickets.services import sla_sweep, ticket_assign
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.tests.sla_helpers import FrozenClock, beijing, catastrophic_fault
from aftersales.tickets.views.sla_board import board_row, describe_duration

pytestmark = pytest.mark.django_db

ROW = re.compile(r'data-ticket="([^"]+)" data-health="([^"]+)"')
# The refresh: session, user, the user's and their groups' permissions, one page of open tickets.
# The full page adds the holiday check, the menu's unread notifications, and the options of the customer, team and
# engineer filters (a COUNT and a SELECT each, as every select in includes/field.html).
REFRESH_QUERIES = 5
PAGE_QUERIES = REFRESH_QUERIES + 8


def with_clock(*, health: str, due_in: dt.timedelta | None, clock: str = Clock.RESPONSE, **fields):
    """An open ticket whose cached SLA summary says one clock is due `due_in` from now (negative: overdue)."""
    due_at = timezone.now() + due_in if due_in is not None else None
    status = ClockStatus.BREACHED if health == SlaHealth.BREACHED else ClockStatus.RUNNING
    clocks = [
        {
            "clock": clock,
            "status": status,
            "target": 1800,
            "used": 0,
            "due_at": None,
            "breached_at": None,
            "counting": True,
        }
    ]
    if due_at is not None:
        clocks[0]["due_at"] = due_at.isoformat()
    return TicketFactory(
        status=fields.pop("status", Status.ASSIGNED), sla_health=health, sla_due_at=due_at, sla_clocks=clocks, **fields
    )


def board(client, **query) -> list[tuple[str, str]]:
    response = client.get(reverse("sla_board"), query)
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


@pytest.fixture
def dispatcher(client):
    user = UserFactory(role=Role.DISPATCHER)
    client.force_login(user)
    return user


def test_the_next_breach_comes_first_and_each_row_has_its_health(client, dispatcher):
    later = with_clock(health=SlaHealth.OK, due_in=dt.timedelta(hours=3), number="SR-OK")
    breached = with_clock(health=SlaHealth.BREACHED, due_in=-dt.timedelta(minutes=65), number="SR-LATE")
    warning = with_clock(health=SlaHealth.WARNING, due_in=dt.timedelta(minutes=25), number="SR-RISK")
    paused = with_clock(health=SlaHealth.PAUSED, due_in=None, number="SR-WAIT", status=Status.PENDING_CUSTOMER)
    no_sla = TicketFactory(status=Status.NEW, number="SR-NONE")
    TicketFactory(status=Status.CLOSED, number="SR-SHUT", sla_health=SlaHealth.BREACHED)

    rows = board(client)

    assert rows == [
        (breached.number, "breached"),
        (warning.number, "warning"),
        (later.number, "ok"),
        # No due time: last, by id.
        (paused.number, "paused"),
        (no_sla.number, "none"),
    ]


def test_rows_carry_the_colour_of_their_health_and_say_when_the_clock_is_due(client, dispatcher):
    with_clock(health=SlaHealth.BREACHED, due_in=-dt.timedelta(minutes=65, seconds=10), number="SR-LATE")
    with_clock(
        health=SlaHealth.WARNING, due_in=dt.timedelta(minutes=24, seconds=30), number="SR-RISK", clock=Clock.RESOLUTION
    )

    with translation.override("en"):
        body = client.get(reverse("sla_board"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    late = body[body.index('data-ticket="SR-LATE"') - 60 : body.index('data-ticket="SR-RISK"')]
    risk = body[body.index('data-ticket="SR-RISK"') - 60 :]
    assert 'class="table-danger"' in late and "overdue by 1 h 5 min" in late and "Response" in late
    assert 'class="table-warning"' in risk and "25 minutes left" in risk and "Resolution" in risk


def test_time_left_and_overdue_read_at_a_glance():
    with translation.override("en"):
        assert describe_duration(dt.timedelta(minutes=1)) == "1 minute"
        assert describe_duration(dt.timedelta(minutes=25, seconds=59)) == "25 minutes"
        assert describe_duration(dt.timedelta(hours=1, minutes=5)) == "1 h 5 min"
        assert describe_duration(dt.timedelta(hours=3, seconds=59)) == "3 hours"
        assert describe_duration(dt.timedelta(days=2, hours=16, minutes=59)) == "2 d 16 h"
        assert describe_duration(dt.timedelta(days=1, minutes=59)) == "1 day"


def test_the_row_names_the_clock_behind_the_cached_due_time():
    now = timezone.now()
    ticket = TicketFactory.build(
        sla_health=SlaHealth.OK,
        sla_due_at=now + dt.timedelta(minutes=90),
        sla_clocks=[
            {"clock": "response", "status": "met", "due_at": None},
            {
                "clock": "resolution",
                "status": "running",
                "counting": True,
                "due_at": (now + dt.timedelta(minutes=90)).isoformat(),
            },
            {
                "clock": "arrival",
                "status": "running",
                "counting": True,
                "due_at": (now + dt.timedelta(minutes=120)).isoformat(),
            },
        ],
    )

    with translation.override("en"):
        row = board_row(ticket, now)

    assert (row.clock, row.overdue, row.remaining) == ("Resolution", False, "1 h 30 min left")


@pytest.mark.parametrize("name", ["customer", "tier", "team", "assignee", "health"])
def test_each_filter_keeps_only_its_tickets(client, dispatcher, name):
    engineer = UserFactory(role=Role.ENGINEER)
    team = TeamFactory()
    customer = CustomerFactory()
    wanted = {
        "customer": {"customer": customer},
        "tier": {"tier": "L3"},
        "team": {"team": team},
        "assignee": {"assignee": engineer},
        "health": {"health": SlaHealth.WARNING},
    }[name]
    health = wanted.pop("health", SlaHealth.OK)
    match = with_clock(health=health, due_in=dt.timedelta(hours=2), number="SR-MATCH", **wanted)
    with_clock(
        health=SlaHealth.OK,
        due_in=dt.timedelta(hours=1),
        number="SR-OTHER",
        assignee=UserFactory(role=Role.ENGINEER),
        team=TeamFactory(),
    )
    value = {
        "customer": customer.pk,
        "tier": "L3",
        "team": team.pk,
        "assignee": engineer.pk,
        "health": SlaHealth.WARNING,
    }[name]

    assert board(client, **{name: value}) == [(match.number, match.sla_health)]


def test_customer_users_and_strangers_do_not_find_the_board(client):
    ticket = with_clock(health=SlaHealth.BREACHED, due_in=-dt.timedelta(minutes=5), title="机密故障")
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=ticket.customer))

    page = client.get(reverse("sla_board"))
    partial = client.get(reverse("sla_board"), HTTP_HX_REQUEST="true")

    assert (page.status_code, partial.status_code) == (404, 404)
    assert "机密故障" not in page.content.decode() + partial.content.decode()
    client.logout()
    assert client.get(reverse("sla_board")).status_code == 302
    # A board left open after its session ended reloads itself (to the login page), not into the table.
    refresh = client.get(reverse("sla_board"), HTTP_HX_REQUEST="true")
    assert (refresh.status_code, refresh.headers["HX-Refresh"]) == (200, "true")


def test_the_refresh_returns_the_table_alone_with_the_filters_it_was_asked_for(client, dispatcher):
    engineer = UserFactory(role=Role.ENGINEER)
    with_clock(health=SlaHealth.OK, due_in=dt.timedelta(hours=1), number="SR-MINE", assignee=engineer)

    response = client.get(reverse("sla_board"), {"assignee": engineer.pk}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "<html" not in body and 'data-testid="sla-board-filter"' not in body
    assert body.lstrip().startswith('<div id="sla-board"')
    assert f'hx-get="/sla/?assignee={engineer.pk}"' in body and 'hx-trigger="every 30s"' in body
    assert ROW.findall(body) == [("SR-MINE", "ok")]


def test_an_empty_board_says_so(client, dispatcher):
    with translation.override("en"):
        empty = client.get(reverse("sla_board"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        filtered = client.get(reverse("sla_board"), {"tier": "L3"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "No open tickets: nothing is waiting for an answer." in empty
    assert "No open tickets match these filters." in filtered


def test_the_board_pages_without_counting(client, dispatcher):
    for minutes in range(55):
        with_clock(health=SlaHealth.OK, due_in=dt.timedelta(minutes=minutes + 1), number=f"SR-{minutes:03d}")

    with CaptureQueriesContext(connection) as queries:
        first = board(client)
        second = board(client, page=2)

    assert [number for number, _health in first] == [f"SR-{minutes:03d}" for minutes in range(50)]
    assert [number for number, _health in second] == [f"SR-{minutes:03d}" for minutes in range(50, 55)]
    assert not [sql for sql in (query["sql"] for query in queries) if "COUNT" in sql and "tickets_ticket" in sql]


def test_the_board_reads_a_fixed_number_of_queries(client, dispatcher, django_assert_num_queries):
    team = TeamFactory()
    for index in range(3):
        with_clock(
            health=SlaHealth.OK,
            due_in=dt.timedelta(hours=index + 1),
            team=team,
            assignee=UserFactory(role=Role.ENGINEER),
        )
    url = reverse("sla_board")
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(url)
    with django_assert_num_queries(REFRESH_QUERIES):
        client.get(url, HTTP_HX_REQUEST="true")

    for index in range(30):
        with_clock(
            health=SlaHealth.WARNING,
            due_in=dt.timedelta(minutes=index + 1),
            team=TeamFactory(),
            customer=CustomerFactory(),
            assignee=UserFactory(role=Role.ENGINEER),
        )
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(url)
    with django_assert_num_queries(REFRESH_QUERIES):
        client.get(url, HTTP_HX_REQUEST="true")


def test_the_holiday_warning_shows_until_next_years_holidays_are_confirmed(client):
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    next_year = local_date().year + 1
    CalendarException.objects.filter(day__year=next_year).delete()
    CalendarException.objects.create(
        day=dt.date(next_year, 1, 1),
        kind=ExceptionKind.HOLIDAY,
        name="元旦",
        confirmed=False,
        source=ExceptionSource.SEED,
    )

    with translation.override("en"):
        estimated = client.get(reverse("sla_board"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        CalendarException.objects.create(
            day=dt.date(next_year, 2, 1),
            kind=ExceptionKind.HOLIDAY,
            name="春节",
            confirmed=True,
            source=ExceptionSource.ADMIN,
        )
        confirmed = client.get(reverse("sla_board"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert (
        f"The public holidays for {next_year} are only estimated: check them in the admin once the State Council "
        "publishes the schedule." in estimated
    )
    admin_link = reverse("admin:sla_calendarexception_changelist") + f"?day__year={next_year}"
    assert f'href="{admin_link}"' in estimated
    assert 'data-testid="holiday-warning"' not in confirmed


def test_the_holiday_warning_shows_when_next_year_has_no_rows_at_all(client, dispatcher):
    CalendarException.objects.filter(day__year=local_date().year + 1).delete()

    body = client.get(reverse("sla_board")).content.decode()

    assert 'data-testid="holiday-warning"' in body
    # Only administrators can open the admin, so only they get the link.
    assert 'data-testid="holiday-warning-link"' not in body


def test_a_ticket_the_sweep_found_breached_tops_the_board(monkeypatch, client, dispatcher):
    agent, engineer = UserFactory(role=Role.AGENT), UserFactory(role=Role.ENGINEER)
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    late = catastrophic_fault(agent, on_site=False)
    ticket_assign(actor=agent, ticket=late, assignee=engineer, version=None)
    clock.set(beijing(10, 2, 0, 10))
    calm = catastrophic_fault(agent, on_site=False)
    sla_sweep(now=clock.set(beijing(10, 2, 0, 35)))

    with translation.override("en"):
        body = client.get(reverse("sla_board"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ROW.findall(body) == [(late.number, "breached"), (calm.number, "warning")]
    assert "overdue by 15 minutes" in body  # P1 response: 30 minutes, due at 00:20
    assert "5 minutes left" in body  # the second ticket's response is due at 00:40
