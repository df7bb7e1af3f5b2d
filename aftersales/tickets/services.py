"""Writes to tickets. Every change runs in one transaction, is checked, and leaves an event."""

import mimetypes
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.assets.models import Asset
from aftersales.contracts.entitlement import entitlement_check
from aftersales.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    validation_failed_from,
)
from aftersales.core.time import local_date
from aftersales.customers.models import Customer, Site
from aftersales.tickets.choices import Channel, EventKind, Status, Tier
from aftersales.tickets.models import (
    Attachment,
    Comment,
    PriorityRule,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from aftersales.tickets.transitions import ASSIGNABLE, BY_ACTION, is_permitted

ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/tiff",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EDITABLE_FIELDS = (
    "title",
    "description",
    "kind",
    "urgency",
    "impact",
    "tier",
    "team",
    "contact_name",
    "contact_phone",
    "root_cause",
)


def priority_for(*, service_level_id: int | None, urgency: int, impact: int) -> int:
    """The matrix cell for the service level, else the default cell, else the worse of the two levels."""
    # Not `service_level_id__in=[id, None]`: an IN lookup drops None, so the default cells were never read.
    rules = PriorityRule.objects.filter(
        Q(service_level_id=service_level_id) | Q(service_level__isnull=True), urgency=urgency, impact=impact
    )
    by_level = {rule.service_level_id: rule.priority for rule in rules}
    if service_level_id in by_level:
        return by_level[service_level_id]
    return by_level.get(None, min(4, urgency + impact - 1))


def next_ticket_number(received_at) -> str:
    """`SR` + local date + a per-day sequence, e.g. SR202611220001. Safe under concurrency."""
    day = local_date(received_at)
    for _attempt in range(3):
        if TicketSequence.objects.filter(day=day).update(last=F("last") + 1):
            break
        try:
            with transaction.atomic():
                TicketSequence.objects.create(day=day, last=1)
            break
        except IntegrityError:
            continue
    last = TicketSequence.objects.get(day=day).last
    return f"SR{day:%Y%m%d}{last:04d}"


def record_event(
    *,
    ticket: Ticket,
    actor,
    kind: str,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    at=None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        note=note,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        at=at or timezone.now(),
    )


def _intake_scope(*, actor, customer: Customer, site: Site | None, assets: Sequence[Asset]) -> None:
    if actor.is_customer_user:
        if not actor.is_active or customer.id != actor.customer_id:
            raise NotFound()
    elif not actor.has_perm(roles.LOG):
        raise PermissionDenied()
    errors = {}
    if site is not None and site.customer_id != customer.id:
        errors["site"] = [_("The site does not belong to this customer.")]
    if any(asset.customer_id != customer.id for asset in assets):
        errors["assets"] = [_("Every asset must belong to this customer.")]
    if errors:
        raise ValidationFailed(detail=errors)


@transaction.atomic
def ticket_create(
    *,
    actor,
    customer: Customer,
    title: str,
    description: str,
    contact_name: str,
    contact_phone,
    kind: str,
    channel: str,
    urgency: int = 2,
    impact: int = 2,
    site: Site | None = None,
    assets: Sequence[Asset] = (),
    received_at=None,
) -> Ticket:
    """Register a request (intake): number it, check entitlement, derive priority, record the event."""
    _intake_scope(actor=actor, customer=customer, site=site, assets=assets)
    if actor.is_customer_user:
        # Customers report through the portal at the moment they report: they cannot backdate the SLA clock.
        channel, received_at = Channel.PORTAL, None
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise ValidationFailed(detail={"received_at": [_("The time received cannot be in the future.")]})
    entitlement = entitlement_check(
        customer_id=customer.id,
        site_id=site.id if site else None,
        asset=assets[0] if assets else None,
        on=local_date(received_at),
    )
    service_level_id = entitlement.contract.service_level_id if entitlement.contract else None
    ticket = Ticket(
        customer=customer,
        site=site,
        title=title,
        description=description,
        contact_name=contact_name,
        contact_phone=contact_phone,
        kind=kind,
        channel=channel,
        urgency=urgency,
        impact=impact,
        received_at=received_at,
        created_by=actor,
        contract=entitlement.contract,
        service_level_id=service_level_id,
        entitlement=entitlement.kind,
        entitlement_facts=entitlement.facts,
    )
    try:
        ticket.full_clean(exclude=["number", "created_by", "priority"])
    except ValidationError as error:
        raise validation_failed_from(error) from error
    # Derived after validation, from the cleaned levels: an invalid level would make the matrix query raise.
    ticket.priority = priority_for(service_level_id=service_level_id, urgency=ticket.urgency, impact=ticket.impact)
    ticket.number = next_ticket_number(received_at)
    ticket.save()
    ticket.assets.set(assets)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.CREATED,
        to_status=Status.NEW,
        at=now,
        data={
            "channel": channel,
            "entitlement": entitlement.kind,
            "priority": ticket.priority,
            "received_at": received_at.isoformat(),
        },
    )
    return ticket


def _locked(ticket: Ticket, version: int | None) -> Ticket:
    """Re-read the ticket under a row lock and refuse a stale version."""
    current = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if version is not None and current.version != version:
        raise Conflict(detail={"version": current.version})
    return current


def _save(ticket: Ticket, fields: Sequence[str]) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def ticket_update(*, actor, ticket: Ticket, version: int | None, **changes) -> Ticket:
    """Edit a ticket's descriptive fields; urgency or impact changes re-derive the priority."""
    if not (actor.has_perm(roles.LOG) or actor.has_perm(roles.WORK) or actor.has_perm(roles.SUPERVISE)):
        raise PermissionDenied()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(detail={name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    ticket = _locked(ticket, version)
    if ticket.status in (Status.CLOSED, Status.ARCHIVED, Status.CANCELLED):
        raise InvalidTransition(_("A closed ticket cannot be edited."))
    before = {name: getattr(ticket, name) for name in changes}
    for name, value in changes.items():
        setattr(ticket, name, value)
    # Clean first: it converts the values (so "2" equals 2 below) and an invalid level cannot reach the matrix.
    try:
        ticket.full_clean(exclude=["number", "created_by"])
    except ValidationError as error:
        raise validation_failed_from(error) from error
    changed = [name for name in changes if before[name] != getattr(ticket, name)]
    if not changed:
        return ticket
    if {"urgency", "impact"} & set(changed):
        priority = priority_for(service_level_id=ticket.service_level_id, urgency=ticket.urgency, impact=ticket.impact)
        if priority != ticket.priority:
            ticket.priority = priority
            changed.append("priority")
    _save(ticket, changed)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.UPDATED,
        data={name: _jsonable(getattr(ticket, name)) for name in changed},
    )
    return ticket


def _jsonable(value):
    if hasattr(value, "pk"):
        return value.pk
    return value if isinstance(value, (int, str, type(None))) else str(value)


@transaction.atomic
def ticket_assign(
    *, actor, ticket: Ticket, assignee, version: int | None, team=None, tier: str | None = None, note: str = ""
) -> Ticket:
    """Dispatch: give the ticket to an engineer (and team or tier); a new ticket becomes assigned."""
    if not actor.has_perm(roles.DISPATCH):
        raise PermissionDenied()
    ticket = _locked(ticket, version)
    if ticket.status not in ASSIGNABLE:
        raise InvalidTransition()
    errors = {}
    if assignee is None or not assignee.is_active or not assignee.has_perm(roles.WORK):
        errors["assignee"] = [_("Choose an active engineer who can work on tickets.")]
    if tier and tier not in Tier.values:
        errors["tier"] = [_("Choose a valid tier.")]
    if errors:
        raise ValidationFailed(detail=errors)
    from_status = ticket.status
    ticket.assignee = assignee
    fields = ["assignee"]
    if team is not None:
        ticket.team, fields = team, [*fields, "team"]
    if tier:
        ticket.tier, fields = tier, [*fields, "tier"]
    if ticket.status == Status.NEW:
        ticket.status, fields = Status.ASSIGNED, [*fields, "status"]
    _save(ticket, fields)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.ASSIGNED,
        note=note,
        from_status=from_status,
        to_status=ticket.status,
        data={"assignee": assignee.pk, "assignee_name": str(assignee), "team": ticket.team_id, "tier": ticket.tier},
    )
    return ticket


@transaction.atomic
def ticket_transition(
    *,
    actor,
    ticket: Ticket,
    action: str,
    version: int | None,
    note: str = "",
    resolution: str = "",
    resolution_method: str = "",
    root_cause: str = "",
) -> Ticket:
    """The only way a ticket's status changes (besides assignment): checks the table and the actor."""
    transition = BY_ACTION.get(action)
    if transition is None:
        raise ValidationFailed(detail={"action": [_("Unknown action.")]})
    ticket = _locked(ticket, version)
    if not is_permitted(transition, user=actor, ticket=ticket):
        raise InvalidTransition() if ticket.status not in transition.sources else PermissionDenied()
    note = note.strip()
    if transition.note_required and not note:
        raise ValidationFailed(detail={"note": [_("Please give a reason.")]})
    now = timezone.now()
    from_status = ticket.status
    ticket.status = transition.target
    fields = ["status"]
    if action == "resolve":
        fields += _resolve_fields(ticket, resolution, resolution_method, root_cause, now)
    elif action == "accept":
        if ticket.assignee_id is None:
            ticket.assignee, fields = actor, [*fields, "assignee"]
        fields += _mark_responded(ticket, now)
    elif action in ("confirm", "close", "archive"):
        stamp = {"confirm": "confirmed_at", "close": "closed_at", "archive": "archived_at"}[action]
        setattr(ticket, stamp, now)
        fields.append(stamp)
    elif action == "reopen":
        ticket.resolved_at = ticket.confirmed_at = None
        fields += ["resolved_at", "confirmed_at"]
    _save(ticket, fields)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.STATUS_CHANGED,
        note=note,
        from_status=from_status,
        to_status=ticket.status,
        at=now,
        data={"action": action},
    )
    return ticket


def _resolve_fields(ticket: Ticket, resolution: str, method: str, root_cause: str, now) -> list[str]:
    errors = {}
    if not resolution.strip():
        errors["resolution"] = [_("Describe how the problem was solved.")]
    if not method:
        errors["resolution_method"] = [_("Choose how it was solved.")]
    if errors:
        raise ValidationFailed(detail=errors)
    ticket.resolution, ticket.resolution_method, ticket.resolved_at = resolution.strip(), method, now
    fields = ["resolution", "resolution_method", "resolved_at"]
    if root_cause.strip():
        ticket.root_cause, fields = root_cause.strip(), [*fields, "root_cause"]
    try:
        ticket.clean_fields(exclude=[f.name for f in Ticket._meta.fields if f.name not in fields])
    except ValidationError as error:
        raise validation_failed_from(error) from error
    return fields


def _mark_responded(ticket: Ticket, now) -> list[str]:
    """The first acknowledgement by staff is the response the SLA counts."""
    if ticket.responded_at is not None:
        return []
    ticket.responded_at = now
    return ["responded_at"]


@transaction.atomic
def comment_add(*, actor, ticket: Ticket, body: str, is_public: bool = True) -> Comment:
    """Add a reply (public) or an internal note. Customers can only add public comments."""
    body = body.strip()
    if not body:
        raise ValidationFailed(detail={"body": [_("The comment cannot be empty.")]})
    if actor.is_customer_user:
        if not actor.is_active or actor.customer_id != ticket.customer_id:
            raise NotFound()
        is_public = True
    elif not actor.has_perm(roles.VIEW_INTERNAL):
        raise PermissionDenied()
    # Lock before checking the status: the caller's copy may be older than a cancellation.
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status in (Status.ARCHIVED, Status.CANCELLED):
        raise InvalidTransition(_("This ticket no longer takes comments."))
    comment = Comment.objects.create(ticket=locked, author=actor, body=body, is_public=is_public)
    if is_public and not actor.is_customer_user and (fields := _mark_responded(locked, comment.created_at)):
        locked.save(update_fields=fields)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.COMMENTED,
        at=comment.created_at,
        data={"comment": comment.pk, "public": is_public},
    )
    return comment


def _check_upload(upload) -> str:
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed(detail={"file": [_("The file is larger than %(limit)s MB.") % {"limit": limit_mb}]})
    content_type = mimetypes.guess_type(upload.name)[0] or ""
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationFailed(detail={"file": [_("This type of file is not accepted.")]})
    return content_type


@transaction.atomic
def attachment_add(*, actor, ticket: Ticket, upload, is_public: bool = True) -> Attachment:
    """Store an upload after checking its size and type (by name; served as a download, never inline)."""
    if actor.is_customer_user:
        if not actor.is_active or actor.customer_id != ticket.customer_id:
            raise NotFound()
        is_public = True
    elif not actor.has_perm(roles.VIEW_INTERNAL):
        raise PermissionDenied()
    # Like comments: an archived or cancelled ticket's record is final.
    if Ticket.objects.select_for_update().get(pk=ticket.pk).status in (Status.ARCHIVED, Status.CANCELLED):
        raise InvalidTransition(_("This ticket no longer takes attachments."))
    content_type = _check_upload(upload)
    attachment = Attachment(
        ticket=ticket,
        uploaded_by=actor,
        name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        is_public=is_public,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.ATTACHMENT_ADDED,
        data={"attachment": attachment.pk, "name": attachment.name, "public": is_public},
    )
    return attachment
