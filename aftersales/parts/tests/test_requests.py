"""Part requests on tickets: the promise from the contract, stock effects, advance replacement, and the sweep that
escalates a late part (50, 80, 100 %, each once) and chases a faulty part not sent back."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.notifications.models import Outbox
from aftersales.parts.choices import Destination, MovementKind, PartRequestStatus, RmaOutcome
from aftersales.parts.models import PartEscalation, PartRequest, RmaCase, Stock, StockMovement
from aftersales.parts.services.requests import (
    exceptions_from,
    faulty_part_returned,
    part_delivery_sweep,
    part_request_cancel,
    part_request_create,
    part_request_deliver,
    part_request_ship,
)
from aftersales.parts.tasks import sweep_part_deliveries
from aftersales.parts.tests.factories import PartFactory, StockFactory, WarehouseFactory
from aftersales.tickets.choices import EventKind, Status
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.tests.sla_helpers import FrozenClock

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.timedelta(days=1)


def beijing(month, day, hour=0, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


NOW = beijing(9, 30, 10)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch):
    return FrozenClock(monkeypatch, NOW)


@pytest.fixture
def engineer():
    return UserFactory(role=Role.ENGINEER, phone="+8613900000001")


@pytest.fixture
def keeper():
    return UserFactory(role=Role.PARTS_KEEPER, phone="+8613900000002")


@pytest.fixture
def ticket(engineer):
    lead = UserFactory(role=Role.AGENT, username="lead")
    return TicketFactory(status=Status.IN_PROGRESS, assignee=engineer, team=TeamFactory(lead=lead))


def request_part(actor, ticket, **overrides) -> PartRequest:
    values = {
        "actor": actor,
        "ticket": ticket,
        "part": PartFactory(),
        "quantity": 1,
        "destination": Destination.DOMESTIC,
    }
    return part_request_create(**{**values, **overrides})


def stock_of(part, warehouse):
    row = Stock.objects.get(part=part, warehouse=warehouse)
    return row.on_hand, row.allocated


def counts():
    return (
        PartRequest.objects.count(),
        StockMovement.objects.count(),
        TicketEvent.objects.count(),
        RmaCase.objects.count(),
        Outbox.objects.count(),
    )


# --- the promise ---------------------------------------------------------------------------------------------


def test_without_a_contract_the_promise_is_7_calendar_days_domestic_and_21_abroad(clock, engineer, ticket):
    domestic = request_part(engineer, ticket)
    abroad = request_part(engineer, ticket, destination=Destination.ABROAD)
    assert (domestic.promised_days, domestic.business_days, domestic.due_at) == (7, False, beijing(10, 7, 10))
    assert (abroad.promised_days, abroad.business_days, abroad.due_at) == (21, False, beijing(10, 21, 10))
    assert domestic.status == PartRequestStatus.REQUESTED
    assert (domestic.requested_by, domestic.requested_at, domestic.next_check_at) == (
        engineer,
        NOW,
        beijing(10, 3, 22),  # 50 % of 7 days
    )


def test_the_contracts_promise_in_working_days_skips_the_national_day_holiday(clock, engineer, ticket):
    ticket.contract = ContractFactory(
        customer=ticket.customer, parts_days_domestic=5, parts_days_abroad=15, parts_business_days=True
    )
    ticket.save(update_fields=["contract"])
    domestic = request_part(engineer, ticket)
    # 30 September + 5 working days: 8, 9, 10 (make-up Saturday), 12, 13 October
    assert (domestic.promised_days, domestic.business_days, domestic.due_at) == (5, True, beijing(10, 13, 10))
    abroad = request_part(engineer, ticket, destination=Destination.ABROAD)
    assert abroad.due_at == beijing(10, 27, 10)  # 15 working days


def test_the_seeded_calendar_exceptions_are_the_ones_read():
    exceptions = exceptions_from(dt.date(2026, 9, 1))
    assert exceptions[dt.date(2026, 10, 1)] == "holiday"
    assert exceptions[dt.date(2026, 10, 10)] == "workday"
    assert dt.date(2025, 10, 1) not in exceptions


def test_the_request_is_on_the_customers_timeline(clock, engineer, ticket):
    request = request_part(engineer, ticket, note="客户机房需提前预约")
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.actor, event.at, event.note) == (EventKind.UPDATED, engineer, NOW, "")
    assert event.data == {
        "part_request": request.pk,
        "action": "requested",
        "part_number": request.part.part_number,
        "public": True,
        "due_at": request.due_at.isoformat(),
        "quantity": 1,
    }
    customer = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    assert list(TicketEvent.objects.visible_to(customer)) == [event]


# --- stock effects ---------------------------------------------------------------------------------------------


def test_from_a_warehouse_with_stock_the_part_is_reserved_then_issued_when_shipped(clock, engineer, keeper, ticket):
    stock = StockFactory(on_hand=3)
    request = request_part(engineer, ticket, part=stock.part, warehouse=stock.warehouse, quantity=2)
    assert request.status == PartRequestStatus.RESERVED
    assert stock_of(stock.part, stock.warehouse) == (3, 2)
    reserve = StockMovement.objects.get()
    assert (reserve.kind, reserve.quantity, reserve.part_request, reserve.ticket) == (
        MovementKind.RESERVE,
        2,
        request,
        ticket,
    )

    clock.set(NOW + DAY)
    request = part_request_ship(actor=keeper, request=request, tracking_number=" SF1234567890 ")
    assert (request.status, request.shipped_at, request.tracking_number) == (
        PartRequestStatus.SHIPPED,
        NOW + DAY,
        "SF1234567890",
    )
    assert stock_of(stock.part, stock.warehouse) == (1, 0)
    assert StockMovement.objects.filter(kind=MovementKind.ISSUE, part_request=request, quantity=2).count() == 1

    clock.set(NOW + 2 * DAY)
    request = part_request_deliver(actor=keeper, request=request)
    assert (request.status, request.delivered_at, request.next_check_at, request.faulty_due_at) == (
        PartRequestStatus.DELIVERED,
        NOW + 2 * DAY,
        None,
        None,
    )
    actions = [event.data["action"] for event in TicketEvent.objects.filter(ticket=ticket).order_by("id")]
    assert actions == ["requested", "shipped", "delivered"]


def test_without_enough_stock_the_request_waits_unreserved(clock, engineer, ticket):
    stock = StockFactory(on_hand=1)
    request = request_part(engineer, ticket, part=stock.part, warehouse=stock.warehouse, quantity=2)
    assert (request.status, request.warehouse) == (PartRequestStatus.REQUESTED, stock.warehouse)
    assert stock_of(stock.part, stock.warehouse) == (1, 0)
    assert StockMovement.objects.count() == 0


def test_shipping_from_another_warehouse_issues_from_it_and_a_part_from_outside_moves_no_stock(
    clock, engineer, keeper, ticket
):
    stock = StockFactory(on_hand=1)
    request = request_part(engineer, ticket, part=stock.part)
    part_request_ship(actor=keeper, request=request, warehouse=stock.warehouse)
    assert stock_of(stock.part, stock.warehouse) == (0, 0)
    request.refresh_from_db()
    assert request.warehouse == stock.warehouse

    from_vendor = request_part(engineer, ticket)
    part_request_ship(actor=keeper, request=from_vendor, tracking_number="DHL-1")
    assert StockMovement.objects.filter(part_request=from_vendor).count() == 0


def test_shipping_without_the_stock_is_refused_and_changes_nothing(clock, engineer, keeper, ticket):
    stock = StockFactory(on_hand=0)
    request = request_part(engineer, ticket, part=stock.part)
    before = counts()
    with pytest.raises(Conflict):
        part_request_ship(actor=keeper, request=request, warehouse=stock.warehouse)
    request.refresh_from_db()
    assert (request.status, request.shipped_at, counts()) == (PartRequestStatus.REQUESTED, None, before)


def test_cancelling_releases_the_reservation_and_stops_the_clock(clock, engineer, ticket):
    stock = StockFactory(on_hand=2)
    request = request_part(engineer, ticket, part=stock.part, warehouse=stock.warehouse)
    request = part_request_cancel(actor=engineer, request=request, reason="客户自行更换了")
    assert (request.status, request.next_check_at) == (PartRequestStatus.CANCELLED, None)
    assert stock_of(stock.part, stock.warehouse) == (2, 0)
    assert StockMovement.objects.filter(kind=MovementKind.RELEASE, part_request=request).count() == 1
    event = TicketEvent.objects.filter(ticket=ticket).latest("id")
    assert (event.note, event.data["action"], event.data["public"]) == ("客户自行更换了", "cancelled", False)


def test_state_rules(clock, engineer, keeper, ticket):
    request = request_part(engineer, ticket)
    with pytest.raises(InvalidTransition):
        part_request_deliver(actor=keeper, request=request)
    with pytest.raises(ValidationFailed):
        part_request_cancel(actor=engineer, request=request, reason="  ")
    part_request_ship(actor=keeper, request=request)
    before = counts()
    for call in (
        lambda: part_request_ship(actor=keeper, request=request),
        lambda: part_request_cancel(actor=keeper, request=request, reason="不要了"),
        lambda: faulty_part_returned(actor=keeper, request=request, serial_number="X", warehouse=WarehouseFactory()),
    ):
        with pytest.raises(InvalidTransition):
            call()
    assert counts() == before


def test_a_closed_ticket_gets_no_part_request(clock, engineer):
    ticket = TicketFactory(status=Status.CLOSED)
    with pytest.raises(InvalidTransition):
        request_part(engineer, ticket)
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    "overrides",
    [{"quantity": 0}, {"quantity": 1001}, {"quantity": "2"}, {"destination": "mars"}, {"faulty_serial": "S" * 101}],
)
def test_bad_input_is_refused(clock, engineer, ticket, overrides):
    with pytest.raises(ValidationFailed):
        request_part(engineer, ticket, **overrides)
    assert counts() == (0, 0, 0, 0, 0)


def test_refusals_change_nothing(clock, engineer, keeper, ticket):
    customer = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    stock = StockFactory(on_hand=2)
    for actor in (keeper, customer, UserFactory(role=Role.QUALITY), UserFactory(role=Role.ENGINEER, is_active=False)):
        with pytest.raises(PermissionDenied):
            request_part(actor, ticket, part=stock.part, warehouse=stock.warehouse)
    request = request_part(engineer, ticket, part=stock.part, warehouse=stock.warehouse)
    before = counts()
    for actor in (customer, UserFactory(role=Role.QUALITY)):
        for service, kwargs in (
            (part_request_ship, {}),
            (part_request_deliver, {}),
            (part_request_cancel, {"reason": "x"}),
            (faulty_part_returned, {"serial_number": "x", "warehouse": stock.warehouse}),
        ):
            with pytest.raises(PermissionDenied):
                service(actor=actor, request=request, **kwargs)
    request.refresh_from_db()
    assert (request.status, counts(), stock_of(stock.part, stock.warehouse)) == (
        PartRequestStatus.RESERVED,
        before,
        (2, 1),
    )


# --- the sweep: a late part ----------------------------------------------------------------------------------


def outbox_keys():
    return sorted(Outbox.objects.values_list("key", flat=True))


def test_the_delivery_clock_escalates_a_late_part_once_per_rung(clock, engineer, keeper, ticket):
    """7 calendar days from 30 September 10:00: 50 % on 3 October 22:00, 80 % on 6 October 00:24, 100 % on the 7th."""
    other_keeper = UserFactory(role=Role.PARTS_KEEPER)  # no phone: in-app only
    UserFactory(role=Role.PARTS_KEEPER, is_active=False)
    lead = ticket.team.lead
    request = request_part(engineer, ticket)
    people = [
        (keeper, ["in_app", "sms"]),
        (other_keeper, ["in_app"]),
        (engineer, ["in_app", "sms"]),
        (lead, ["in_app"]),
    ]

    def keys(percent):
        return sorted(
            f"part:{request.pk}:{percent}:{user.pk}:{channel}" for user, channels in people for channel in channels
        )

    assert part_delivery_sweep(now=beijing(10, 3, 21, 59)) == 0  # nothing is due yet
    assert part_delivery_sweep(now=beijing(10, 3, 22)) == 6
    assert part_delivery_sweep(now=beijing(10, 3, 22, 5)) == 0  # run twice: nothing new
    assert outbox_keys() == keys(50)
    request.refresh_from_db()
    assert request.next_check_at == beijing(10, 6, 0, 24)

    assert part_delivery_sweep(now=beijing(10, 6, 0, 24)) == 6
    assert part_delivery_sweep(now=beijing(10, 6, 0, 30)) == 0
    assert part_delivery_sweep(now=beijing(10, 7, 10)) == 6
    assert part_delivery_sweep(now=beijing(10, 7, 10)) == 0
    assert outbox_keys() == sorted(keys(50) + keys(80) + keys(100))
    assert list(
        PartEscalation.objects.filter(request=request).order_by("percent").values_list("percent", "reached_at")
    ) == [
        (50, beijing(10, 3, 22)),
        (80, beijing(10, 6, 0, 24)),
        (100, beijing(10, 7, 10)),
    ]
    warning = Outbox.objects.get(key=f"part:{request.pk}:80:{keeper.pk}:sms")
    late = Outbox.objects.get(key=f"part:{request.pk}:100:{keeper.pk}:sms")
    assert "80%" in warning.subject and not warning.urgent
    assert ticket.number in late.subject and request.part.part_number in late.subject and late.urgent
    request.refresh_from_db()
    assert request.next_check_at == beijing(10, 10, 22)  # 150 %


def test_a_sweep_after_a_pause_records_every_rung_and_tells_only_the_latest(clock, engineer, ticket):
    request = request_part(engineer, ticket)
    part_delivery_sweep(now=beijing(10, 8, 10))
    assert list(PartEscalation.objects.order_by("percent").values_list("percent", flat=True)) == [50, 80, 100]
    assert {key.split(":")[2] for key in outbox_keys()} == {"100"}
    assert request.pk  # the request's ladder goes on at 150 %
    assert PartRequest.objects.get().next_check_at == beijing(10, 10, 22)


def test_delivery_stops_the_ladder(clock, engineer, keeper, ticket):
    request = request_part(engineer, ticket)
    part_delivery_sweep(now=beijing(10, 3, 22))
    clock.set(beijing(10, 4, 9))
    part_request_ship(actor=keeper, request=request)
    part_request_deliver(actor=keeper, request=request)
    assert part_delivery_sweep(now=beijing(10, 20)) == 0
    assert list(PartEscalation.objects.values_list("percent", flat=True)) == [50]


def test_the_task_runs_the_sweep(clock, engineer, ticket):
    request_part(engineer, ticket)
    clock.set(beijing(10, 3, 22))
    assert sweep_part_deliveries.call() == 3  # the engineer (in-app and SMS) and the team lead (in-app)


# --- advance replacement -------------------------------------------------------------------------------------


def test_advance_replacement_chases_the_faulty_part_once_a_day_until_it_is_back(clock, engineer, keeper, ticket):
    stock = StockFactory(on_hand=1)
    request = request_part(
        engineer,
        ticket,
        part=stock.part,
        warehouse=stock.warehouse,
        advance_replacement=True,
        faulty_serial="2102-FAULTY",
    )
    part_request_ship(actor=keeper, request=request)
    clock.set(beijing(10, 2, 15))
    request = part_request_deliver(actor=keeper, request=request)
    assert (request.faulty_due_at, request.next_check_at) == (beijing(10, 16, 15), beijing(10, 16, 15))

    assert part_delivery_sweep(now=beijing(10, 16, 14, 59)) == 0
    assert part_delivery_sweep(now=beijing(10, 16, 15)) == 4  # keeper and engineer (the requester), in-app and SMS
    assert part_delivery_sweep(now=beijing(10, 16, 20)) == 0
    assert PartRequest.objects.get().next_check_at == beijing(10, 17, 15)
    assert part_delivery_sweep(now=beijing(10, 17, 15, 5)) == 4
    assert outbox_keys() == sorted(
        f"faulty:{request.pk}:2026-10-{day}:{user.pk}:{channel}"
        for day in (16, 17)
        for user in (keeper, engineer)
        for channel in ("in_app", "sms")
    )
    chase = Outbox.objects.get(key=f"faulty:{request.pk}:2026-10-16:{keeper.pk}:sms")
    assert "2102-FAULTY" in chase.body

    clock.set(beijing(10, 18, 9))
    warehouse = WarehouseFactory()
    rma = faulty_part_returned(actor=keeper, request=request, serial_number="", warehouse=warehouse)
    request.refresh_from_db()
    assert (request.faulty_returned_at, request.next_check_at, request.faulty_serial) == (
        beijing(10, 18, 9),
        None,
        "2102-FAULTY",
    )
    assert (rma.part, rma.warehouse, rma.serial_number, rma.part_request, rma.outcome, rma.created_by) == (
        stock.part,
        warehouse,
        "2102-FAULTY",
        request,
        RmaOutcome.PENDING,
        keeper,
    )
    assert StockMovement.objects.filter(rma_case=rma).count() == 0  # the faulty unit is not good stock
    assert part_delivery_sweep(now=beijing(10, 25)) == 0
    with pytest.raises(InvalidTransition):
        faulty_part_returned(actor=keeper, request=request, serial_number="", warehouse=warehouse)
