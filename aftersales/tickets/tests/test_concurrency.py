"""Optimistic concurrency and gapless numbering with two (or more) real PostgreSQL connections.

Each thread has its own database connection (Django's connections are per thread), so the
transactions really overlap. SQLite serialises every writing transaction, so these tests say
nothing there and are skipped.
"""

import datetime as dt
import threading
import time
import zoneinfo

import pytest
from django.db import connection, transaction

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import Conflict
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent, TicketSequence
from aftersales.tickets.services import ticket_create, ticket_update
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks between two real connections (SQLite serialises all writers)",
    ),
]

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
# How long a winner keeps its transaction open, so that the others' statements really meet its locks.
HOLD_SECONDS = 0.3


def run_at_once(*jobs):
    """Run each job in its own thread with its own connection, released together; return results or errors."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            prepare, act = job
            prepared = prepare()
            barrier.wait(timeout=10)
            outcomes[index] = act(prepared)
        except Exception as error:  # the outcome under test, compared by the caller
            outcomes[index] = error
        finally:
            connection.close()  # this thread's connection

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return outcomes


def held(action):
    """Run `action` inside a transaction that stays open a moment after it succeeds (holding its row locks)."""
    with transaction.atomic():
        result = action()
        time.sleep(HOLD_SECONDS)
    return result


def test_two_editors_of_the_same_version_one_wins_the_other_gets_a_conflict():
    agent = UserFactory(role=Role.AGENT)
    ticket_id = TicketFactory(title="原标题").pk

    def editor(title):
        def read():
            return Ticket.objects.get(pk=ticket_id)  # both read version 1 before either writes

        def write(ticket):
            return held(lambda: ticket_update(actor=agent, ticket=ticket, version=ticket.version, title=title))

        return read, write

    outcomes = run_at_once(editor("甲的修改"), editor("乙的修改"))

    winners = [outcome for outcome in outcomes if isinstance(outcome, Ticket)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert losers[0].detail == {"version": 2}
    ticket = Ticket.objects.get(pk=ticket_id)
    assert (ticket.title, ticket.version) == (winners[0].title, 2)
    assert list(TicketEvent.objects.filter(ticket_id=ticket_id).values_list("kind", "data")) == [
        (EventKind.UPDATED, {"title": winners[0].title})
    ]


def test_concurrent_intake_on_one_day_gets_distinct_gapless_numbers():
    agent, customer = UserFactory(role=Role.AGENT), CustomerFactory()
    received_at = dt.datetime(2026, 10, 1, 9, 0, tzinfo=BEIJING)

    def intake(index):
        def prepare():
            return None

        def act(_prepared):
            return held(
                lambda: ticket_create(
                    actor=agent,
                    customer=customer,
                    title=f"并发报修{index}",
                    description="同一天同时报修。",
                    contact_name="王五",
                    contact_phone="+8613700137000",
                    kind="general_fault",
                    channel="phone",
                    received_at=received_at,
                )
            )

        return prepare, act

    # The first round races to create the day's counter row; the second races to increment it.
    first_round = run_at_once(*(intake(index) for index in range(4)))
    second_round = run_at_once(*(intake(index) for index in range(4, 8)))

    outcomes = first_round + second_round
    assert all(isinstance(outcome, Ticket) for outcome in outcomes), outcomes
    assert sorted(outcome.number for outcome in first_round) == [f"SR20261001{n:04d}" for n in range(1, 5)]
    assert sorted(outcome.number for outcome in second_round) == [f"SR20261001{n:04d}" for n in range(5, 9)]
    assert TicketSequence.objects.get(day=dt.date(2026, 10, 1)).last == 8
    assert TicketEvent.objects.filter(kind=EventKind.CREATED).count() == 8
