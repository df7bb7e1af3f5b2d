"""Stock moves: the effect table, never negative, and one winner when two reservations race for the last unit."""

import threading

import pytest
from django.db import connection, connections

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.parts.choices import MovementKind as K
from aftersales.parts.models import Stock, StockMovement
from aftersales.parts.services.stock import EFFECTS, stock_move
from aftersales.parts.tests.factories import PartFactory, StockFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper():
    return UserFactory(role=Role.PARTS_KEEPER)


def stock_of(part, warehouse):
    row = Stock.objects.get(part=part, warehouse=warehouse)
    return row.on_hand, row.allocated


def test_every_kind_has_its_effect(keeper):
    part, central, van = PartFactory(), WarehouseFactory(), WarehouseFactory()
    assert set(EFFECTS) == set(K)
    stock_move(actor=keeper, kind=K.RECEIVE, part=part, warehouse=central, quantity=5)
    stock_move(actor=keeper, kind=K.RESERVE, part=part, warehouse=central, quantity=2)
    assert stock_of(part, central) == (5, 2)
    stock_move(actor=keeper, kind=K.ISSUE, part=part, warehouse=central, quantity=1, from_reservation=True)
    assert stock_of(part, central) == (4, 1)
    stock_move(actor=keeper, kind=K.RELEASE, part=part, warehouse=central, quantity=1)
    stock_move(actor=keeper, kind=K.TRANSFER, part=part, warehouse=central, to_warehouse=van, quantity=3)
    assert (stock_of(part, central), stock_of(part, van)) == ((1, 0), (3, 0))
    stock_move(actor=keeper, kind=K.CONSUME, part=part, warehouse=van, quantity=1)
    stock_move(actor=keeper, kind=K.RETURN, part=part, warehouse=van, quantity=1)
    stock_move(actor=keeper, kind=K.SCRAP, part=part, warehouse=van, quantity=1)
    stock_move(actor=keeper, kind=K.SEND_TO_VENDOR, part=part, warehouse=van, quantity=1)
    stock_move(actor=keeper, kind=K.RECEIVE_FROM_VENDOR, part=part, warehouse=van, quantity=1)
    assert stock_of(part, van) == (2, 0)
    assert StockMovement.objects.count() == 10


def test_stock_never_goes_negative_and_a_refusal_changes_nothing(keeper):
    stock = StockFactory(on_hand=2, allocated=1)
    for kind, quantity in ((K.CONSUME, 3), (K.RESERVE, 2), (K.RELEASE, 2), (K.SCRAP, 3)):
        with pytest.raises(Conflict):
            stock_move(actor=keeper, kind=kind, part=stock.part, warehouse=stock.warehouse, quantity=quantity)
    # taking the unreserved unit is fine; then nothing is left that is not promised to someone
    stock_move(actor=keeper, kind=K.CONSUME, part=stock.part, warehouse=stock.warehouse, quantity=1)
    with pytest.raises(Conflict):
        stock_move(actor=keeper, kind=K.CONSUME, part=stock.part, warehouse=stock.warehouse, quantity=1)
    assert stock_of(stock.part, stock.warehouse) == (1, 1)
    assert StockMovement.objects.count() == 1


def test_bad_input_is_refused(keeper):
    stock = StockFactory()
    other = WarehouseFactory()
    for kwargs in (
        {"kind": K.RECEIVE, "quantity": 0},
        {"kind": K.RECEIVE, "quantity": -1},
        {"kind": "steal", "quantity": 1},
        {"kind": K.TRANSFER, "quantity": 1},
        {"kind": K.RECEIVE, "quantity": 1, "to_warehouse": other},
        {"kind": K.TRANSFER, "quantity": 1, "to_warehouse": stock.warehouse},
        {"kind": K.RECEIVE, "quantity": 1, "from_reservation": True},
    ):
        with pytest.raises(ValidationFailed):
            stock_move(actor=keeper, part=stock.part, warehouse=stock.warehouse, **kwargs)
    assert StockMovement.objects.count() == 0


def test_customers_and_roles_without_a_part_in_it_cannot_move_stock():
    stock = StockFactory()
    for user in (UserFactory(role=Role.QUALITY), UserFactory(role=Role.ARCHIVIST)):
        with pytest.raises(PermissionDenied):
            stock_move(actor=user, kind=K.RECEIVE, part=stock.part, warehouse=stock.warehouse, quantity=1)
    assert stock_of(stock.part, stock.warehouse) == (5, 0)


def test_a_serialised_unit_needs_its_serial(keeper):
    part = PartFactory(serialised=True)
    with pytest.raises(ValidationFailed):
        stock_move(actor=keeper, kind=K.RECEIVE, part=part, warehouse=WarehouseFactory(), quantity=1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks between two connections")
def test_two_reservations_racing_for_the_last_unit_give_exactly_one_winner():
    keeper = UserFactory(role=Role.PARTS_KEEPER)
    stock = StockFactory(on_hand=1)
    barrier, outcomes = threading.Barrier(2), []

    def reserve():
        try:
            barrier.wait()
            stock_move(actor=keeper, kind=K.RESERVE, part=stock.part, warehouse=stock.warehouse, quantity=1)
            outcomes.append("won")
        except Conflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reserve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "won"]
    assert stock_of(stock.part, stock.warehouse) == (1, 1)
    assert StockMovement.objects.filter(kind=K.RESERVE).count() == 1
