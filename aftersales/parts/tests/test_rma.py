"""RMA to the vendor: the vendor's case number, shipped and returned dates, and what comes back into stock."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.parts.choices import Destination, MovementKind, RmaOutcome
from aftersales.parts.models import RmaCase, Stock, StockMovement
from aftersales.parts.services.requests import part_request_create
from aftersales.parts.services.rma import rma_close, rma_open, rma_ship
from aftersales.parts.tests.factories import PartFactory, StockFactory, WarehouseFactory
from aftersales.tickets.choices import Status
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.tests.sla_helpers import FrozenClock

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=BEIJING)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch):
    return FrozenClock(monkeypatch, NOW)


@pytest.fixture
def keeper():
    return UserFactory(role=Role.PARTS_KEEPER)


def stock_of(part, warehouse):
    row = Stock.objects.get(part=part, warehouse=warehouse)
    return row.on_hand, row.allocated


def test_a_unit_from_stock_leaves_stock_when_shipped_and_its_free_replacement_comes_in(clock, keeper):
    stock = StockFactory(on_hand=2)
    rma = rma_open(
        actor=keeper, part=stock.part, warehouse=stock.warehouse, serial_number=" 2102-DOA ", note="到货即坏"
    )
    assert (rma.serial_number, rma.outcome, rma.created_by, rma.shipped_at, rma.note) == (
        "2102-DOA",
        RmaOutcome.PENDING,
        keeper,
        None,
        "到货即坏",
    )
    rma = rma_ship(actor=keeper, rma=rma, vendor_case_number=" HW-RMA-7788 ")
    assert (rma.vendor_case_number, rma.shipped_at) == ("HW-RMA-7788", NOW)
    assert stock_of(stock.part, stock.warehouse) == (1, 0)
    sent = StockMovement.objects.get(rma_case=rma)
    assert (sent.kind, sent.quantity, sent.serial_number) == (MovementKind.SEND_TO_VENDOR, 1, "2102-DOA")

    clock.set(NOW + 10 * DAY)
    rma = rma_close(actor=keeper, rma=rma, outcome=RmaOutcome.REPLACED_FREE, replacement_serial="2102-NEW")
    assert (rma.outcome, rma.returned_at, rma.replacement_serial) == (
        RmaOutcome.REPLACED_FREE,
        NOW + 10 * DAY,
        "2102-NEW",
    )
    assert stock_of(stock.part, stock.warehouse) == (2, 0)
    received = StockMovement.objects.filter(rma_case=rma).latest("id")
    assert (received.kind, received.quantity, received.serial_number) == (
        MovementKind.RECEIVE_FROM_VENDOR,
        1,
        "2102-NEW",
    )


def test_a_faulty_unit_from_a_customer_moves_no_stock_until_a_good_one_comes_back(clock, keeper):
    request = part_request_create(
        actor=UserFactory(role=Role.ENGINEER),
        ticket=TicketFactory(status=Status.IN_PROGRESS),
        part=PartFactory(),
        quantity=1,
        destination=Destination.DOMESTIC,
    )
    warehouse = WarehouseFactory()
    rma = rma_open(actor=keeper, part=request.part, warehouse=warehouse, serial_number="SN-1", part_request=request)
    shipped = NOW - 2 * DAY
    rma = rma_ship(actor=keeper, rma=rma, vendor_case_number="HW-1", shipped_at=shipped)
    assert rma.shipped_at == shipped
    assert StockMovement.objects.count() == 0
    rma = rma_close(actor=keeper, rma=rma, outcome=RmaOutcome.REPAIRED, returned_at=NOW - DAY)
    assert (rma.outcome, rma.returned_at, rma.replacement_serial) == (RmaOutcome.REPAIRED, NOW - DAY, "")
    assert stock_of(request.part, warehouse) == (1, 0)  # the repaired unit is a good spare now


def test_a_scrapped_unit_brings_nothing_back(clock, keeper):
    stock = StockFactory(on_hand=1)
    rma = rma_open(actor=keeper, part=stock.part, warehouse=stock.warehouse)
    rma = rma_ship(actor=keeper, rma=rma, vendor_case_number="C-1")
    rma = rma_close(actor=keeper, rma=rma, outcome=RmaOutcome.SCRAPPED, replacement_serial="ignored")
    assert (rma.outcome, rma.replacement_serial) == (RmaOutcome.SCRAPPED, "")
    assert stock_of(stock.part, stock.warehouse) == (0, 0)


def test_the_order_of_things(clock, keeper):
    stock = StockFactory(on_hand=1)
    rma = rma_open(actor=keeper, part=stock.part, warehouse=stock.warehouse)
    with pytest.raises(InvalidTransition):
        rma_close(actor=keeper, rma=rma, outcome=RmaOutcome.REPAIRED)
    rma_ship(actor=keeper, rma=rma, vendor_case_number="C-1")
    with pytest.raises(InvalidTransition):
        rma_ship(actor=keeper, rma=rma, vendor_case_number="C-2")
    rma_close(actor=keeper, rma=rma, outcome=RmaOutcome.SCRAPPED)
    with pytest.raises(InvalidTransition):
        rma_close(actor=keeper, rma=rma, outcome=RmaOutcome.REPAIRED)
    assert StockMovement.objects.count() == 1


def test_bad_input_is_refused_and_changes_nothing(clock, keeper):
    stock = StockFactory(on_hand=1)
    serialised = PartFactory(serialised=True)
    closed = WarehouseFactory(is_active=False)
    for kwargs in (
        {"part": serialised, "warehouse": stock.warehouse},
        {"part": stock.part, "warehouse": closed},
        {"part": stock.part, "warehouse": stock.warehouse, "serial_number": "S" * 101},
        {"part": None, "warehouse": stock.warehouse},
    ):
        with pytest.raises(ValidationFailed):
            rma_open(actor=keeper, **kwargs)
    assert RmaCase.objects.count() == 0

    rma = rma_open(actor=keeper, part=stock.part, warehouse=stock.warehouse)
    for kwargs in ({"vendor_case_number": " "}, {"vendor_case_number": "C-1", "shipped_at": NOW + DAY}):
        with pytest.raises(ValidationFailed):
            rma_ship(actor=keeper, rma=rma, **kwargs)
    rma.refresh_from_db()
    assert (rma.shipped_at, rma.vendor_case_number, stock_of(stock.part, stock.warehouse)) == (None, "", (1, 0))

    rma_ship(actor=keeper, rma=rma, vendor_case_number="C-1")
    for kwargs in (
        {"outcome": "lost"},
        {"outcome": RmaOutcome.PENDING},
        {"outcome": RmaOutcome.REPLACED_FREE},
        {"outcome": RmaOutcome.REPAIRED, "returned_at": NOW - DAY},
        {"outcome": RmaOutcome.REPAIRED, "returned_at": NOW + DAY},
    ):
        with pytest.raises(ValidationFailed):
            rma_close(actor=keeper, rma=rma, **kwargs)
    rma.refresh_from_db()
    assert (rma.outcome, rma.returned_at, StockMovement.objects.count()) == (RmaOutcome.PENDING, None, 1)


def test_only_those_who_move_stock_run_rma(clock, keeper):
    stock = StockFactory(on_hand=1)
    rma = rma_open(actor=keeper, part=stock.part, warehouse=stock.warehouse)
    for actor in (UserFactory(role=Role.CUSTOMER, customer=CustomerFactory()), UserFactory(role=Role.QUALITY)):
        with pytest.raises(PermissionDenied):
            rma_open(actor=actor, part=stock.part, warehouse=stock.warehouse)
        with pytest.raises(PermissionDenied):
            rma_ship(actor=actor, rma=rma, vendor_case_number="C-1")
        with pytest.raises(PermissionDenied):
            rma_close(actor=actor, rma=rma, outcome=RmaOutcome.SCRAPPED)
    rma.refresh_from_db()
    assert (RmaCase.objects.count(), rma.shipped_at, StockMovement.objects.count()) == (1, None, 0)
