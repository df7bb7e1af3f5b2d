"""/api/v1/tickets/: the queue, one ticket, intake, edits with optimistic concurrency, assignment."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.tickets import services
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.tests.factories import TicketFactory

URL = "/api/v1/tickets/"
pytestmark = pytest.mark.django_db


def intake(actor, customer, **overrides):
    values = {
        "customer": customer,
        "title": "核心交换机端口故障",
        "description": "三楼机房交换机 24 口无法连通。",
        "contact_name": "李四",
        "contact_phone": "+8613900139000",
        "kind": "general_fault",
        "channel": "phone",
    }
    return services.ticket_create(actor=actor, **{**values, **overrides})


def new_ticket_payload(customer, **overrides):
    return {
        "customer": customer.id,
        "title": "存储阵列告警",
        "description": "阵列管理界面显示硬盘故障。",
        "contact_name": "王五",
        "contact_phone": "13800138000",
        "kind": "general_fault",
        **overrides,
    }


# Listing -----------------------------------------------------------------------------------------


def test_the_list_is_paginated_and_in_queue_order(api_as, agent, customer1):
    tickets = [TicketFactory(customer=customer1, priority=1 + n % 4) for n in range(30)]

    first = api_as(agent).get(URL, {"page_size": 10}).json()
    last = api_as(agent).get(URL, {"page_size": 10, "page": 3}).json()

    assert first["count"] == 30
    assert len(first["results"]) == 10
    assert first["next"] is not None and first["previous"] is None
    assert last["next"] is None
    assert [row["priority"] for row in first["results"]] == [1] * 8 + [2] * 2
    assert {row["id"] for row in first["results"]} <= {t.id for t in tickets}
    assert set(first["results"][0]) >= {"number", "status", "customer", "customer_name", "assignee_name", "version"}


def test_the_list_filters_by_status_customer_priority_kind_tier_channel_and_text(
    api_as, agent, engineer, customer1, customer2
):
    new = TicketFactory(customer=customer1, status="new", title="打印机卡纸")
    assigned = TicketFactory(customer=customer1, status="assigned", assignee=engineer, priority=1)
    closed = TicketFactory(customer=customer2, status="closed", kind="consultation", channel="email", tier="L2")
    client = api_as(agent)

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(status=["new", "assigned"]) == {new.id, assigned.id}
    assert ids(customer=customer2.id) == {closed.id}
    assert ids(priority=1) == {assigned.id}
    assert ids(assignee=engineer.id) == {assigned.id}
    assert ids(kind="consultation") == ids(tier="L2") == ids(channel="email") == {closed.id}
    assert ids(q="卡纸") == {new.id}
    assert ids(q=assigned.number) == {assigned.id}


def test_an_unknown_filter_value_is_an_error_naming_the_filter(api_as, agent):
    response = api_as(agent).get(URL, {"status": "nonsense"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "status" in response.json()["detail"]


def test_the_list_orders_by_received_at_on_request(api_as, agent, customer1):
    now = timezone.now()
    older = TicketFactory(customer=customer1, priority=1, received_at=now - dt.timedelta(hours=2))
    newer = TicketFactory(customer=customer1, priority=4, received_at=now - dt.timedelta(hours=1))

    rows = api_as(agent).get(URL, {"ordering": "-received_at"}).json()["results"]

    assert [row["id"] for row in rows] == [newer.id, older.id]


def test_customer_users_list_only_their_own_customers_tickets(api_as, customer_user1, customer1, customer2):
    own = TicketFactory(customer=customer1)
    TicketFactory(customer=customer2)

    body = api_as(customer_user1).get(URL).json()

    assert [row["id"] for row in body["results"]] == [own.id]
    # Filtering by another customer's id is refused exactly like an id that does not exist.
    assert api_as(customer_user1).get(URL, {"customer": customer2.id}).status_code == 400
    assert api_as(customer_user1).get(URL, {"customer": 999999}).status_code == 400


def test_the_list_costs_the_same_number_of_queries_for_any_number_of_tickets(
    api_as, agent, engineer, customer1, customer2, django_assert_max_num_queries
):
    client = api_as(agent)
    TicketFactory.create_batch(2, customer=customer1, assignee=engineer)
    with django_assert_max_num_queries(2):
        small = client.get(URL, {"page_size": 100})

    TicketFactory.create_batch(40, customer=customer2, assignee=engineer)
    with django_assert_max_num_queries(2):
        large = client.get(URL, {"page_size": 100})

    assert small.json()["count"] == 2
    assert large.json()["count"] == 42


# One ticket --------------------------------------------------------------------------------------


def test_the_detail_has_the_timeline_assets_entitlement_version_and_actions(api_as, agent, customer1, site1):
    asset = AssetFactory(site=site1, warranty_end=timezone.localdate() + dt.timedelta(days=30))
    ContractFactory(customer=customer1)
    ticket = intake(agent, customer1, site=site1, assets=[asset])

    body = api_as(agent).get(f"{URL}{ticket.id}/").json()

    assert body["number"] == ticket.number
    assert body["version"] == 1
    assert body["assets"] == [asset.id]
    assert body["entitlement"] == "warranty"
    assert body["entitlement_reason"]
    assert [event["kind"] for event in body["events"]] == ["created"]
    assert "accept" in body["actions"] or "cancel" in body["actions"]


def test_a_ticket_of_another_customer_is_not_found(api_as, customer_user1, customer2):
    ticket = TicketFactory(customer=customer2)

    response = api_as(customer_user1).get(f"{URL}{ticket.id}/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": response.json()["message"], "detail": {}}


def test_a_ticket_that_does_not_exist_is_not_found_the_same_way(api_as, customer_user1):
    response = api_as(customer_user1).get(f"{URL}999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Intake -----------------------------------------------------------------------------------------


def test_staff_create_a_ticket_through_the_api_channel(api_as, agent, customer1, site1):
    response = api_as(agent).post(URL, new_ticket_payload(customer1, site=site1.id, urgency=1), format="json")

    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.customer == customer1
    assert ticket.site == site1
    assert ticket.channel == body["channel"] == "api"
    assert ticket.created_by == agent
    assert ticket.status == "new"
    assert ticket.urgency == 1
    assert body["number"].startswith("SR")
    assert [event["kind"] for event in body["events"]] == ["created"]


def test_customer_users_create_tickets_for_their_own_customer_from_the_portal(
    api_as, customer_user1, customer1, customer2
):
    payload = new_ticket_payload(customer2, channel="phone")

    response = api_as(customer_user1).post(URL, payload, format="json")

    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.customer == customer1
    assert ticket.channel == "portal"
    assert not customer2.tickets.exists()


def test_invalid_input_names_the_fields_and_saves_nothing(api_as, agent, customer1):
    payload = new_ticket_payload(customer1, contact_phone="12", kind="bogus", title="")
    del payload["description"]

    response = api_as(agent).post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["detail"]) == {"contact_phone", "kind", "title", "description"}
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_staff_must_name_the_customer(api_as, agent, customer1):
    payload = new_ticket_payload(customer1)
    del payload["customer"]

    response = api_as(agent).post(URL, payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"customer"}


def test_a_site_of_another_customer_is_refused_by_the_service(api_as, agent, customer1, site2):
    response = api_as(agent).post(URL, new_ticket_payload(customer1, site=site2.id), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["detail"]) == {"site"}
    assert not Ticket.objects.exists()


def test_a_time_received_in_the_future_is_refused(api_as, agent, customer1):
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()

    response = api_as(agent).post(URL, new_ticket_payload(customer1, received_at=future), format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"received_at"}
    assert not Ticket.objects.exists()


def test_customer_users_cannot_attach_another_customers_site_or_assets(api_as, customer_user1, customer1, site2):
    foreign_asset = AssetFactory(site=site2)
    payload = new_ticket_payload(customer1, site=site2.id, assets=[foreign_asset.id])

    response = api_as(customer_user1).post(URL, payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"site", "assets"}
    assert not Ticket.objects.exists()


# Edits ------------------------------------------------------------------------------------------


def test_patch_changes_the_fields_given_and_bumps_the_version(api_as, agent, customer1):
    ticket = intake(agent, customer1)

    response = api_as(agent).patch(f"{URL}{ticket.id}/", {"version": 1, "title": "新标题", "urgency": 1}, format="json")

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.title, ticket.urgency, ticket.version) == ("新标题", 1, 2)
    assert response.json()["version"] == 2
    assert response.json()["events"][-1]["kind"] == "updated"


def test_patch_with_a_stale_version_is_a_conflict_and_changes_nothing(api_as, agent, customer1):
    ticket = intake(agent, customer1)
    api_as(agent).patch(f"{URL}{ticket.id}/", {"version": 1, "title": "第一次修改"}, format="json")

    response = api_as(agent).patch(f"{URL}{ticket.id}/", {"version": 1, "title": "过期的修改"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["detail"] == {"version": 2}
    ticket.refresh_from_db()
    assert (ticket.title, ticket.version) == ("第一次修改", 2)


def test_patch_requires_the_version(api_as, agent, customer1):
    ticket = intake(agent, customer1)

    response = api_as(agent).patch(f"{URL}{ticket.id}/", {"title": "无版本"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"version"}
    ticket.refresh_from_db()
    assert ticket.title != "无版本"


def test_fields_that_are_not_editable_are_ignored_not_written(api_as, agent, customer1):
    ticket = intake(agent, customer1)

    api_as(agent).patch(f"{URL}{ticket.id}/", {"version": 1, "status": "closed", "customer": 0}, format="json")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.customer_id, ticket.version) == ("new", customer1.id, 1)


def test_put_is_not_offered(api_as, agent, customer1):
    ticket = intake(agent, customer1)

    assert api_as(agent).put(f"{URL}{ticket.id}/", {"version": 1}, format="json").status_code == 405


def test_customer_users_cannot_edit_their_tickets(api_as, agent, customer_user1, customer1):
    ticket = intake(agent, customer1)

    response = api_as(customer_user1).patch(f"{URL}{ticket.id}/", {"version": 1, "title": "改"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    ticket.refresh_from_db()
    assert (ticket.title, ticket.version) == ("核心交换机端口故障", 1)


def test_another_customers_ticket_cannot_be_edited_or_assigned(api_as, agent, engineer, customer_user2, customer1):
    ticket = intake(agent, customer1)
    client = api_as(customer_user2)

    patch = client.patch(f"{URL}{ticket.id}/", {"version": 1, "title": "改"}, format="json")
    assign = client.post(f"{URL}{ticket.id}/assign/", {"version": 1, "assignee": engineer.id}, format="json")

    assert patch.status_code == assign.status_code == 404
    ticket.refresh_from_db()
    assert (ticket.title, ticket.assignee, ticket.version) == ("核心交换机端口故障", None, 1)


# Assignment ---------------------------------------------------------------------------------------


def test_a_customer_cannot_probe_staff_ids_through_assign(api_as, agent, engineer, customer_user1, customer1):
    ticket = intake(agent, customer1)
    client = api_as(customer_user1)

    real = client.post(f"{URL}{ticket.id}/assign/", {"version": 1, "assignee": engineer.id}, format="json")
    missing = client.post(f"{URL}{ticket.id}/assign/", {"version": 1, "assignee": 987654}, format="json")

    assert real.status_code == missing.status_code == 403
    assert real.json() == missing.json()
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.version) == (None, 1)


def test_a_dispatcher_assigns_a_new_ticket(api_as, agent, engineer, customer1):
    ticket = intake(agent, customer1)
    team = TeamFactory()

    response = api_as(agent).post(
        f"{URL}{ticket.id}/assign/",
        {"assignee": engineer.id, "version": 1, "team": team.id, "tier": "L2", "note": "请尽快处理"},
        format="json",
    )

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team, ticket.tier, ticket.status, ticket.version) == (
        engineer,
        team,
        "L2",
        "assigned",
        2,
    )
    assert response.json()["assignee"] == engineer.id
    assert response.json()["events"][-1]["kind"] == "assigned"


def test_assigning_to_someone_who_cannot_work_tickets_names_the_assignee(api_as, agent, customer1):
    ticket = intake(agent, customer1)
    quality_controller = UserFactory(role=Role.QUALITY)

    response = api_as(agent).post(
        f"{URL}{ticket.id}/assign/", {"assignee": quality_controller.id, "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"assignee"}
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status, ticket.version) == (None, "new", 1)


def test_customer_users_cannot_be_assignees(api_as, agent, customer_user1, customer1):
    ticket = intake(agent, customer1)

    response = api_as(agent).post(
        f"{URL}{ticket.id}/assign/", {"assignee": customer_user1.id, "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"assignee"}


def test_assigning_with_a_stale_version_is_a_conflict(api_as, agent, engineer, customer1):
    ticket = intake(agent, customer1)
    Ticket.objects.filter(pk=ticket.pk).update(version=5)

    response = api_as(agent).post(f"{URL}{ticket.id}/assign/", {"assignee": engineer.id, "version": 1}, format="json")

    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_engineers_and_customers_may_not_assign(api_as, agent, engineer, customer_user1, customer1):
    ticket = intake(agent, customer1)

    for user in (engineer, customer_user1):
        response = api_as(user).post(
            f"{URL}{ticket.id}/assign/", {"assignee": engineer.id, "version": 1}, format="json"
        )
        assert response.status_code == 403

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status, ticket.version) == (None, "new", 1)


def test_the_format_suffix_routes_answer_too(api_as, agent, customer1):
    ticket = intake(agent, customer1)
    client = api_as(agent)

    assert client.get(f"/api/v1/tickets/{ticket.id}.json").json()["id"] == ticket.id
    assert client.get("/api/v1/tickets.json").json()["count"] == 1
    assert (
        client.patch(f"/api/v1/tickets/{ticket.id}.json", {"version": 1, "title": "改"}, format="json").status_code
        == 200
    )


def test_a_dispatchers_assignment_note_reaches_staff_but_not_the_customer(
    api_as, agent, engineer, customer1, customer_user1
):
    ticket = intake(agent, customer1)
    services.ticket_assign(actor=agent, ticket=ticket, assignee=engineer, version=None, note="先带备用电源模块")

    def assignment(user):
        events = api_as(user).get(f"{URL}{ticket.pk}/").json()["events"]
        return next(event for event in events if event["kind"] == "assigned")

    assert assignment(agent)["note"] == "先带备用电源模块"
    assert assignment(customer_user1)["note"] == ""
    assert assignment(customer_user1)["to_status"] == "assigned"  # the event itself stays on their timeline
