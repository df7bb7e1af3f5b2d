"""Two deliveries of the same new alert at the same moment, on PostgreSQL: one ticket, one repeat.

Each thread has its own connection, so the transactions really overlap: the first holds its transaction
open after inserting the alert; the second finds no current alert, and its insert waits on the partial
unique index until the first commits, then fails and is recorded as a repeat. SQLite serialises writers, so
the test says nothing there and is skipped.
"""

import pytest
from django.db import connection

from aftersales.customers.tests.factories import ContactFactory
from aftersales.intake.alert_payloads import parse
from aftersales.intake.alerts import alerts_receive
from aftersales.intake.models import Alert, AlertSource, SourceKind
from aftersales.intake.tests.conftest import alert_source
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.tests.test_concurrency import held, run_at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: two real connections (SQLite serialises all writers)",
    ),
]

PAYLOAD = {
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "NodeDown", "instance": "db01:9100", "severity": "critical"},
            "annotations": {"summary": "数据库服务器宕机"},
            "startsAt": "2026-03-01T02:00:00Z",
            "fingerprint": "0f0e0d",
        }
    ]
}


def test_two_deliveries_of_one_new_alert_at_once_open_one_ticket():
    contact = ContactFactory(phone="+8657188886666")
    source_id = alert_source(contact.customer, kind=SourceKind.ALERTMANAGER)[0].pk

    def delivery():
        def prepare():
            return AlertSource.objects.select_related("run_as", "customer").get(pk=source_id)

        def act(source):
            results = held(lambda: alerts_receive(source=source, alerts=parse(source.kind, PAYLOAD)))
            return results[0].outcome

        return prepare, act

    outcomes = run_at_once(delivery(), delivery())

    assert sorted(outcomes) == ["opened", "repeated"]
    ticket = Ticket.objects.get()
    alert = Alert.objects.get()
    assert (alert.ticket_id, alert.repeat_count, alert.is_current) == (ticket.pk, 1, True)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ALERT_REPEATED).count() == 1
