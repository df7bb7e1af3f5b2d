"""Parts used on a work order come from stock: the sheet's line and the consuming movement together, in the charges
at the part's unit cost, and nothing at all when refused."""

from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.dispatch.charges import work_order_charges
from aftersales.dispatch.models import PartUsed, WorkOrderEvent
from aftersales.dispatch.tests.factories import EngineerFactory, WorkOrderFactory
from aftersales.parts.choices import MovementKind
from aftersales.parts.models import Stock, StockMovement
from aftersales.parts.services.job_parts import work_order_part_from_stock
from aftersales.parts.tests.factories import PartFactory, StockFactory, WarehouseFactory
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def job():
    contract = ContractFactory(hourly_rate=Decimal("180.00"), travel_rate=Decimal("0"))
    ticket = TicketFactory(customer=contract.customer, contract=contract, entitlement="billable")
    order = WorkOrderFactory(ticket=ticket, status="on_site")
    van = WarehouseFactory(name="王工的车", kind="van", engineer=order.engineer)
    part = PartFactory(part_number="PSU-800W", description="电源模块", unit_cost=Decimal("1200.00"))
    StockFactory(part=part, warehouse=van, on_hand=3)
    return order, part, van


def stock_of(part, warehouse):
    row = Stock.objects.get(part=part, warehouse=warehouse)
    return row.on_hand, row.allocated


def nothing_changed(order, part, van):
    assert stock_of(part, van) == (3, 0)
    assert not PartUsed.objects.filter(work_order=order).exists()
    assert not StockMovement.objects.exists()
    assert not WorkOrderEvent.objects.filter(work_order=order, kind="part_added").exists()


def test_the_engineer_takes_a_part_from_the_van(job):
    order, part, van = job

    movement = work_order_part_from_stock(
        actor=order.engineer, work_order=order, part=part, warehouse=van, quantity=2, serial_number=" SN1 "
    )

    assert stock_of(part, van) == (1, 0)
    line = PartUsed.objects.get(work_order=order)
    assert (line.description, line.part_number, line.serial_number, line.quantity, line.unit_price) == (
        "电源模块",
        "PSU-800W",
        "SN1",
        2,
        Decimal("1200.00"),
    )
    assert movement.kind == MovementKind.CONSUME and movement.quantity == 2
    assert (movement.part_used, movement.work_order, movement.ticket, movement.actor) == (
        line,
        order,
        order.ticket,
        order.engineer,
    )
    charges = work_order_charges(order)
    assert charges.parts == Decimal("2400.00") and charges.total == Decimal("2400.00")


def test_a_price_can_be_given_instead_of_the_unit_cost(job):
    order, part, van = job
    work_order_part_from_stock(actor=order.engineer, work_order=order, part=part, warehouse=van, unit_price=0)
    assert PartUsed.objects.get().unit_price == 0 and work_order_charges(order).parts == 0


def test_not_enough_stock_is_refused_and_nothing_changes(job):
    order, part, van = job
    with pytest.raises(Conflict):
        work_order_part_from_stock(actor=order.engineer, work_order=order, part=part, warehouse=van, quantity=4)
    nothing_changed(order, part, van)


def test_a_serialised_part_needs_its_serial(job):
    order, part, van = job
    part.serialised = True
    part.save()
    with pytest.raises(ValidationFailed):
        work_order_part_from_stock(actor=order.engineer, work_order=order, part=part, warehouse=van)
    nothing_changed(order, part, van)


def test_another_engineer_or_the_wrong_moment_is_refused(job):
    order, part, van = job
    for actor in (EngineerFactory(), UserFactory(role=Role.PARTS_KEEPER), order.dispatcher):
        with pytest.raises(PermissionDenied):
            work_order_part_from_stock(actor=actor, work_order=order, part=part, warehouse=van)
    order.status = "accepted"
    order.save()
    with pytest.raises(InvalidTransition):
        work_order_part_from_stock(actor=order.engineer, work_order=order, part=part, warehouse=van)
    nothing_changed(order, part, van)


# The task sheet ------------------------------------------------------------------------------------


def test_the_sheet_offers_the_engineers_van_and_takes_the_part(client, job):
    order, part, van = job
    WarehouseFactory(name="中心库")
    client.force_login(order.engineer)

    page = client.get(order.get_absolute_url())
    html = page.content.decode()
    assert 'data-testid="stock-part-form"' in html and 'data-testid="part-form"' in html
    assert f'<option value="{van.pk}" selected>' in html

    response = client.post(
        reverse("work_order_part_from_stock", args=[order.pk]),
        {"part": part.pk, "warehouse": van.pk, "quantity": 1, "serial_number": ""},
    )
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert stock_of(part, van) == (2, 0)
    sheet = client.get(order.get_absolute_url()).content.decode()
    assert "电源模块 (PSU-800W) × 1 · ¥1200.00" in sheet


def test_the_sheet_shows_a_refusal_with_the_form_as_sent(client, job):
    order, part, van = job
    client.force_login(order.engineer)
    response = client.post(
        reverse("work_order_part_from_stock", args=[order.pk]),
        {"part": part.pk, "warehouse": van.pk, "quantity": 9, "serial_number": "SN-TYPED"},
    )
    assert response.status_code == 200
    form = response.context["stock_part_form"]
    assert form.errors["quantity"] and "PSU-800W" in form.non_field_errors()[0]
    assert 'value="SN-TYPED"' in response.content.decode()
    nothing_changed(order, part, van)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"part": "x", "warehouse": "1", "quantity": "1"},
        {"part": "99999999999999999999999", "warehouse": "-1", "quantity": "1"},
        {"part": "1", "warehouse": "1", "quantity": "0"},
        {"part": "1", "warehouse": "1", "quantity": "10000000000000"},
    ],
)
def test_garbage_is_refused_on_the_sheet(client, job, data):
    order, part, van = job
    client.force_login(order.engineer)
    response = client.post(reverse("work_order_part_from_stock", args=[order.pk]), data)
    assert response.status_code == 200 and response.context["stock_part_form"].errors
    nothing_changed(order, part, van)


def test_others_cannot_post_on_the_sheet(client, job):
    order, part, van = job
    data = {"part": part.pk, "warehouse": van.pk, "quantity": 1}
    url = reverse("work_order_part_from_stock", args=[order.pk])
    stranger = UserFactory(role=Role.CUSTOMER, customer=ContractFactory().customer)
    client.force_login(stranger)
    assert client.post(url, data).status_code == 404
    for user in (EngineerFactory(), UserFactory(role=Role.CUSTOMER, customer=order.customer)):
        client.force_login(user)
        response = client.post(url, data)
        assert response.status_code == 200 and response.context["stock_part_form"].non_field_errors()
    client.force_login(order.engineer)
    assert client.get(url).status_code == 405
    nothing_changed(order, part, van)
