"""The ticket page's spare-parts card, its forms, and the RMA pages: who sees what, what each post does."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.parts.choices import Destination, MovementKind, PartRequestStatus, RmaOutcome
from aftersales.parts.models import PartRequest, RmaCase, Stock, StockMovement
from aftersales.parts.services.requests import part_request_create, part_request_deliver, part_request_ship
from aftersales.parts.services.rma import rma_open
from aftersales.parts.tests.factories import PartFactory, StockFactory
from aftersales.parts.views.requests import ticket_parts_context
from aftersales.tickets.choices import Status
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.tests.sla_helpers import FrozenClock

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=BEIJING)
DAY = dt.timedelta(days=1)
ENGLISH = {"headers": {"accept-language": "en"}}


@pytest.fixture
def clock(monkeypatch):
    return FrozenClock(monkeypatch, NOW)


@pytest.fixture
def engineer():
    return UserFactory(role=Role.ENGINEER)


@pytest.fixture
def keeper():
    return UserFactory(role=Role.PARTS_KEEPER)


@pytest.fixture
def ticket():
    return TicketFactory(status=Status.IN_PROGRESS)


@pytest.fixture
def stock():
    return StockFactory(on_hand=3, part=PartFactory(part_number="02312ABC", description="电源模块"))


def logged_in(client, user):
    client.force_login(user)
    return client


def request_part(actor, ticket, part, **overrides):
    values = {"actor": actor, "ticket": ticket, "part": part, "quantity": 1, "destination": Destination.DOMESTIC}
    return part_request_create(**{**values, **overrides})


def flashed(response) -> list[str]:
    """The message this post left (earlier ones wait unread in the session, since redirects are not followed)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1:]


def snapshot():
    return (
        list(PartRequest.objects.values_list("pk", "status", "shipped_at", "delivered_at", "faulty_returned_at")),
        list(Stock.objects.values_list("pk", "on_hand", "allocated")),
        StockMovement.objects.count(),
        TicketEvent.objects.count(),
        list(RmaCase.objects.values_list("pk", "outcome", "shipped_at")),
    )


# --- the card ----------------------------------------------------------------------------------------------


def test_staff_see_requests_with_their_clocks_and_forms(client, clock, engineer, ticket, stock):
    request = request_part(engineer, ticket, stock.part, warehouse=stock.warehouse, note="机房周末不收货")
    page = logged_in(client, engineer).get(ticket.get_absolute_url(), **ENGLISH)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="part-request-form"' in html
    assert f'data-request="{request.pk}" data-status="reserved" data-late="false"' in html
    assert "Due 2026-11-09 10:00" in html and "1\xa0week left" in html
    assert "机房周末不收货" in html
    assert 'data-testid="part-ship-form"' in html and 'data-testid="part-cancel-form"' in html


def test_a_late_part_shows_red_with_how_late(client, clock, engineer, ticket, stock):
    request = request_part(engineer, ticket, stock.part)
    clock.set(NOW + 9 * DAY)
    html = logged_in(client, engineer).get(ticket.get_absolute_url(), **ENGLISH).content.decode()
    assert f'data-request="{request.pk}" data-status="requested" data-late="true"' in html
    assert '<span class="text-danger" data-testid="part-late">2\xa0days overdue</span>' in html


def test_the_customer_sees_part_quantity_status_and_due_date_only(client, clock, engineer, keeper, ticket, stock):
    request = request_part(engineer, ticket, stock.part, note="内部：从杭州库调", advance_replacement=True)
    part_request_ship(actor=keeper, request=request, tracking_number="SF-SECRET-1")
    customer = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    html = logged_in(client, customer).get(ticket.get_absolute_url(), **ENGLISH).content.decode()
    assert "02312ABC" in html and "电源模块" in html and "Due 2026-11-09 10:00" in html
    assert 'data-status="shipped"' in html
    for internal in ("内部：从杭州库调", "SF-SECRET-1", "part-ship-form", "part-request-form", "Requested by", "rma"):
        assert internal not in html


def test_another_organisations_customer_sees_nothing_and_changes_nothing(client, clock, engineer, ticket, stock):
    request = request_part(engineer, ticket, stock.part, warehouse=stock.warehouse)
    stranger = UserFactory(role=Role.CUSTOMER, customer=CustomerFactory())
    owner = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    before = snapshot()
    for user in (stranger, owner):
        logged_in(client, user)
        if user is stranger:
            assert client.get(ticket.get_absolute_url()).status_code == 404
        assert client.post(reverse("part_request_create", args=[ticket.pk]), {}).status_code == 404
        for name in ("part_request_ship", "part_request_deliver", "part_request_cancel", "faulty_part_returned"):
            assert client.post(reverse(name, args=[request.pk]), {"cancel-reason": "x"}).status_code == 404
        assert client.get(reverse("rma_list")).status_code == 404
        assert client.post(reverse("rma_open"), {}).status_code == 404
    assert snapshot() == before
    assert ticket_parts_context(ticket=ticket, user=stranger)["rows"] == []


def test_the_card_costs_the_same_queries_for_one_request_or_many(
    clock, engineer, ticket, stock, django_assert_num_queries
):
    request_part(engineer, ticket, stock.part)
    with django_assert_num_queries(3):  # requests, parts, warehouses
        ticket_parts_context(ticket=ticket, user=engineer)
    for _ in range(4):
        request_part(engineer, ticket, stock.part, warehouse=stock.warehouse, advance_replacement=True)
    with django_assert_num_queries(3):
        context = ticket_parts_context(ticket=ticket, user=engineer)
    assert len(context["rows"]) == 5
    customer = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    with django_assert_num_queries(1):
        ticket_parts_context(ticket=ticket, user=customer)


# --- the posts -------------------------------------------------------------------------------------------------


def test_requesting_a_part_from_the_ticket_page(client, clock, engineer, ticket, stock):
    response = logged_in(client, engineer).post(
        reverse("part_request_create", args=[ticket.pk]),
        {
            "part_request-part": stock.part.pk,
            "part_request-quantity": "2",
            "part_request-destination": "domestic",
            "part_request-warehouse": stock.warehouse.pk,
            "part_request-advance_replacement": "on",
            "part_request-faulty_serial": "2102-OLD",
        },
        **ENGLISH,
    )
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    assert flashed(response) == ["The part is requested."]
    request = PartRequest.objects.get()
    assert (request.quantity, request.status, request.advance_replacement, request.faulty_serial) == (
        2,
        PartRequestStatus.RESERVED,
        True,
        "2102-OLD",
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"part_request-part": "abc", "part_request-quantity": "1", "part_request-destination": "domestic"},
        {"part_request-part": "999999", "part_request-quantity": "1", "part_request-destination": "domestic"},
        {"part_request-part": "1", "part_request-quantity": "-3", "part_request-destination": "domestic"},
        {"part_request-part": "1", "part_request-quantity": "1e9", "part_request-destination": "moon"},
        {
            "part_request-part": "1",
            "part_request-quantity": "1",
            "part_request-destination": "domestic",
            "part_request-warehouse": "x" * 30,
        },
    ],
)
def test_garbage_is_refused_with_a_message(client, clock, engineer, ticket, data):
    response = logged_in(client, engineer).post(reverse("part_request_create", args=[ticket.pk]), data, **ENGLISH)
    assert response.status_code == 302 and flashed(response)
    assert PartRequest.objects.count() == 0


def test_a_role_that_may_not_request_gets_the_services_refusal(client, clock, keeper, ticket, stock):
    response = logged_in(client, keeper).post(
        reverse("part_request_create", args=[ticket.pk]),
        {"part_request-part": stock.part.pk, "part_request-quantity": "1", "part_request-destination": "domestic"},
        **ENGLISH,
    )
    assert flashed(response) == ["You do not have permission to do this."]
    assert PartRequest.objects.count() == 0


def test_ship_deliver_and_take_the_faulty_part_back_from_the_card(client, clock, engineer, keeper, ticket, stock):
    request = request_part(engineer, ticket, stock.part, warehouse=stock.warehouse, advance_replacement=True)
    logged_in(client, keeper)
    response = client.post(
        reverse("part_request_ship", args=[request.pk]), {"ship-tracking_number": "SF100"}, **ENGLISH
    )
    assert (response.url, flashed(response)) == (ticket.get_absolute_url(), ["The part is shipped."])
    response = client.post(reverse("part_request_deliver", args=[request.pk]), **ENGLISH)
    assert flashed(response) == ["The part is delivered."]
    request.refresh_from_db()
    assert (request.status, request.tracking_number, stock.__class__.objects.get(pk=stock.pk).on_hand) == (
        PartRequestStatus.DELIVERED,
        "SF100",
        2,
    )
    html = client.get(ticket.get_absolute_url(), **ENGLISH).content.decode()
    assert "Faulty part  due back by 2026-11-16 10:00" in html and 'data-testid="faulty-return-form"' in html

    clock.set(NOW + 20 * DAY)
    logged_in(client, keeper)  # the session of 20 days ago has expired
    html = client.get(ticket.get_absolute_url(), **ENGLISH).content.decode()
    assert 'data-testid="faulty-overdue"' in html
    response = client.post(
        reverse("faulty_part_returned", args=[request.pk]),
        {"faulty-serial_number": "2102-OLD", "faulty-warehouse": stock.warehouse.pk},
        **ENGLISH,
    )
    assert flashed(response) == ["The faulty part is back and an RMA case is open for it."]
    rma = RmaCase.objects.get()
    assert (rma.part_request, rma.serial_number, rma.warehouse) == (request, "2102-OLD", stock.warehouse)


def test_cancel_from_the_card_needs_a_reason(client, clock, engineer, ticket, stock):
    request = request_part(engineer, ticket, stock.part, warehouse=stock.warehouse)
    logged_in(client, engineer)
    response = client.post(reverse("part_request_cancel", args=[request.pk]), {"cancel-reason": ""}, **ENGLISH)
    assert PartRequest.objects.get().status == PartRequestStatus.RESERVED and flashed(response)
    response = client.post(
        reverse("part_request_cancel", args=[request.pk]), {"cancel-reason": "客户已自行解决"}, **ENGLISH
    )
    assert flashed(response) == ["The part request is cancelled."]
    assert PartRequest.objects.get().status == PartRequestStatus.CANCELLED
    assert Stock.objects.get(pk=stock.pk).allocated == 0


def test_a_refused_transition_is_flashed_and_changes_nothing(client, clock, engineer, keeper, ticket, stock):
    request = request_part(engineer, ticket, stock.part)
    logged_in(client, keeper)
    before = snapshot()
    response = client.post(reverse("part_request_deliver", args=[request.pk]), **ENGLISH)
    assert flashed(response) == ["Only a shipped part can be delivered."]
    assert snapshot() == before
    assert client.get(reverse("part_request_ship", args=[request.pk])).status_code == 405


# --- RMA pages ---------------------------------------------------------------------------------------------------


def test_the_rma_pages_open_ship_and_close_a_case(client, clock, keeper, stock):
    logged_in(client, keeper)
    page = client.get(reverse("rma_list"), **ENGLISH)
    assert page.status_code == 200 and 'data-testid="rma-open-form"' in page.content.decode()
    response = client.post(
        reverse("rma_open"),
        {
            "rma-part": stock.part.pk,
            "rma-warehouse": stock.warehouse.pk,
            "rma-serial_number": "DOA-1",
            "rma-note": "上电即报警",
        },
        **ENGLISH,
    )
    rma = RmaCase.objects.get()
    assert response.url == reverse("rma_detail", args=[rma.pk])
    detail = client.get(response.url, **ENGLISH).content.decode()
    assert 'data-testid="rma-ship-form"' in detail and 'data-testid="rma-close-form"' not in detail

    client.post(reverse("rma_ship", args=[rma.pk]), {"rma_ship-vendor_case_number": "HW-889"}, **ENGLISH)
    clock.set(NOW + 7 * DAY)
    response = client.post(
        reverse("rma_close", args=[rma.pk]),
        {"rma_close-outcome": "replaced_free", "rma_close-replacement_serial": "NEW-1"},
        **ENGLISH,
    )
    assert flashed(response) == ["The RMA case is closed."]
    rma.refresh_from_db()
    assert (rma.vendor_case_number, rma.shipped_at, rma.returned_at, rma.outcome, rma.replacement_serial) == (
        "HW-889",
        NOW,
        NOW + 7 * DAY,
        RmaOutcome.REPLACED_FREE,
        "NEW-1",
    )
    assert list(StockMovement.objects.order_by("id").values_list("kind", flat=True)) == [
        MovementKind.SEND_TO_VENDOR,
        MovementKind.RECEIVE_FROM_VENDOR,
    ]
    page = client.get(reverse("rma_list"), **ENGLISH).content.decode()
    assert 'data-testid="rma-row"' not in page  # closed cases leave the default list
    assert f'data-rma="{rma.pk}"' in client.get(reverse("rma_list") + "?show=all").content.decode()


def test_rma_pages_refuse_customers_and_garbage(client, clock, keeper, stock):
    rma = rma_open(actor=keeper, part=stock.part, warehouse=stock.warehouse)
    customer = UserFactory(role=Role.CUSTOMER, customer=CustomerFactory())
    logged_in(client, customer)
    for url in (reverse("rma_list"), reverse("rma_detail", args=[rma.pk])):
        assert client.get(url).status_code == 404
    for name in ("rma_ship", "rma_close"):
        assert client.post(reverse(name, args=[rma.pk]), {"rma_ship-vendor_case_number": "X"}).status_code == 404
    logged_in(client, keeper)
    before = snapshot()
    for data in ({}, {"rma_ship-vendor_case_number": "X", "rma_ship-shipped_at": "yesterday"}):
        response = client.post(reverse("rma_ship", args=[rma.pk]), data, **ENGLISH)
        assert response.status_code == 302 and flashed(response)
    response = client.post(reverse("rma_close", args=[rma.pk]), {"rma_close-outcome": "repaired"}, **ENGLISH)
    assert flashed(response) == ["Ship the unit to the vendor first."]
    assert client.get(reverse("rma_detail", args=[999999])).status_code == 404
    assert client.get(reverse("rma_list") + "?page=abc&show=%00").status_code == 200
    assert snapshot() == before


def test_a_delivered_request_still_shows_how_late_it_was(client, clock, engineer, keeper, ticket, stock):
    request = request_part(engineer, ticket, stock.part)
    part_request_ship(actor=keeper, request=request)
    clock.set(NOW + 8 * DAY)
    part_request_deliver(actor=keeper, request=request)
    html = logged_in(client, engineer).get(ticket.get_absolute_url(), **ENGLISH).content.decode()
    assert "Delivered 2026-11-10 10:00" in html and "1\xa0day late" in html
