"""Input meant to break intake: NUL and impossible times in alert payloads, the register at the calendar's ends,
a ticket number typed in lower case on the hotline."""

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import ContactFactory
from aftersales.intake.models import Alert, AlertSource, CallOutcome, IncomingCall, SourceKind
from aftersales.intake.tests.conftest import alert_source, telephone_system
from aftersales.intake.tests.test_alerts import alertmanager, am_alert, post
from aftersales.intake.tests.test_hotline import ring
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
NUL_REFUSED = ["Null characters are not allowed."]
BAD_TIME = ["Expected an ISO 8601 time with a time zone."]


@pytest.fixture
def agent():
    return UserFactory(username="agent1", role=Role.AGENT)


@pytest.fixture
def monitored(agent):
    contact = ContactFactory(name="值班室", phone="+8657188886666")
    source, token = alert_source(contact.customer)
    return {"customer": contact.customer, "source": source, "token": token}


def nothing_saved() -> bool:
    return not (Alert.objects.exists() or Ticket.objects.exists() or TicketEvent.objects.exists())


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda alert: alert["annotations"].update(summary="磁盘\x00满"), "alerts[0].annotations"),
        (lambda alert: alert["labels"].update(instance="host\x00:9100"), "alerts[0].labels"),
        (lambda alert: alert["labels"].update({"ra\x00ck": "A3"}), "alerts[0].labels"),
        (lambda alert: alert.update(fingerprint="f1\x00"), "alerts[0].fingerprint"),
    ],
)
def test_nul_anywhere_in_an_alertmanager_payload_is_a_400_and_nothing_is_saved(client, monitored, change, path):
    alert = am_alert()
    change(alert)

    response = post(client, monitored["token"], alertmanager(alert))

    assert response.status_code == 400
    assert response.json()["detail"] == {path: NUL_REFUSED}
    assert nothing_saved()
    assert AlertSource.objects.get().last_received_at is None


@pytest.mark.parametrize("moment", ["2026-13-01T02:00:00Z", "2026-02-30T02:00:00Z", "2026-03-01T02:00:00+24:00"])
def test_an_impossible_time_is_a_400_not_a_server_error(client, monitored, moment):
    alert = am_alert()
    alert["startsAt"] = moment

    response = post(client, monitored["token"], alertmanager(alert))

    assert response.status_code == 400
    assert response.json()["detail"] == {"alerts[0].startsAt": BAD_TIME}
    assert nothing_saved()


def test_zabbix_and_generic_payloads_refuse_nul_and_impossible_times(client, monitored):
    _zabbix, zabbix_token = alert_source(monitored["customer"], kind=SourceKind.ZABBIX)
    _generic, generic_token = alert_source(monitored["customer"], kind=SourceKind.GENERIC)
    zabbix = {
        "trigger_id": "1",
        "event_id": "1",
        "host": "core\x00sw",
        "status": "PROBLEM",
        "event_time": "2026-99-01T00:00:00+08:00",
    }
    generic = {"fingerprint": "ups", "status": "firing", "title": "UPS", "labels": {"site": "\x00"}}

    zabbix_answer = post(client, zabbix_token, zabbix)
    generic_answer = post(client, generic_token, generic)

    assert (zabbix_answer.status_code, generic_answer.status_code) == (400, 400)
    assert zabbix_answer.json()["detail"] == {"host": NUL_REFUSED, "event_time": BAD_TIME}
    assert generic_answer.json()["detail"] == {"labels": NUL_REFUSED}
    assert nothing_saved()


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "3000-01"])
def test_the_register_at_the_calendars_ends_shows_this_month(client, agent, month):
    client.force_login(agent)

    response = client.get(reverse("fax_register"), {"month": month}, headers={"accept-language": "en"})

    assert response.status_code == 200
    assert response.context["query"].errors == {"month": ["Choose a month from 2000-01 to 2999-12."]}
    assert response.context["month"] == response.context["query"].month_start()


def test_the_register_still_opens_its_first_and_last_months(client, agent):
    client.force_login(agent)

    first = client.get(reverse("fax_register"), {"month": "2000-01"})
    last = client.get(reverse("fax_register"), {"month": "2999-12"})

    assert (first.context["previous_month"].isoformat(), last.context["next_month"].isoformat()) == (
        "1999-12-01",
        "3000-01-01",
    )


def test_a_call_is_logged_on_a_ticket_number_typed_in_lower_case(client, agent):
    ticket = TicketFactory(number="SR202603010007")
    _system, token = telephone_system()
    ring(client, token)
    call = IncomingCall.objects.get()
    client.force_login(agent)

    response = client.post(reverse("call_log", args=[call.pk]), {"ticket": " sr202603010007 ", "note": "回电"})

    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.ticket, call.outcome) == (ticket, CallOutcome.LOGGED)
