"""Inspections (巡检): generated ahead of time from the plans, worked through their checklist, findings raised
as tickets."""

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from aftersales.accounts import roles
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.core.time import local_date
from aftersales.customers.models import Contact
from aftersales.maintenance.choices import InspectionStatus, ItemKind, Outcome
from aftersales.maintenance.models import ChecklistItem, Inspection, InspectionResult, MaintenancePlan
from aftersales.maintenance.recurrence import occurrences
from aftersales.tickets.choices import Channel, EventKind, Kind
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.common import record_event as ticket_event
from aftersales.tickets.services.intake import ticket_create

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# What Pillow reports -> the extension the stored file gets (the name the uploader chose is not trusted).
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
PHOTO_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
INSERT_BATCH = 5_000
WORKABLE = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


# --- generation ---------------------------------------------------------------------------------------------


class PlanRule(NamedTuple):
    """What generation reads of a plan (tuples: 10,000 plans are read in a fraction of the time of models)."""

    id: int
    recurrence: str
    weekday: int | None
    day_of_month: int | None
    week_of_month: int | None
    starts_on: dt.date
    ends_on: dt.date | None
    lead_days: int
    engineer_id: int | None
    team_lead_id: int | None
    contract_ends_on: dt.date


def inspections_generate(
    *, today: dt.date | None = None, plans: Iterable[MaintenancePlan] | None = None, horizon: int | None = None
) -> int:
    """Plan every active plan's inspections from today to `lead_days` ahead (or `horizon` days); return how many
    are new. `plans` (a queryset or a list) limits it to those plans.

    Idempotent and safe with two workers at once: the dates are computed in Python, and the rows are inserted
    with ON CONFLICT DO NOTHING on the unique (plan, day), so a period that already has its inspection keeps it
    and is not counted. Dates stop at the plan's end and at its contract's end. The inspection goes to the
    plan's engineer, or else to its team's lead."""
    today = today or local_date()
    if plans is None:
        plans = MaintenancePlan.objects.all()
    elif not isinstance(plans, QuerySet):
        plans = MaintenancePlan.objects.filter(pk__in=[plan.pk for plan in plans])
    rules = plans.filter(is_active=True).values_list(
        "id",
        "recurrence",
        "weekday",
        "day_of_month",
        "week_of_month",
        "starts_on",
        "ends_on",
        "lead_days",
        "engineer_id",
        "team__lead_id",
        "contract__end_date",
    )
    now = timezone.now()
    rows = []
    for rule in map(PlanRule._make, rules):
        last = min(today + dt.timedelta(days=rule.lead_days if horizon is None else horizon), rule.contract_ends_on)
        engineer_id = rule.engineer_id or rule.team_lead_id
        rows.extend((rule.id, day, engineer_id) for day in occurrences(rule, today, last))
    return _insert(rows, now)


def _insert(rows: list[tuple], now: dt.datetime) -> int:
    """INSERT … ON CONFLICT DO NOTHING in batches; the database's row counts say how many were new.

    Not bulk_create(ignore_conflicts=True): it cannot tell how many rows the conflicts dropped."""
    table = connection.ops.quote_name(Inspection._meta.db_table)
    columns = "plan_id, scheduled_for, engineer_id, status, summary, created_at, updated_at"
    created = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for offset in range(0, len(rows), INSERT_BATCH):
            batch = rows[offset : offset + INSERT_BATCH]
            if connection.vendor == "postgresql":
                # Three arrays instead of 35,000 parameters: one statement, planned once, for the whole batch.
                plan_ids, days, engineers = zip(*batch, strict=True)
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "  # noqa: S608  (constants; the values are parameters)
                    "SELECT plan, day, engineer, %s, '', %s, %s "
                    "FROM unnest(%s::bigint[], %s::date[], %s::bigint[]) AS row(plan, day, engineer) "
                    "ON CONFLICT (plan_id, scheduled_for) DO NOTHING",
                    [InspectionStatus.PLANNED, now, now, _array(plan_ids), _array(days), _array(engineers)],
                )
                created += cursor.rowcount
                continue
            for small in range(0, len(batch), 500):  # SQLite: keep under its limit of bound parameters
                part = batch[small : small + 500]
                values = ", ".join(["(%s, %s, %s, %s, '', %s, %s)"] * len(part))
                parameters = [
                    value for plan, day, engineer in part for value in (plan, day, engineer, "planned", now, now)
                ]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608  (placeholders only)
                    "ON CONFLICT (plan_id, scheduled_for) DO NOTHING",
                    parameters,
                )
                created += cursor.rowcount
    return created


def _array(values) -> str:
    """A PostgreSQL array literal of ids or dates: one text parameter, instead of adapting 5,000 values."""
    return "{" + ",".join("NULL" if value is None else str(value) for value in values) + "}"


# --- working an inspection ------------------------------------------------------------------------------------


def may_work(user, inspection: Inspection) -> bool:
    """The inspection's engineer, or staff who work on tickets."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_customer_user:
        return False
    return inspection.engineer_id == user.pk or user.has_perm(roles.WORK)


def _locked(inspection: Inspection, actor) -> Inspection:
    inspection = Inspection.objects.select_for_update().select_related("plan").get(pk=inspection.pk)
    if not may_work(actor, inspection):
        raise PermissionDenied()
    return inspection


@transaction.atomic
def inspection_start(*, actor, inspection: Inspection) -> Inspection:
    """The engineer is on site and begins the checklist; an inspection nobody was assigned becomes theirs."""
    inspection = _locked(inspection, actor)
    if inspection.status != InspectionStatus.PLANNED:
        raise InvalidTransition(_("Only a planned inspection can be started."))
    _begin(inspection, actor)
    return inspection


def _begin(inspection: Inspection, actor) -> None:
    inspection.status = InspectionStatus.IN_PROGRESS
    inspection.started_at = timezone.now()
    fields = ["status", "started_at", "updated_at"]
    if inspection.engineer_id is None:
        inspection.engineer = actor
        fields.append("engineer")
    inspection.save(update_fields=fields)


@transaction.atomic
def inspection_record(
    *,
    actor,
    inspection: Inspection,
    item: ChecklistItem,
    outcome: str | None,
    reading: Decimal | None = None,
    text: str = "",
    photo=None,
) -> InspectionResult:
    """Record (or correct) one checklist item. Without an outcome, a reading decides: outside the item's good
    range it fails, inside it passes. Recording the first item starts a planned inspection."""
    inspection = _locked(inspection, actor)
    if inspection.status not in WORKABLE:
        raise InvalidTransition(_("This inspection is finished; its results can no longer change."))
    if item.template_id != inspection.plan.checklist_id:
        raise ValidationFailed(detail={"item": [_("This item is not on the inspection's checklist.")]})
    existing = InspectionResult.objects.select_for_update().filter(inspection=inspection, item=item).first()
    if existing is not None and existing.ticket_id is not None:
        raise InvalidTransition(_("A ticket was raised from this result; it can no longer change."))
    outcome = _outcome(item, outcome, reading, photo=photo or (existing.photo if existing else None))
    stored_photo = _photo_file(photo) if photo else None
    if inspection.status == InspectionStatus.PLANNED:
        _begin(inspection, actor)
    result = existing or InspectionResult(inspection=inspection, item=item)
    result.outcome = outcome
    result.reading = reading
    result.text = text.strip()
    result.recorded_by = actor
    result.recorded_at = timezone.now()
    if stored_photo is not None:
        result.photo.save(stored_photo.name, stored_photo, save=False)
    result.save()
    return result


def out_of_range(item: ChecklistItem, reading: Decimal | None) -> bool:
    if reading is None:
        return False
    return (item.minimum is not None and reading < item.minimum) or (
        item.maximum is not None and reading > item.maximum
    )


def _outcome(item: ChecklistItem, outcome: str | None, reading: Decimal | None, *, photo) -> str:
    errors = {}
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = [_("Choose pass, fail or not applicable.")]
    elif outcome != Outcome.NOT_APPLICABLE:
        if item.kind == ItemKind.READING and reading is None:
            errors["reading"] = [_("Enter the reading.")]
        if item.kind == ItemKind.PHOTO and not photo:
            errors["photo"] = [_("Add a photo.")]
        if not outcome and item.kind != ItemKind.READING:
            errors["outcome"] = [_("Choose pass, fail or not applicable.")]
    if errors:
        raise ValidationFailed(detail=errors)
    if outcome:
        return outcome
    return Outcome.FAIL if out_of_range(item, reading) else Outcome.PASS


def _photo_file(upload) -> ContentFile:
    """Only real images up to 10 MB; the stored name comes from what Pillow found, not from the upload."""
    error = ValidationFailed(detail={"photo": [_("The photo must be a JPEG, PNG, GIF or WebP image.")]})
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationFailed(detail={"photo": [_("The photo is larger than 10 MB.")]})
    content = upload.read()
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            found = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise error from None
    if found not in PHOTO_FORMATS:
        raise error
    return ContentFile(content, name=f"photo.{PHOTO_FORMATS[found]}")


@transaction.atomic
def inspection_complete(*, actor, inspection: Inspection, summary: str = "") -> Inspection:
    """Done, once every item of the checklist has its result."""
    inspection = _locked(inspection, actor)
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise InvalidTransition(_("Only an inspection in progress can be completed."))
    recorded = InspectionResult.objects.filter(inspection=inspection).values("item_id")
    missing = ChecklistItem.objects.filter(template_id=inspection.plan.checklist_id).exclude(id__in=recorded).count()
    if missing:
        raise ValidationFailed(
            _("Every item of the checklist needs a result first."),
            detail={"__all__": [_("Items without a result: %(count)s.") % {"count": missing}]},
        )
    inspection.status = InspectionStatus.DONE
    inspection.completed_at = timezone.now()
    inspection.summary = summary.strip()
    inspection.save(update_fields=["status", "completed_at", "summary", "updated_at"])
    return inspection


# --- findings become tickets ----------------------------------------------------------------------------------


@transaction.atomic
def inspection_item_raise_ticket(*, actor, result: InspectionResult) -> Ticket:
    """A failed item becomes a ticket for the plan's customer and site, channel "inspection", linked both ways
    (the result keeps the ticket; the ticket's timeline names the inspection). Once only."""
    result = (
        InspectionResult.objects.select_for_update()
        .select_related("inspection__plan__contract__customer", "inspection__plan__site", "item")
        .get(pk=result.pk)
    )
    inspection = result.inspection
    if not may_work(actor, inspection):
        raise PermissionDenied()
    if result.outcome != Outcome.FAIL:
        raise InvalidTransition(_("Only a failed item can become a ticket."))
    if result.ticket_id is not None:
        raise InvalidTransition(_("A ticket was already raised from this item."))
    plan = inspection.plan
    contact_name, contact_phone = _contact(plan)
    # An engineer may not log tickets for customers; the finding is raised on the inspection's behalf, and the
    # timeline records who pressed the button.
    ticket = ticket_create(
        actor=actor,
        customer=plan.contract.customer,
        site=plan.site,
        assets=list(plan.assets.all()),
        channel=Channel.INSPECTION,
        kind=Kind.GENERAL_FAULT,
        title=(_("Inspection finding: %(item)s") % {"item": result.item.label})[:200],
        description=_finding_description(result),
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    result.ticket = ticket
    result.save(update_fields=["ticket"])
    ticket_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.UPDATED,
        data={"inspection": inspection.pk, "inspection_result": result.pk, "public": True},
    )
    return ticket


def _contact(plan: MaintenancePlan) -> tuple[str, object]:
    """The site's first contact, else the customer's, else the customer's own number."""
    customer = plan.contract.customer
    contact = (
        Contact.objects.filter(customer=customer, site=plan.site).order_by("id").first()
        or Contact.objects.filter(customer=customer).order_by("id").first()
    )
    if contact is not None:
        return contact.name, contact.phone
    if customer.phone:
        return customer.name, customer.phone
    raise ValidationFailed(
        _("The customer has no contact to put on the ticket. Add a contact first."),
        detail={"contact": [_("The customer has no contact.")]},
    )


def _finding_description(result: InspectionResult) -> str:
    item, inspection = result.item, result.inspection
    lines = [
        _("Found during the inspection %(plan)s on %(day)s.")
        % {"plan": inspection.plan.title, "day": inspection.scheduled_for.isoformat()},
        _("Checklist item: %(item)s") % {"item": item.label},
    ]
    if item.expected:
        lines.append(_("Expected: %(expected)s") % {"expected": item.expected})
    if item.minimum is not None or item.maximum is not None:
        lines.append(
            _("Good readings: %(minimum)s to %(maximum)s %(unit)s")
            % {
                "minimum": "—" if item.minimum is None else _number(item.minimum),
                "maximum": "—" if item.maximum is None else _number(item.maximum),
                "unit": item.unit,
            }
        )
    if result.reading is not None:
        lines.append(_("Reading: %(reading)s %(unit)s") % {"reading": _number(result.reading), "unit": item.unit})
    if result.text:
        lines.append(_("Remark: %(text)s") % {"text": result.text})
    return "\n".join(line.strip() for line in lines)


def _number(value: Decimal) -> str:
    """12.500 -> "12.5", 100.000 -> "100" (not "1E+2")."""
    return f"{value.normalize():f}"
