"""/api/v1/tickets/<number>/: integrations read, edit, comment on and move a ticket by its number.

The number (SR202611220001) stands wherever the id does, with the same services behind it: the version
check (409 when stale), comment_add and ticket_transition; a number the user may not see is a 404 shaped
exactly like a number nobody has.
"""

import pytest

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.tickets import services
from aftersales.tickets.models import Comment, Ticket, TicketEvent
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "message": "Not found.", "detail": {}}


@pytest.fixture
def ticket(customer1, engineer):
    return TicketFactory(customer=customer1, number="SR202611220001", status="assigned", assignee=engineer)


@pytest.fixture
def english(api_as):
    def make(user):
        client = api_as(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return make


def snapshot(ticket):
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.version,
        ticket.title,
        ticket.events.count(),
        ticket.comments.count(),
    )


# Reading --------------------------------------------------------------------------------------------


def test_a_ticket_reads_the_same_by_number_as_by_id(api_as, agent, ticket):
    client = api_as(agent)

    by_id = client.get(f"/api/v1/tickets/{ticket.id}/")
    by_number = client.get("/api/v1/tickets/SR202611220001/")

    assert by_number.status_code == 200
    assert by_number.json() == by_id.json()
    assert by_number.json()["id"] == ticket.id


def test_the_number_is_read_in_any_letter_case(api_as, agent, ticket):
    response = api_as(agent).get("/api/v1/tickets/sr202611220001/")

    assert response.status_code == 200
    assert response.json()["number"] == "SR202611220001"


def test_customers_read_their_own_ticket_by_number(api_as, customer_user1, ticket):
    response = api_as(customer_user1).get("/api/v1/tickets/SR202611220001/")

    assert response.status_code == 200
    assert response.json()["id"] == ticket.id


def test_another_customers_number_is_not_found_exactly_like_a_missing_one(english, customer_user2, ticket):
    client = english(customer_user2)

    theirs = client.get("/api/v1/tickets/SR202611220001/")
    missing = client.get("/api/v1/tickets/SR209912310001/")

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json() == NOT_FOUND


def test_text_that_is_not_a_number_or_an_id_does_not_match_the_route(api_as, agent, ticket):
    assert api_as(agent).get("/api/v1/tickets/SR-2026/").status_code == 404
    assert api_as(agent).get("/api/v1/tickets/%E5%B7%A5%E5%8D%95/").status_code == 404


# Editing --------------------------------------------------------------------------------------------


def test_patch_by_number_changes_the_fields_given_and_bumps_the_version(api_as, agent, ticket):
    response = api_as(agent).patch(
        "/api/v1/tickets/SR202611220001/", {"version": 1, "title": "核心交换机宕机"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["version"]) == ("核心交换机宕机", 2)
    ticket.refresh_from_db()
    assert (ticket.title, ticket.version) == ("核心交换机宕机", 2)
    assert TicketEvent.objects.filter(ticket=ticket, kind="updated", actor=agent).count() == 1


def test_patch_by_number_with_a_stale_version_is_a_conflict_and_changes_nothing(english, agent, ticket):
    services.ticket_update(actor=agent, ticket=ticket, version=1, title="别人先改了")
    before = snapshot(ticket)

    response = english(agent).patch(
        "/api/v1/tickets/SR202611220001/", {"version": 1, "title": "我的修改"}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["message"] == "This record was changed by someone else. Reload it and try again."
    assert snapshot(ticket) == before
    assert ticket.title == "别人先改了"


def test_another_customers_ticket_cannot_be_edited_or_assigned_by_number(api_as, customer_user2, engineer, ticket):
    before = snapshot(ticket)
    client = api_as(customer_user2)

    patch = client.patch("/api/v1/tickets/SR202611220001/", {"version": 1, "title": "x"}, format="json")
    assign = client.post(
        "/api/v1/tickets/SR202611220001/assign/", {"assignee": engineer.id, "version": 1}, format="json"
    )

    assert patch.status_code == assign.status_code == 404
    assert snapshot(ticket) == before


def test_a_dispatcher_assigns_by_number(api_as, agent, ticket):
    other_engineer = UserFactory(username="engineer2", role=Role.ENGINEER)

    response = api_as(agent).post(
        "/api/v1/tickets/SR202611220001/assign/", {"assignee": other_engineer.id, "version": 1}, format="json"
    )

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.version) == (other_engineer, 2)


# Comments -------------------------------------------------------------------------------------------


def test_staff_comment_on_a_ticket_by_number(api_as, agent, ticket):
    response = api_as(agent).post(
        "/api/v1/tickets/SR202611220001/comments/", {"body": "备件明天到。", "is_public": False}, format="json"
    )

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert (comment.ticket, comment.author, comment.body, comment.is_public) == (ticket, agent, "备件明天到。", False)
    assert response.json()["id"] == comment.id
    assert response.json()["ticket"] == ticket.id
    assert TicketEvent.objects.filter(ticket=ticket, kind="commented", data__comment=comment.id).count() == 1


def test_a_customers_comment_by_number_is_always_public(api_as, customer_user1, ticket):
    response = api_as(customer_user1).post(
        "/api/v1/tickets/SR202611220001/comments/", {"body": "请尽快上门。", "is_public": False}, format="json"
    )

    assert response.status_code == 201
    assert Comment.objects.get().is_public is True


def test_the_comments_of_a_ticket_by_number_hide_internal_notes_from_customers(
    api_as, agent, customer_user1, ticket, customer1
):
    public = services.comment_add(actor=agent, ticket=ticket, body="工程师已出发。", is_public=True)
    internal = services.comment_add(actor=agent, ticket=ticket, body="客户欠费。", is_public=False)
    services.comment_add(actor=agent, ticket=TicketFactory(customer=customer1), body="另一张工单")

    staff_rows = api_as(agent).get("/api/v1/tickets/SR202611220001/comments/").json()["results"]
    customer_rows = api_as(customer_user1).get("/api/v1/tickets/SR202611220001/comments/").json()["results"]

    assert [row["id"] for row in staff_rows] == [public.id, internal.id]
    assert [row["id"] for row in customer_rows] == [public.id]


def test_the_comment_list_costs_the_same_for_any_number_of_comments(api_as, agent, ticket, django_assert_num_queries):
    client = api_as(agent)
    services.comment_add(actor=agent, ticket=ticket, body="一")
    client.get("/api/v1/tickets/SR202611220001/comments/")  # warm the content types and the session

    # The ticket, the page's count, the page of comments with their authors.
    with django_assert_num_queries(3):
        one = client.get("/api/v1/tickets/SR202611220001/comments/")
    for text in ("二", "三", "四"):
        services.comment_add(actor=agent, ticket=ticket, body=text)
    with django_assert_num_queries(3):
        four = client.get("/api/v1/tickets/SR202611220001/comments/")

    assert (one.json()["count"], four.json()["count"]) == (1, 4)


def test_another_customer_can_neither_read_nor_add_comments_by_number(api_as, agent, customer_user2, ticket):
    services.comment_add(actor=agent, ticket=ticket, body="公开回复", is_public=True)
    before = snapshot(ticket)
    client = api_as(customer_user2)

    read = client.get("/api/v1/tickets/SR202611220001/comments/")
    write = client.post("/api/v1/tickets/SR202611220001/comments/", {"body": "冒充"}, format="json")

    assert read.status_code == write.status_code == 404
    assert "公开回复" not in read.content.decode()
    assert snapshot(ticket) == before
    assert not Comment.objects.filter(body="冒充").exists()


def test_an_empty_comment_names_the_field_and_saves_nothing(english, agent, ticket):
    response = english(agent).post("/api/v1/tickets/SR202611220001/comments/", {"body": ""}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["detail"]) == {"body"}
    assert not Comment.objects.exists()


# Status changes -------------------------------------------------------------------------------------


def test_the_assignee_moves_a_ticket_by_number(api_as, engineer, ticket):
    response = api_as(engineer).post(
        "/api/v1/tickets/SR202611220001/transitions/", {"action": "accept", "version": 1}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["ticket"], body["action"], body["from_status"], body["to_status"], body["ticket_version"]) == (
        ticket.id,
        "accept",
        "assigned",
        "in_progress",
        2,
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("in_progress", 2)


def test_a_transition_by_number_with_a_stale_version_is_a_conflict_and_changes_nothing(english, engineer, ticket):
    services.ticket_update(actor=engineer, ticket=ticket, version=1, title="先改了")
    before = snapshot(ticket)

    response = english(engineer).post(
        "/api/v1/tickets/SR202611220001/transitions/", {"action": "accept", "version": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert snapshot(ticket) == before
    assert ticket.status == "assigned"


def test_a_transition_the_table_does_not_allow_is_refused_with_its_code(english, agent, ticket):
    before = snapshot(ticket)

    response = english(agent).post(
        "/api/v1/tickets/SR202611220001/transitions/", {"action": "archive", "version": 1}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert snapshot(ticket) == before


def test_the_customer_confirms_their_resolved_ticket_by_number(api_as, customer_user1, customer1):
    resolved = TicketFactory(customer=customer1, number="SR202611220002", status="resolved", version=4)

    response = api_as(customer_user1).post(
        "/api/v1/tickets/SR202611220002/transitions/", {"action": "confirm", "version": 4}, format="json"
    )

    assert response.status_code == 201
    resolved.refresh_from_db()
    assert (resolved.status, resolved.version) == ("confirmed", 5)


def test_another_customer_cannot_move_or_read_the_status_changes_by_number(api_as, customer_user2, customer1):
    resolved = TicketFactory(customer=customer1, number="SR202611220002", status="resolved", version=4)
    before = snapshot(resolved)
    client = api_as(customer_user2)

    move = client.post(
        "/api/v1/tickets/SR202611220002/transitions/", {"action": "confirm", "version": 4}, format="json"
    )
    read = client.get("/api/v1/tickets/SR202611220002/transitions/")

    assert move.status_code == read.status_code == 404
    assert snapshot(resolved) == before


def test_the_status_changes_of_a_ticket_by_number_are_listed_oldest_first(api_as, agent, engineer, ticket):
    services.ticket_transition(actor=engineer, ticket=ticket, action="accept", version=1)
    ticket = Ticket.objects.get(pk=ticket.pk)
    services.comment_add(actor=agent, ticket=ticket, body="说明")
    services.ticket_transition(
        actor=engineer, ticket=ticket, action="resolve", version=2, resolution="重启", resolution_method="remote"
    )

    rows = api_as(agent).get("/api/v1/tickets/SR202611220001/transitions/").json()["results"]

    assert [(row["action"], row["from_status"], row["to_status"]) for row in rows] == [
        ("accept", "assigned", "in_progress"),
        ("resolve", "in_progress", "resolved"),
    ]


# The schema -----------------------------------------------------------------------------------------


def test_the_schema_describes_the_number_as_the_tickets_path_parameter(api_as):
    paths = api_as().get("/api/schema/?format=json").json()["paths"]

    for path, methods in (
        ("/api/v1/tickets/{id}/", {"get", "patch"}),
        ("/api/v1/tickets/{id}/comments/", {"get", "post"}),
        ("/api/v1/tickets/{id}/transitions/", {"get", "post"}),
    ):
        assert set(paths[path]) == methods
        for method in methods:
            (parameter,) = [p for p in paths[path][method]["parameters"] if p["in"] == "path"]
            assert parameter["schema"] == {"type": "string", "pattern": "^(?:[0-9]+|[A-Za-z][A-Za-z0-9]*)$"}
