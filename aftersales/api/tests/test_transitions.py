"""/api/v1/ticket-transitions/: status changes as timeline entries, and asking for one."""

import pytest

from aftersales.tickets import services
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.tests.factories import TicketFactory

URL = "/api/v1/ticket-transitions/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer1, engineer):
    return TicketFactory(customer=customer1, status="assigned", assignee=engineer)


def move(client, ticket, action, version, **extra):
    return client.post(URL, {"ticket": ticket.id, "action": action, "version": version, **extra}, format="json")


def test_the_assignee_accepts_a_ticket(api_as, engineer, ticket):
    response = move(api_as(engineer), ticket, "accept", 1)

    assert response.status_code == 201
    body = response.json()
    assert (body["action"], body["from_status"], body["to_status"], body["ticket_version"]) == (
        "accept",
        "assigned",
        "in_progress",
        2,
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("in_progress", 2)
    assert ticket.responded_at is not None


def test_the_list_shows_status_changes_for_a_ticket(api_as, engineer, agent, ticket, customer1):
    other = TicketFactory(customer=customer1, status="assigned", assignee=engineer)
    services.ticket_transition(actor=engineer, ticket=ticket, action="accept", version=1)
    services.ticket_transition(actor=engineer, ticket=other, action="accept", version=1)
    services.comment_add(actor=agent, ticket=ticket, body="说明")

    rows = api_as(agent).get(URL, {"ticket": ticket.id}).json()["results"]

    assert [(row["ticket"], row["action"], row["to_status"]) for row in rows] == [(ticket.id, "accept", "in_progress")]


def test_resolving_without_a_resolution_names_the_fields_and_changes_nothing(api_as, engineer, ticket):
    services.ticket_transition(actor=engineer, ticket=ticket, action="accept", version=1)

    response = move(api_as(engineer), ticket, "resolve", 2)

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"resolution", "resolution_method"}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("in_progress", 2)


def test_resolving_records_how(api_as, engineer, ticket):
    services.ticket_transition(actor=engineer, ticket=ticket, action="accept", version=1)

    response = move(
        api_as(engineer),
        ticket,
        "resolve",
        2,
        resolution="更换电源模块",
        resolution_method="on_site",
        root_cause="老化",
    )

    assert response.status_code == 201
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution, ticket.resolution_method, ticket.root_cause) == (
        "resolved",
        "更换电源模块",
        "on_site",
        "老化",
    )


def test_a_stale_version_is_a_conflict(api_as, engineer, ticket):
    response = move(api_as(engineer), ticket, "accept", 7)

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("assigned", 1)
    assert not TicketEvent.objects.exists()


def test_a_move_the_table_does_not_allow_is_refused(api_as, agent, ticket):
    response = move(api_as(agent), ticket, "close", 1)

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    ticket.refresh_from_db()
    assert ticket.status == "assigned"


def test_an_unknown_action_names_the_field(api_as, engineer, ticket):
    response = move(api_as(engineer), ticket, "teleport", 1)

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"action"}


def test_a_reason_is_required_where_the_table_says_so(api_as, agent, ticket):
    response = move(api_as(agent), ticket, "cancel", 1)

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"note"}
    ticket.refresh_from_db()
    assert ticket.status == "assigned"


def test_the_customer_confirms_a_resolution_but_may_not_close(api_as, customer_user1, customer1, engineer):
    ticket = TicketFactory(customer=customer1, status="resolved", assignee=engineer)
    client = api_as(customer_user1)

    close = move(client, ticket, "close", 1)
    confirm = move(client, ticket, "confirm", 1)

    assert close.status_code == 403
    assert confirm.status_code == 201
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("confirmed", 2)


def test_another_customers_transitions_are_not_found_and_cannot_be_made(api_as, customer_user2, customer1, engineer):
    ticket = TicketFactory(customer=customer1, status="resolved", assignee=engineer)
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=engineer,
        kind="status_changed",
        from_status="in_progress",
        to_status="resolved",
        at=ticket.received_at,
    )
    client = api_as(customer_user2)

    listing = client.get(URL, {"ticket": ticket.id}).json()
    detail = client.get(f"{URL}{event.id}/")
    confirm = move(client, ticket, "confirm", 1)

    assert listing["count"] == 0
    assert detail.status_code == confirm.status_code == 404
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("resolved", 1)
    assert TicketEvent.objects.count() == 1
