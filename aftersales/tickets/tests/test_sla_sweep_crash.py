"""Exactly once on PostgreSQL: two sweepers at the same time, and a sweeper killed with SIGKILL half way.

The sweepers are real: threads with their own connections, and a separate `python` process that is
killed while its transaction holds written escalations and outbox rows.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from aftersales.accounts.models import DutyShift
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.notifications.models import Outbox
from aftersales.sla.models import SlaPolicy
from aftersales.tickets.choices import Channel, Kind, Level
from aftersales.tickets.models import SlaEscalation
from aftersales.tickets.services import sla_sweep, ticket_create

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks between real connections and a process that can be killed",
    ),
]

REPO = Path(__file__).resolve().parents[3]
TICKETS = 30
# Every P1 ticket five hours late (no one on site) has reached these rungs: response 50/80/100/150 %,
# resolution 50/80/100 % (150 % is at six hours) and the emergency plan at 100 %.
RUNGS_PER_TICKET = 8

# Runs the real sweep, but hangs inside the transaction of batch N, after its rows are written.
SWEEPER = """
import datetime as dt, sys, time
import django
django.setup()
from aftersales.tickets.services import escalation
real_enqueue, batches = escalation.enqueue, []
def enqueue_then_hang(messages, **kwargs):
    batches.append(real_enqueue(messages, **kwargs))
    if len(batches) == int(sys.argv[1]):
        print("written, not committed", flush=True)
        time.sleep(600)
    return batches[-1]
escalation.enqueue = enqueue_then_hang
escalation.sla_sweep(now=dt.datetime.fromisoformat(sys.argv[2]), batch_size=int(sys.argv[3]))
"""


@pytest.fixture
def late_tickets():
    if not SlaPolicy.objects.exists():  # an earlier transactional test flushed the migrations' seed data
        import_module("aftersales.tickets.migrations.0007_default_sla_policies").seed(apps, None)
    agent = UserFactory(role=Role.AGENT)
    duty = UserFactory(role=Role.MANAGER, email="duty@example.com", phone="+8613700000005")
    UserFactory(role=Role.EXPERT, email="expert@example.com", phone="+8613700000004")
    for weekday in range(7):
        DutyShift.objects.create(weekday=weekday, start=dt.time(0), end=dt.time(0), duty_manager=duty)
    customer = CustomerFactory()
    now = timezone.now()
    for number in range(TICKETS):
        ticket_create(
            actor=agent,
            customer=customer,
            title=f"核心交换机宕机 {number}",
            description="全网中断",
            contact_name="赵科长",
            contact_phone="+8613911112222",
            kind=Kind.CATASTROPHIC_FAULT,
            channel=Channel.PHONE,
            urgency=Level.HIGH,
            impact=Level.HIGH,
            received_at=now - dt.timedelta(hours=5),
        )
    return timezone.now()  # after intake, which asks for a check at once


def assert_each_rung_and_message_once(expected_messages: int | None = None):
    assert SlaEscalation.objects.count() == TICKETS * RUNGS_PER_TICKET
    per_ticket = Counter(SlaEscalation.objects.values_list("ticket", flat=True))
    assert set(per_ticket.values()) == {RUNGS_PER_TICKET}
    keys = list(Outbox.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) > 0
    if expected_messages is not None:
        assert len(keys) == expected_messages


def test_two_sweepers_at_once_share_the_work_and_each_rung_is_acted_on_once(late_tickets):
    barrier = threading.Barrier(2)
    results = []

    def sweeper():
        try:
            barrier.wait(timeout=10)
            results.append(sla_sweep(now=late_tickets, batch_size=4))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == 2
    assert sum(result.tickets for result in results) == TICKETS  # no ticket recomputed by both
    assert sum(result.escalations for result in results) == TICKETS * RUNGS_PER_TICKET
    assert_each_rung_and_message_once(expected_messages=sum(result.messages for result in results))


def test_a_sweeper_killed_half_way_loses_nothing_and_its_restart_sends_nothing_twice(late_tickets):
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    sweeper = subprocess.Popen(
        [sys.executable, "-c", SWEEPER, "2", late_tickets.isoformat(), "10"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sweeper.stdout.readline().strip() == "written, not committed"
    finally:
        sweeper.send_signal(signal.SIGKILL)
        sweeper.wait(timeout=30)

    # The first batch of ten committed before the kill; the second died with its transaction.
    assert SlaEscalation.objects.count() == 10 * RUNGS_PER_TICKET
    committed = Outbox.objects.count()

    restart = sla_sweep(now=late_tickets, batch_size=10)

    assert restart.tickets == TICKETS - 10
    assert restart.escalations == (TICKETS - 10) * RUNGS_PER_TICKET
    assert_each_rung_and_message_once(expected_messages=committed + restart.messages)
    assert committed == restart.messages // 2  # ten tickets' messages before, twenty after
