"""/api/v1/ticket-comments/: replies and internal notes; customers never see the notes."""

import pytest

from aftersales.tickets import services
from aftersales.tickets.models import Comment, TicketEvent
from aftersales.tickets.tests.factories import TicketFactory

URL = "/api/v1/ticket-comments/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer1):
    return TicketFactory(customer=customer1)


@pytest.fixture
def public_and_internal(agent, ticket):
    public = services.comment_add(actor=agent, ticket=ticket, body="我们已安排工程师。", is_public=True)
    internal = services.comment_add(actor=agent, ticket=ticket, body="客户合同快到期了。", is_public=False)
    return public, internal


def test_staff_see_public_and_internal_comments(api_as, agent, ticket, public_and_internal):
    rows = api_as(agent).get(URL, {"ticket": ticket.id}).json()["results"]

    assert [(row["id"], row["is_public"]) for row in rows] == [(c.id, c.is_public) for c in public_and_internal]


def test_customer_users_never_see_internal_comments(api_as, customer_user1, ticket, public_and_internal):
    public, internal = public_and_internal
    client = api_as(customer_user1)

    rows = client.get(URL, {"ticket": ticket.id}).json()["results"]
    detail = client.get(f"/api/v1/tickets/{ticket.id}/").json()

    assert [row["id"] for row in rows] == [public.id]
    assert client.get(f"{URL}{internal.id}/").status_code == 404
    assert [comment["id"] for comment in detail["comments"]] == [public.id]
    assert [event["data"]["comment"] for event in detail["events"] if event["kind"] == "commented"] == [public.id]
    assert "客户合同快到期了。" not in str(detail)


def test_staff_add_an_internal_note(api_as, agent, ticket):
    response = api_as(agent).post(URL, {"ticket": ticket.id, "body": "需要备件。", "is_public": False}, format="json")

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert (comment.ticket, comment.author, comment.body, comment.is_public) == (ticket, agent, "需要备件。", False)
    assert response.json()["is_public"] is False


def test_comments_from_customer_users_are_always_public(api_as, customer_user1, ticket):
    response = api_as(customer_user1).post(
        URL, {"ticket": ticket.id, "body": "请尽快上门。", "is_public": False}, format="json"
    )

    assert response.status_code == 201
    assert Comment.objects.get().is_public is True


def test_an_empty_comment_names_the_body_and_saves_nothing(api_as, agent, ticket):
    response = api_as(agent).post(URL, {"ticket": ticket.id, "body": "   "}, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"body"}
    assert not Comment.objects.exists()
    assert not TicketEvent.objects.exists()


def test_the_ticket_is_required(api_as, agent):
    response = api_as(agent).post(URL, {"body": "你好"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"ticket"}


def test_another_customers_comments_are_not_found_and_cannot_be_added(
    api_as, customer_user2, ticket, public_and_internal
):
    public, _internal = public_and_internal
    client = api_as(customer_user2)

    listing = client.get(URL, {"ticket": ticket.id}).json()
    detail = client.get(f"{URL}{public.id}/")
    create = client.post(URL, {"ticket": ticket.id, "body": "我也来看看"}, format="json")

    assert listing["count"] == 0
    assert detail.status_code == create.status_code == 404
    assert create.json()["code"] == "not_found"
    assert Comment.objects.count() == 2


def test_comments_cannot_be_changed_or_deleted_through_the_api(api_as, agent, public_and_internal):
    public, _internal = public_and_internal
    client = api_as(agent)

    assert client.patch(f"{URL}{public.id}/", {"body": "改"}, format="json").status_code == 405
    assert client.delete(f"{URL}{public.id}/").status_code == 405
    public.refresh_from_db()
    assert public.body == "我们已安排工程师。"
