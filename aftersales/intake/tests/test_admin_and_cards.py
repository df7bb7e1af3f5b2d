"""Integrations set up in the admin (tokens shown once, stored hashed), and intake shown on other pages."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory
from aftersales.intake.models import AlertSource, IncomingCall, TelephoneSystem
from aftersales.intake.tests.conftest import alert_source, bearer, telephone_system
from aftersales.intake.tokens import token_hash
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

TOKEN_IN_MESSAGE = re.compile(r" is (\S+)\. Copy it now")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def shown_token(response) -> str:
    """The token in the message of the page the admin was sent to after saving."""
    return TOKEN_IN_MESSAGE.search(response.content.decode()).group(1)


def inline_management(prefix: str) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_creating_an_alert_source_shows_its_token_once_and_stores_only_a_hash(admin_client):
    customer = CustomerFactory()
    ContactFactory(customer=customer)
    agent = UserFactory(role=Role.AGENT)

    with translation.override("en"):
        response = admin_client.post(
            reverse("admin:intake_alertsource_add"),
            {
                "name": "生产 Prometheus",
                "kind": "alertmanager",
                "customer": customer.pk,
                "run_as": agent.pk,
                "is_active": "on",
                "asset_labels": "serial,host,instance",
                "ticket_kind": "general_fault",
                "severity_levels": '{"critical": [1, 1]}',
                **inline_management("hosts"),
            },
            headers={"accept-language": "en"},
            follow=True,
        )

    assert response.redirect_chain[-1][0] == reverse("admin:intake_alertsource_changelist")
    source = AlertSource.objects.get()
    token = shown_token(response)
    assert (source.token_hash, source.token_hint) == (token_hash(token), token[:6])
    assert token not in source.token_hash
    api = admin_client.post("/api/v1/alerts/", {"alerts": []}, content_type="application/json", **bearer(token))
    assert api.status_code == 400  # authenticated; the empty payload is what is refused
    page = admin_client.get(reverse("admin:intake_alertsource_change", args=[source.pk])).content.decode()
    assert token not in page


def test_an_alert_source_must_register_tickets_as_someone_allowed_to(admin_client):
    customer = CustomerFactory()
    other_contact = ContactFactory()
    engineer = UserFactory(role=Role.ENGINEER)

    response = admin_client.post(
        reverse("admin:intake_alertsource_add"),
        {
            "name": "x",
            "kind": "zabbix",
            "customer": customer.pk,
            "contact": other_contact.pk,
            "run_as": engineer.pk,
            "asset_labels": "host",
            "ticket_kind": "general_fault",
            "severity_levels": '{"high": [1, 7]}',
            **inline_management("hosts"),
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"contact", "run_as", "severity_levels"}
    assert not AlertSource.objects.exists()


def test_renewing_a_token_stops_the_old_one(admin_client, client):
    system, old = telephone_system()

    response = admin_client.post(
        reverse("admin:intake_telephonesystem_changelist"),
        {"action": "renew_token", "_selected_action": [system.pk]},
        headers={"accept-language": "en"},
        follow=True,
    )

    new = shown_token(response)
    event = {"call_id": "c-1", "caller": "13912345678", "agent": "nobody"}
    assert (
        client.post("/api/v1/telephony/calls/", event, content_type="application/json", **bearer(old)).status_code
        == 401
    )
    assert (
        client.post("/api/v1/telephony/calls/", event, content_type="application/json", **bearer(new)).status_code
        == 201
    )


def test_creating_a_telephone_system_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:intake_telephonesystem_add"),
        {"name": "Avaya", "is_active": "on", **inline_management("extensions")},
        headers={"accept-language": "en"},
        follow=True,
    )

    assert TelephoneSystem.objects.get().token_hash == token_hash(shown_token(response))


def render_tag(source: str, user, **context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load intake %}" + source).render(Context({"request": request, "user": user, **context}))


def ringing_call(agent):
    system, _token = telephone_system()
    return IncomingCall.objects.create(
        system=system,
        call_id="c-1",
        caller="13912345678",
        caller_e164="+8613912345678",
        agent_ref="a",
        agent=agent,
        rang_at=system.created_at,
    )


def test_the_pop_up_tag_floats_for_agents_only_and_not_on_the_hotline_page():
    agent = UserFactory(role=Role.AGENT)
    ringing_call(agent)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=CustomerFactory())

    floating = render_tag("{% incoming_calls %}", agent)

    # Rendered empty (no query on every page) and filled by its first poll, which the floating panel asks for at once.
    assert 'data-testid="incoming-call"' not in floating
    assert "position-fixed" in floating
    assert "floating=1" in floating
    assert 'hx-trigger="load, every 3s"' in floating
    assert render_tag("{% incoming_calls %}", agent, hotline_page=True) == ""
    assert render_tag("{% incoming_calls %}", customer_user) == ""
    assert render_tag("{% incoming_calls %}", UserFactory(role=Role.ENGINEER)) == ""


def test_the_ticket_card_tells_staff_how_the_ticket_came_in_and_customers_nothing():
    agent = UserFactory(role=Role.AGENT)
    ticket = TicketFactory()
    call = ringing_call(agent)
    IncomingCall.objects.filter(pk=call.pk).update(ticket=ticket, outcome="logged", handled_at=call.rang_at)
    source, _token = alert_source(ticket.customer)
    source.alerts.create(
        fingerprint="f",
        title="磁盘",
        ticket=ticket,
        started_at=call.rang_at,
        first_received_at=call.rang_at,
        last_received_at=call.rang_at,
        repeat_count=2,
    )
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)

    with translation.override("en"):
        staff_view = render_tag("{% intake_origin_card ticket %}", agent, ticket=ticket)
        customer_view = render_tag("{% intake_origin_card ticket %}", customer_user, ticket=ticket)

    assert "Call from 13912345678" in staff_view
    assert f"Monitoring alert from {source.name}: Firing, repeated 2 times" in staff_view
    assert customer_view.strip() == ""
