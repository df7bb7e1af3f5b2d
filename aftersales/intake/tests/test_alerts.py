"""Monitoring alerts through POST /api/v1/alerts/: one ticket per alert, repeats and recovery on it."""

import copy

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.customers.tests.factories import ContactFactory, SiteFactory
from aftersales.intake.models import Alert, AlertHost, AlertSource, AlertStatus, SourceKind
from aftersales.intake.tests.conftest import alert_source, bearer, telephone_system
from aftersales.tickets.choices import Channel, EventKind, Level, Status
from aftersales.tickets.models import Comment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/alerts/"


@pytest.fixture
def world():
    site = SiteFactory(name="滨江机房")
    customer = site.customer
    contact = ContactFactory(customer=customer, site=site, name="值班室", phone="+8657188886666")
    asset = AssetFactory(site=site, serial_number="2102311XYZ")
    source, token = alert_source(customer)
    return {"customer": customer, "site": site, "contact": contact, "asset": asset, "source": source, "token": token}


def alertmanager(*alerts):
    return {
        "version": "4",
        "groupKey": '{}:{alertname="DiskFull"}',
        "status": alerts[0]["status"] if alerts else "firing",
        "receiver": "aftersales",
        "alerts": list(alerts),
    }


def am_alert(status="firing", fingerprint="f1a2b3", **labels):
    return {
        "status": status,
        "labels": {"alertname": "DiskFull", "severity": "critical", "instance": "2102311XYZ:9100", **labels},
        "annotations": {"summary": "磁盘空间不足", "description": "/data 使用率 97%"},
        "startsAt": "2026-03-01T02:00:00Z",
        "endsAt": "2026-03-01T03:00:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus/graph",
        "fingerprint": fingerprint,
    }


def post(client, token, payload):
    return client.post(URL, payload, content_type="application/json", **bearer(token))


def test_a_firing_alert_opens_a_ticket_for_its_asset(client, world):
    response = post(client, world["token"], alertmanager(am_alert()))

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert response.json() == {"results": [{"fingerprint": "f1a2b3", "outcome": "opened", "ticket": ticket.number}]}
    assert (ticket.customer, ticket.site, list(ticket.assets.all())) == (
        world["customer"],
        world["site"],
        [world["asset"]],
    )
    assert (ticket.channel, ticket.title, ticket.urgency, ticket.impact) == (
        Channel.API,
        "磁盘空间不足",
        Level.HIGH,
        Level.HIGH,
    )
    assert ticket.created_by == world["source"].run_as
    assert (ticket.contact_name, str(ticket.contact_phone)) == ("值班室", "+8657188886666")
    assert ticket.description.startswith("/data 使用率 97%\n")
    assert "instance=2102311XYZ:9100" in ticket.description
    marked = TicketEvent.objects.get(ticket=ticket, kind=EventKind.UPDATED)
    assert marked.data == {
        "source": "monitoring",
        "alert": Alert.objects.get().pk,
        "alert_source": world["source"].pk,
        "fingerprint": "f1a2b3",
        "severity": "critical",
        "asset_matched": True,
        "public": False,
    }
    alert = Alert.objects.get()
    assert (alert.ticket, alert.status, alert.is_current, alert.repeat_count, alert.asset) == (
        ticket,
        AlertStatus.FIRING,
        True,
        0,
        world["asset"],
    )


def test_repeats_of_the_same_alert_are_counted_on_its_ticket_never_a_second_ticket(client, world):
    for _time in range(3):
        response = post(client, world["token"], alertmanager(am_alert()))

    assert response.json()["results"][0]["outcome"] == "repeated"
    ticket = Ticket.objects.get()
    repeats = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ALERT_REPEATED).order_by("id")
    assert [event.data["count"] for event in repeats] == [1, 2]
    assert Alert.objects.get().repeat_count == 2


def test_another_fingerprint_is_another_ticket_and_one_delivery_may_carry_both(client, world):
    response = post(client, world["token"], alertmanager(am_alert(fingerprint="b"), am_alert(fingerprint="a")))

    assert [row["outcome"] for row in response.json()["results"]] == ["opened", "opened"]
    assert Ticket.objects.count() == 2


def test_a_recovery_is_recorded_with_an_internal_note_and_the_ticket_stays_open(client, world):
    post(client, world["token"], alertmanager(am_alert()))

    response = post(client, world["token"], alertmanager(am_alert(status="resolved")))

    assert response.json()["results"][0]["outcome"] == "recovered"
    ticket = Ticket.objects.get()
    assert ticket.status == Status.NEW  # recovery does not close the ticket
    recovered = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ALERT_RECOVERED)
    assert recovered.data["recovered_at"] == "2026-03-01T03:00:00+00:00"
    note = Comment.objects.get(ticket=ticket)
    assert note.is_public is False
    assert "磁盘空间不足" in note.body
    alert = Alert.objects.get()
    assert (alert.status, alert.is_current) == (AlertStatus.RESOLVED, True)


def test_a_repeated_recovery_or_one_for_an_unknown_alert_changes_nothing(client, world):
    post(client, world["token"], alertmanager(am_alert()))
    post(client, world["token"], alertmanager(am_alert(status="resolved")))

    again = post(client, world["token"], alertmanager(am_alert(status="resolved")))
    unknown = post(client, world["token"], alertmanager(am_alert(status="resolved", fingerprint="never-fired")))

    assert again.json()["results"][0]["outcome"] == "ignored"
    assert unknown.json()["results"] == [{"fingerprint": "never-fired", "outcome": "ignored", "ticket": None}]
    assert TicketEvent.objects.filter(kind=EventKind.ALERT_RECOVERED).count() == 1
    assert Comment.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_firing_again_after_recovery_on_an_open_ticket_is_a_repeat(client, world):
    post(client, world["token"], alertmanager(am_alert()))
    post(client, world["token"], alertmanager(am_alert(status="resolved")))

    response = post(client, world["token"], alertmanager(am_alert()))

    assert response.json()["results"][0]["outcome"] == "repeated"
    assert Alert.objects.get().status == AlertStatus.FIRING
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize("ended", [Status.CLOSED, Status.CANCELLED])
def test_after_the_ticket_is_closed_a_new_firing_opens_a_new_ticket(client, world, ended):
    post(client, world["token"], alertmanager(am_alert()))
    Ticket.objects.update(status=ended)

    response = post(client, world["token"], alertmanager(am_alert()))

    assert response.json()["results"][0]["outcome"] == "opened"
    first, second = Alert.objects.order_by("id")
    assert (first.is_current, second.is_current) == (False, True)
    assert first.ticket != second.ticket
    assert Ticket.objects.count() == 2


def test_a_resolved_ticket_still_collects_its_alert(client, world):
    post(client, world["token"], alertmanager(am_alert()))
    Ticket.objects.update(status=Status.RESOLVED)

    response = post(client, world["token"], alertmanager(am_alert()))

    assert response.json()["results"][0]["outcome"] == "repeated"
    assert Ticket.objects.count() == 1


def test_a_mapped_host_names_the_asset_and_the_severity_sets_the_levels(client, world):
    source = world["source"]
    source.asset_labels = "host"
    source.save()
    other_asset = AssetFactory(site=world["site"])
    AlertHost.objects.create(source=source, name="db01", asset=other_asset)

    post(client, world["token"], alertmanager(am_alert(host="db01", severity="warning")))

    ticket = Ticket.objects.get()
    assert list(ticket.assets.all()) == [other_asset]
    assert (ticket.urgency, ticket.impact) == (Level.MEDIUM, Level.MEDIUM)


def test_an_unknown_host_opens_a_ticket_without_an_asset(client, world):
    post(client, world["token"], alertmanager(am_alert(instance="10.9.9.9:9100")))

    ticket = Ticket.objects.get()
    assert list(ticket.assets.all()) == []
    assert ticket.site == world["site"]  # the contact's site
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.UPDATED).data["asset_matched"] is False


def test_another_customers_serial_is_never_matched(client, world):
    foreign = AssetFactory(serial_number="FOREIGN-1")

    post(client, world["token"], alertmanager(am_alert(instance="FOREIGN-1")))

    ticket = Ticket.objects.get()
    assert ticket.customer == world["customer"]
    assert foreign not in ticket.assets.all()


def test_zabbix_problem_and_ok(client, world):
    source, token = alert_source(world["customer"], kind=SourceKind.ZABBIX)
    AlertHost.objects.create(source=source, name="core-sw-01", asset=world["asset"])
    problem = {
        "event_id": "9001",
        "trigger_id": "13570",
        "host": "core-sw-01",
        "severity": "Disaster",
        "status": "PROBLEM",
        "subject": "核心交换机不可达",
        "message": "ICMP ping 失败",
    }

    opened = post(client, token, problem)
    again = post(client, token, {**problem, "event_id": "9002"})
    recovered = post(client, token, {**problem, "event_id": "9003", "status": "OK"})

    assert [r.json()["results"][0]["outcome"] for r in (opened, again, recovered)] == [
        "opened",
        "repeated",
        "recovered",
    ]
    ticket = Ticket.objects.get()
    assert (ticket.title, ticket.urgency, list(ticket.assets.all())) == (
        "核心交换机不可达",
        Level.HIGH,
        [world["asset"]],
    )
    assert Alert.objects.get().fingerprint == "trigger:13570"


def test_a_generic_alert(client, world):
    _source, token = alert_source(world["customer"], kind=SourceKind.GENERIC)

    response = post(client, token, {"fingerprint": "ups-1-battery", "status": "firing", "title": "UPS 电池告警"})

    assert response.status_code == 200
    assert Ticket.objects.get().title == "UPS 电池告警"


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ([], "payload"),
        ({"alerts": []}, "alerts"),
        (alertmanager({**am_alert(), "status": "burning"}), "alerts[0].status"),
        (alertmanager({**am_alert(), "labels": {"severity": "critical"}}), "alerts[0].labels"),
        (alertmanager({**am_alert(), "labels": {"alertname": "X", "port": 9100}}), "alerts[0].labels"),
        (alertmanager({**am_alert(), "startsAt": "yesterday"}), "alerts[0].startsAt"),
        (alertmanager({**am_alert(), "fingerprint": "x" * 201}), "alerts[0].fingerprint"),
    ],
    ids=["not-an-object", "no-alerts", "bad-status", "no-alertname", "non-string-label", "bad-time", "long-id"],
)
def test_bad_payloads_are_refused_whole_with_the_problem_named(client, world, payload, problem):
    response = post(client, world["token"], payload)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert problem in body["detail"]
    assert not Ticket.objects.exists()
    assert not Alert.objects.exists()


def test_one_bad_alert_in_a_delivery_saves_none_of_them(client, world):
    bad = copy.deepcopy(am_alert(fingerprint="bad"))
    bad["annotations"] = ["not", "an", "object"]

    response = post(client, world["token"], alertmanager(am_alert(fingerprint="good"), bad))

    assert response.status_code == 400
    assert list(response.json()["detail"]) == ["alerts[1].annotations"]
    assert not Ticket.objects.exists()


def test_malformed_json_is_a_400(client, world):
    response = client.post(URL, "{not json", content_type="application/json", **bearer(world["token"]))

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Alert.objects.exists()


def test_a_zabbix_payload_sent_to_an_alertmanager_source_is_refused(client, world):
    response = post(client, world["token"], {"trigger_id": "1", "event_id": "1", "host": "h", "status": "PROBLEM"})

    assert response.status_code == 400
    assert list(response.json()["detail"]) == ["alerts"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("case", ["none", "wrong", "switched-off", "telephone-token", "user-token", "not-bearer"])
def test_without_the_sources_token_nothing_is_saved(client, world, case):
    headers = bearer(world["token"])
    if case == "none":
        headers.pop("HTTP_AUTHORIZATION")
    elif case == "wrong":
        headers = bearer(world["token"][:-2] + "xx")
    elif case == "switched-off":
        AlertSource.objects.update(is_active=False)
    elif case == "telephone-token":
        headers = bearer(telephone_system()[1])
    elif case == "user-token":
        from rest_framework.authtoken.models import Token

        user = UserFactory(role=Role.ADMIN)
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=user).key}"
    elif case == "not-bearer":
        headers["HTTP_AUTHORIZATION"] = f"Basic {world['token']}"

    response = client.post(URL, alertmanager(am_alert()), content_type="application/json", **headers)

    assert response.status_code == 401
    assert response.json()["code"] in {"not_authenticated", "authentication_failed"}
    assert not Alert.objects.exists()
    assert not Ticket.objects.exists()


def test_a_signed_in_customer_or_staff_session_cannot_post_alerts(client, world):
    for user in (UserFactory(role=Role.CUSTOMER, customer=world["customer"]), UserFactory(role=Role.ADMIN)):
        client.force_login(user)
        response = client.post(URL, alertmanager(am_alert()), content_type="application/json")
        assert response.status_code == 401
    assert not Alert.objects.exists()


def test_a_source_whose_account_lost_its_rights_is_refused_and_saves_nothing(client, world):
    run_as = world["source"].run_as
    run_as.role = Role.ENGINEER
    run_as.save()

    response = client.post(URL, alertmanager(am_alert()), content_type="application/json", **bearer(world["token"]))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Alert.objects.exists()


def test_customers_cannot_see_alert_events_on_their_ticket(client, world):
    post(client, world["token"], alertmanager(am_alert()))
    post(client, world["token"], alertmanager(am_alert()))
    customer_user = UserFactory(role=Role.CUSTOMER, customer=world["customer"])

    kinds = set(TicketEvent.objects.visible_to(customer_user).values_list("kind", flat=True))

    assert EventKind.ALERT_REPEATED not in kinds
    assert EventKind.CREATED in kinds


def test_the_alert_list_shows_recent_alerts_with_their_tickets_in_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    for index in range(4):
        post(client, world["token"], alertmanager(am_alert(fingerprint=f"f{index}")))
    client.force_login(UserFactory(role=Role.ENGINEER))
    client.get(reverse("alert_list"))

    # session, user, permissions (user's, groups'), the page of alerts with source, asset, product, vendor and
    # ticket joined, the unread-notification badge, the filter's sources (counted, then listed)
    with django_assert_num_queries(8):
        response = client.get(reverse("alert_list"))

    page = response.content.decode()
    assert page.count('data-testid="alert-row"') == 4
    for ticket in Ticket.objects.all():
        assert ticket.number in page


def test_the_alert_list_filters_by_status(client, world):
    post(client, world["token"], alertmanager(am_alert(fingerprint="up")))
    post(client, world["token"], alertmanager(am_alert(fingerprint="down")))
    post(client, world["token"], alertmanager(am_alert(fingerprint="up", status="resolved")))
    client.force_login(UserFactory(role=Role.AGENT))

    page = client.get(reverse("alert_list"), {"status": "resolved"}).content.decode()

    assert page.count('data-testid="alert-row"') == 1
    assert f'data-alert="{Alert.objects.get(fingerprint="up").pk}"' in page


def test_customers_cannot_see_the_alert_list(client, world):
    post(client, world["token"], alertmanager(am_alert()))
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=world["customer"]))

    assert client.get(reverse("alert_list")).status_code == 404
