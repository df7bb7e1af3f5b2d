"""Every movement of stock is one row made here, under a lock on the stock rows it changes, so stock never goes
negative and two reservations racing for the last unit give exactly one winner."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.parts.choices import MovementKind as K
from aftersales.parts.models import Part, Stock, StockMovement, Warehouse


@dataclass(frozen=True)
class Effect:
    """What a movement does to the warehouse's row (and, for a transfer, to the receiving warehouse's)."""

    on_hand: int  # +1 adds to on hand, -1 takes from it
    allocated: int  # +1 allocates, -1 frees an allocation
    receiving_on_hand: int = 0


# One table: each kind's effect on stock. Issuing or consuming what was reserved also frees the reservation
# (stock_move's `from_reservation`).
EFFECTS = {
    K.RECEIVE: Effect(on_hand=+1, allocated=0),
    K.RESERVE: Effect(on_hand=0, allocated=+1),
    K.RELEASE: Effect(on_hand=0, allocated=-1),
    K.ISSUE: Effect(on_hand=-1, allocated=0),
    K.CONSUME: Effect(on_hand=-1, allocated=0),
    K.RETURN: Effect(on_hand=+1, allocated=0),
    K.TRANSFER: Effect(on_hand=-1, allocated=0, receiving_on_hand=+1),
    K.SCRAP: Effect(on_hand=-1, allocated=0),
    K.SEND_TO_VENDOR: Effect(on_hand=-1, allocated=0),
    K.RECEIVE_FROM_VENDOR: Effect(on_hand=+1, allocated=0),
}


def may_move_stock(user) -> bool:
    """Parts keepers move stock; engineers and dispatchers reserve, issue and consume for their jobs."""
    return (
        user.is_active
        and user.is_staff_member
        and (
            user.role in (roles.Role.PARTS_KEEPER, roles.Role.ADMIN, roles.Role.MANAGER)
            or user.has_perm(roles.WORK)
            or user.has_perm(roles.DISPATCH)
        )
    )


@transaction.atomic
def stock_move(
    *,
    actor,
    kind: str,
    part: Part,
    warehouse: Warehouse,
    quantity: int,
    to_warehouse: Warehouse | None = None,
    serial_number: str = "",
    ticket=None,
    work_order=None,
    part_request=None,
    rma_case=None,
    part_used=None,
    from_reservation: bool = False,
    note: str = "",
) -> StockMovement:
    """Move stock and record it. Refuses what would make on-hand or allocated stock negative, or allocate more
    than is on hand; a transfer locks both rows in a fixed order so two opposite transfers cannot deadlock."""
    if not may_move_stock(actor):
        raise PermissionDenied()
    _check(kind, part, warehouse, quantity, to_warehouse, serial_number, from_reservation)
    effect = EFFECTS[kind]
    rows = _locked_rows(part, [warehouse, *([to_warehouse] if to_warehouse else [])])
    source = rows[warehouse.pk]
    on_hand = source.on_hand + effect.on_hand * quantity
    allocated = source.allocated + (effect.allocated - from_reservation) * quantity
    if on_hand < 0 or allocated < 0 or allocated > on_hand:
        raise Conflict(
            _("Not enough stock: %(warehouse)s holds %(on_hand)s of %(part)s, %(allocated)s of them reserved.")
            % {
                "warehouse": warehouse,
                "on_hand": source.on_hand,
                "part": part.part_number,
                "allocated": source.allocated,
            },
            detail={"quantity": [_("Not enough stock.")], "available": source.available},
        )
    source.on_hand, source.allocated = on_hand, allocated
    source.save(update_fields=["on_hand", "allocated"])
    if to_warehouse is not None:
        receiving = rows[to_warehouse.pk]
        receiving.on_hand += effect.receiving_on_hand * quantity
        receiving.save(update_fields=["on_hand"])
    return StockMovement.objects.create(
        kind=kind,
        part=part,
        warehouse=warehouse,
        to_warehouse=to_warehouse,
        quantity=quantity,
        serial_number=serial_number.strip(),
        ticket=ticket,
        work_order=work_order,
        part_request=part_request,
        rma_case=rma_case,
        part_used=part_used,
        actor=actor,
        at=timezone.now(),
        note=note.strip(),
    )


def _check(kind, part, warehouse, quantity, to_warehouse, serial_number, from_reservation) -> None:
    errors = {}
    if from_reservation and kind not in (K.ISSUE, K.CONSUME):
        errors["kind"] = [_("Only issuing or consuming takes from a reservation.")]
    if kind not in EFFECTS:
        errors["kind"] = [_("Unknown kind of movement.")]
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= 1_000_000:
        errors["quantity"] = [_("Enter a whole number of at least 1.")]
    if (kind == K.TRANSFER) != (to_warehouse is not None):
        errors["to_warehouse"] = [_("A transfer, and only a transfer, names the warehouse it goes to.")]
    elif to_warehouse is not None and to_warehouse.pk == warehouse.pk:
        errors["to_warehouse"] = [_("Choose another warehouse to transfer to.")]
    if part.serialised and quantity == 1 and kind in (K.RECEIVE, K.ISSUE, K.CONSUME) and not serial_number.strip():
        errors["serial_number"] = [_("This part is serialised: give the unit's serial number.")]
    if not warehouse.is_active or (to_warehouse is not None and not to_warehouse.is_active):
        errors["warehouse"] = [_("This warehouse is closed.")]
    if errors:
        raise ValidationFailed(detail=errors)


def _locked_rows(part: Part, warehouses: list[Warehouse]) -> dict[int, Stock]:
    """The stock rows of `part` in these warehouses, created when missing, locked in warehouse-id order."""
    ids = sorted({warehouse.pk for warehouse in warehouses})
    for warehouse_id in ids:
        Stock.objects.get_or_create(warehouse_id=warehouse_id, part=part)
    locked = Stock.objects.select_for_update().filter(part=part, warehouse_id__in=ids).order_by("warehouse_id")
    return {row.warehouse_id: row for row in locked}
