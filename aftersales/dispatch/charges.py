"""What an out-of-warranty job costs the customer: labour at the contract's hourly rate, travel and parts.

One function, so the task sheet PDF and the web page always show the same figures.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from aftersales.contracts.choices import Entitlement
from aftersales.dispatch.choices import WorkOrderKind
from aftersales.dispatch.models import WorkOrder

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Charges:
    """Amounts in CNY the customer pays for one work order; all zero unless the ticket is billable."""

    billable: bool
    hourly_rate: Decimal
    labour: Decimal
    travel: Decimal
    parts: Decimal
    total: Decimal


def _money(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def work_order_charges(work_order: WorkOrder) -> Charges:
    """Labour hours × the contract's hourly rate, travel (the contract's charge per visit, on-site orders
    only, plus the order's own travel expenses) and parts (quantity × unit price).

    Work in warranty or given as advice only is free: every amount is zero and `billable` is False.
    Reads `work_order.parts.all()`, so a prefetch of `parts` spares the query.
    """
    ticket = work_order.ticket
    if ticket.entitlement != Entitlement.BILLABLE:
        return Charges(billable=False, hourly_rate=ZERO, labour=ZERO, travel=ZERO, parts=ZERO, total=ZERO)
    contract = ticket.contract
    hourly_rate = contract.hourly_rate if contract is not None else ZERO
    per_visit = contract.travel_rate if contract is not None and work_order.kind == WorkOrderKind.ON_SITE else ZERO
    labour = _money(work_order.labour_hours * hourly_rate)
    travel = _money(per_visit + work_order.travel_cost)
    parts = _money(sum((part.quantity * part.unit_price for part in work_order.parts.all()), ZERO))
    return Charges(
        billable=True,
        hourly_rate=_money(hourly_rate),
        labour=labour,
        travel=travel,
        parts=parts,
        total=labour + travel + parts,
    )
