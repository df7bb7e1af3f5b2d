"""A part used on a work order comes out of stock: the line on the task sheet (which the charges add up) and the
consuming movement are written together, or not at all."""

from decimal import Decimal

from django.db import transaction

from aftersales.dispatch.models import WorkOrder
from aftersales.dispatch.services.work_orders import part_add
from aftersales.parts.choices import MovementKind
from aftersales.parts.models import Part, StockMovement, Warehouse
from aftersales.parts.services.stock import stock_move

DESCRIPTION_LENGTH = 200  # PartUsed.description


@transaction.atomic
def work_order_part_from_stock(
    *,
    actor,
    work_order: WorkOrder,
    part: Part,
    warehouse: Warehouse,
    quantity: int = 1,
    serial_number: str = "",
    unit_price: Decimal | None = None,
) -> StockMovement:
    """The order's engineer, while working, takes `quantity` of `part` from `warehouse` for the job.

    The sheet's line is added by dispatch's own service (same rules as a free-text line: the engineer, on site or
    remote); the stock is consumed by stock_move, which refuses what is not there. The price defaults to the
    part's unit cost. Either refusal leaves nothing behind."""
    line = part_add(
        actor=actor,
        work_order=work_order,
        description=part.description[:DESCRIPTION_LENGTH],
        quantity=quantity,
        part_number=part.part_number,
        serial_number=serial_number,
        unit_price=part.unit_cost if unit_price is None else unit_price,
    )
    return stock_move(
        actor=actor,
        kind=MovementKind.CONSUME,
        part=part,
        warehouse=warehouse,
        quantity=quantity,
        serial_number=serial_number,
        ticket=work_order.ticket,
        work_order=work_order,
        part_used=line,
        from_reservation=False,
    )
