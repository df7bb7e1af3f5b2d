"""The sweep against real concurrency on PostgreSQL: two sweepers at once, and an event committed late.

Each thread has its own connection, so the transactions really overlap. SQLite serialises every
writing transaction, so these tests say nothing there and are skipped.
"""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.webhooks import sweep
from aftersales.webhooks.models import WebhookDelivery
from aftersales.webhooks.sweep import events_sweep

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: two real connections at once (SQLite serialises all writers)",
    ),
]


def in_threads(*jobs):
    """Run each job in its own thread with its own connection; return results or errors."""
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            outcomes[index] = job()
        except Exception as error:  # the outcome under test, compared by the caller
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return outcomes


def events(ticket, actor, count):
    return [
        TicketEvent.objects.create(
            ticket=ticket, actor=actor, kind=EventKind.COMMENTED, at=timezone.now(), data={"public": True}
        ).pk
        for _n in range(count)
    ]


def per_event(subscription) -> dict[int, int]:
    rows = WebhookDelivery.objects.filter(subscription=subscription).values_list("source_event_id", flat=True)
    counts: dict[int, int] = {}
    for event_id in rows:
        counts[event_id] = counts.get(event_id, 0) + 1
    return counts


def test_two_sweeps_at_once_make_exactly_one_delivery_per_event(subscribe):
    first, _secret = subscribe(events=["ticket.commented"], name="甲")
    second, _secret = subscribe(events=["ticket.commented"], name="乙")
    agent = UserFactory(role=Role.AGENT)
    ids = events(TicketFactory(), agent, 40)
    start = threading.Barrier(2)

    def sweeper():
        start.wait(timeout=10)
        return events_sweep()

    outcomes = in_threads(sweeper, sweeper)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert sum(outcomes) == 80  # each subscription swept by one of them (the other skipped it, locked)
    assert per_event(first) == per_event(second) == dict.fromkeys(ids, 1)


def test_without_the_lock_both_sweepers_insert_and_the_unique_key_keeps_one(subscribe, monkeypatch):
    """Both read the same events before either inserts: INSERT ... ON CONFLICT DO NOTHING decides."""
    subscription, _secret = subscribe(events=["ticket.commented"])
    agent = UserFactory(role=Role.AGENT)
    ids = events(TicketFactory(), agent, 25)
    monkeypatch.setattr(sweep, "_locked", lambda queryset: queryset)
    both_read = threading.Barrier(2)
    insert = sweep.insert_deliveries

    def insert_after_both_read(rows):
        if rows:  # (the work-order source has nothing to insert)
            both_read.wait(timeout=10)
        insert(rows)

    monkeypatch.setattr(sweep, "insert_deliveries", insert_after_both_read)

    outcomes = in_threads(events_sweep, events_sweep)

    assert outcomes == [25, 25]  # both offered every event ...
    assert per_event(subscription) == dict.fromkeys(ids, 1)  # ... and each was inserted once


def test_an_event_committed_after_a_later_one_was_swept_is_still_delivered(subscribe):
    subscription, _secret = subscribe(events=["ticket.commented"])
    agent = UserFactory(role=Role.AGENT)
    ticket = TicketFactory()
    inserted, release = threading.Event(), threading.Event()
    slow_id = []

    def slow_writer():
        with transaction.atomic():
            slow_id.extend(events(ticket, agent, 1))  # its id is taken now ...
            inserted.set()
            release.wait(timeout=20)  # ... and committed only later

    def main():
        inserted.wait(timeout=10)
        fast_id = events(ticket, agent, 1)[0]  # a higher id, committed at once
        first = events_sweep()
        release.set()
        return fast_id, first

    writer, (fast_id, first) = in_threads(slow_writer, main)

    assert writer is None
    assert slow_id[0] < fast_id
    assert first == 1
    assert events_sweep() == 1
    assert per_event(subscription) == {slow_id[0]: 1, fast_id: 1}
