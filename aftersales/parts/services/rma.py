"""RMA: a faulty part sent back to its vendor with the vendor's case number, and what came back.

Which units move stock: a case opened on a part request is a faulty unit taken back from a customer (advance
replacement or a swap). It was never good stock, so shipping it to the vendor only records the dates. A case
without a part request is a unit from the warehouse's own stock found faulty (dead on arrival, failed in a test):
shipping it takes it out of stock (SEND_TO_VENDOR).

What comes back is good stock either way: a repaired unit, or the vendor's free replacement of one that could
not be repaired, is received into the case's warehouse (RECEIVE_FROM_VENDOR, one unit). A scrapped unit brings
nothing back.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.parts.choices import MovementKind as K
from aftersales.parts.choices import RmaOutcome
from aftersales.parts.models import Part, PartRequest, RmaCase, Warehouse
from aftersales.parts.services.stock import may_move_stock, stock_move

CLOSING_OUTCOMES = (RmaOutcome.REPAIRED, RmaOutcome.REPLACED_FREE, RmaOutcome.SCRAPPED)
# A date typed a little ahead of the server's clock (another zone, a slow clock) is not a date in the future.
CLOCK_SLACK = dt.timedelta(minutes=5)


def may_manage_rma(user) -> bool:
    return may_move_stock(user)


def _text(value: str, field: str, errors: dict, *, required: str | None = None) -> str:
    value = (value or "").strip()
    limit = RmaCase._meta.get_field(field).max_length
    if required and not value:
        errors[field] = [required]
    elif limit is not None and len(value) > limit:
        errors[field] = [_("This is too long.")]
    return value


@transaction.atomic
def rma_open(
    *,
    actor,
    part: Part,
    warehouse: Warehouse,
    serial_number: str = "",
    part_request: PartRequest | None = None,
    vendor_case_number: str = "",
    note: str = "",
) -> RmaCase:
    """Open a case for one faulty unit, waiting in `warehouse` to go to the vendor."""
    if not may_manage_rma(actor):
        raise PermissionDenied()
    errors = {}
    serial_number = _text(serial_number, "serial_number", errors)
    vendor_case_number = _text(vendor_case_number, "vendor_case_number", errors)
    note = (note or "").strip()
    if len(note) > 2000:
        errors["note"] = [_("The note is too long.")]
    if not isinstance(part, Part) or part.pk is None:
        errors["part"] = [_("Choose the part.")]
    elif part_request is not None and part_request.part_id != part.pk:
        errors["part"] = [_("The RMA is for the part of its request.")]
    if not isinstance(warehouse, Warehouse) or warehouse.pk is None:
        errors["warehouse"] = [_("Choose the warehouse.")]
    elif not warehouse.is_active:
        errors["warehouse"] = [_("This warehouse is closed.")]
    if "part" not in errors and part.serialised and not serial_number:
        errors["serial_number"] = [_("This part is serialised: give the unit's serial number.")]
    if errors:
        raise ValidationFailed(detail=errors)
    return RmaCase.objects.create(
        part=part,
        warehouse=warehouse,
        serial_number=serial_number,
        part_request=part_request,
        vendor_case_number=vendor_case_number,
        note=note,
        created_by=actor,
    )


def _locked(rma: RmaCase) -> RmaCase:
    return RmaCase.objects.select_for_update(of=("self",)).select_related("part", "warehouse").get(pk=rma.pk)


def _moment(value: dt.datetime | None, field: str, now: dt.datetime, errors: dict) -> dt.datetime:
    if value is None:
        return now
    if value > now + CLOCK_SLACK:
        errors[field] = [_("This date lies in the future.")]
    return value


@transaction.atomic
def rma_ship(*, actor, rma: RmaCase, vendor_case_number: str, shipped_at: dt.datetime | None = None) -> RmaCase:
    """The unit goes to the vendor under the vendor's case number."""
    if not may_manage_rma(actor):
        raise PermissionDenied()
    rma = _locked(rma)
    if rma.shipped_at is not None or rma.outcome != RmaOutcome.PENDING:
        raise InvalidTransition(_("This unit has already gone to the vendor."))
    errors = {}
    now = timezone.now()
    vendor_case_number = _text(
        vendor_case_number, "vendor_case_number", errors, required=_("Enter the vendor's case number.")
    )
    shipped_at = _moment(shipped_at, "shipped_at", now, errors)
    if errors:
        raise ValidationFailed(detail=errors)
    if rma.part_request_id is None:
        stock_move(
            actor=actor,
            kind=K.SEND_TO_VENDOR,
            part=rma.part,
            warehouse=rma.warehouse,
            quantity=1,
            serial_number=rma.serial_number,
            rma_case=rma,
        )
    rma.vendor_case_number, rma.shipped_at = vendor_case_number, shipped_at
    rma.save(update_fields=["vendor_case_number", "shipped_at", "updated_at"])
    return rma


@transaction.atomic
def rma_close(
    *,
    actor,
    rma: RmaCase,
    outcome: str,
    returned_at: dt.datetime | None = None,
    replacement_serial: str = "",
) -> RmaCase:
    """What the vendor did: repaired it, replaced it free (with the new unit's serial), or scrapped it."""
    if not may_manage_rma(actor):
        raise PermissionDenied()
    rma = _locked(rma)
    if rma.outcome != RmaOutcome.PENDING:
        raise InvalidTransition(_("This RMA case is already closed."))
    if rma.shipped_at is None:
        raise InvalidTransition(_("Ship the unit to the vendor first."))
    errors = {}
    now = timezone.now()
    if outcome not in CLOSING_OUTCOMES:
        errors["outcome"] = [_("Choose what the vendor did.")]
    required = _("Enter the serial number of the replacement.") if outcome == RmaOutcome.REPLACED_FREE else None
    replacement_serial = _text(replacement_serial, "replacement_serial", errors, required=required)
    if outcome != RmaOutcome.REPLACED_FREE:
        replacement_serial = ""
    returned_at = _moment(returned_at, "returned_at", now, errors)
    if returned_at < rma.shipped_at and "returned_at" not in errors:
        errors["returned_at"] = [_("The unit cannot come back before it was shipped.")]
    if errors:
        raise ValidationFailed(detail=errors)
    if outcome in (RmaOutcome.REPAIRED, RmaOutcome.REPLACED_FREE):
        stock_move(
            actor=actor,
            kind=K.RECEIVE_FROM_VENDOR,
            part=rma.part,
            warehouse=rma.warehouse,
            quantity=1,
            serial_number=replacement_serial or rma.serial_number,
            rma_case=rma,
        )
    rma.outcome, rma.returned_at, rma.replacement_serial = outcome, returned_at, replacement_serial
    rma.save(update_fields=["outcome", "returned_at", "replacement_serial", "updated_at"])
    return rma
