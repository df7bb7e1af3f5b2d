"""Editing, dispatching and moving a ticket through its lifecycle."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed, validation_failed_from
from aftersales.tickets.choices import EventKind, Kind, Status, Tier
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.common import locked_for_update, mark_responded, record_event, save_new_version
from aftersales.tickets.services.intake import priority_for
from aftersales.tickets.sla import refresh as refresh_sla
from aftersales.tickets.transitions import ASSIGNABLE, BY_ACTION, is_permitted

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
    "on_site_required",
)


@transaction.atomic
def ticket_update(*, actor, ticket: Ticket, version: int | None, **changes) -> Ticket:
    """Edit a ticket's descriptive fields; urgency or impact changes re-derive the priority."""
    if not (actor.has_perm(roles.LOG) or actor.has_perm(roles.WORK) or actor.has_perm(roles.SUPERVISE)):
        raise PermissionDenied()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(detail={name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    ticket = locked_for_update(ticket, version)
    if not ticket.is_editable:
        raise InvalidTransition(_("A closed ticket cannot be edited."))
    before = {name: getattr(ticket, name) for name in changes}
    if ticket.kind == Kind.COMPLAINT and changes.get("kind", Kind.COMPLAINT) != Kind.COMPLAINT:
        # Only a complaint must close with its cause and corrective action: changing the kind would lift the rule.
        raise ValidationFailed(detail={"kind": [_("A complaint stays a complaint; cancel it with a reason instead.")]})
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
    if {"urgency", "impact"} & set(changed) and not actor.has_perm(roles.SUPERVISE):
        # Priority sets the SLA targets: reprioritising is a supervisor's decision (roles.SUPERVISE).
        raise PermissionDenied(_("Only a supervisor may change the urgency or impact of a logged request."))
    if {"urgency", "impact"} & set(changed):
        priority = priority_for(service_level_id=ticket.service_level_id, urgency=ticket.urgency, impact=ticket.impact)
        if priority != ticket.priority:
            ticket.priority = priority
            changed.append("priority")
    save_new_version(ticket, changed)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.UPDATED,
        data={name: _jsonable(getattr(ticket, name)) for name in changed},
    )
    refresh_sla(ticket, timezone.now())
    return ticket


def _jsonable(value):
    if hasattr(value, "pk"):
        return value.pk
    return value if isinstance(value, (int, str, type(None))) else str(value)


def can_be_assigned(user) -> bool:
    """Whether `user` may be given a ticket to work on: an active account that can work on tickets."""
    return user is not None and user.is_active and user.has_perm(roles.WORK)


@transaction.atomic
def ticket_assign(
    *, actor, ticket: Ticket, assignee, version: int | None, team=None, tier: str | None = None, note: str = ""
) -> Ticket:
    """Dispatch: give the ticket to an engineer (and team or tier); a new ticket becomes assigned."""
    if not actor.has_perm(roles.DISPATCH):
        raise PermissionDenied()
    ticket = locked_for_update(ticket, version)
    if ticket.status not in ASSIGNABLE:
        raise InvalidTransition()
    errors = {}
    if not can_be_assigned(assignee):
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
    save_new_version(ticket, fields)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.ASSIGNED,
        note=note,
        from_status=from_status,
        to_status=ticket.status,
        data={"assignee": assignee.pk, "assignee_name": str(assignee), "team": ticket.team_id, "tier": ticket.tier},
    )
    refresh_sla(ticket, timezone.now())
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
    corrective_action: str = "",
) -> Ticket:
    """The only way a ticket's status changes (besides assignment): checks the table and the actor.

    A complaint is resolved or closed only with its root cause and corrective action on record (given here
    or earlier): seed 001 treats it as a liability incident that must be traced to its cause.
    """
    transition = BY_ACTION.get(action)
    if transition is None:
        raise ValidationFailed(detail={"action": [_("Unknown action.")]})
    ticket = locked_for_update(ticket, version)
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
        fields += mark_responded(ticket, now)
    elif action in ("confirm", "close", "archive"):
        stamp = {"confirm": "confirmed_at", "close": "closed_at", "archive": "archived_at"}[action]
        setattr(ticket, stamp, now)
        fields.append(stamp)
    elif action == "reopen":
        ticket.resolved_at = ticket.confirmed_at = None
        fields += ["resolved_at", "confirmed_at"]
    if action in ("resolve", "close"):
        fields += _cause_fields(ticket, root_cause, corrective_action, fields)
    save_new_version(ticket, fields)
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
    refresh_sla(ticket, now)
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


def _cause_fields(ticket: Ticket, root_cause: str, corrective_action: str, fields: list[str]) -> list[str]:
    """Record a root cause and corrective action given with the action; a complaint must end with both."""
    changed = []
    if root_cause.strip() and "root_cause" not in fields:
        ticket.root_cause, changed = root_cause.strip(), [*changed, "root_cause"]
    if corrective_action.strip():
        ticket.corrective_action, changed = corrective_action.strip(), [*changed, "corrective_action"]
    if ticket.kind == Kind.COMPLAINT:
        errors = {}
        if not ticket.root_cause.strip():
            errors["root_cause"] = [_("A complaint needs its root cause before it can be resolved or closed.")]
        if not ticket.corrective_action.strip():
            errors["corrective_action"] = [
                _("A complaint needs its corrective action before it can be resolved or closed.")
            ]
        if errors:
            raise ValidationFailed(detail=errors)
    return changed


def may_record_arrival(user) -> bool:
    return user.has_perm(roles.WORK) or user.has_perm(roles.DISPATCH)


@transaction.atomic
def ticket_record_arrival(*, actor, ticket: Ticket, version: int | None, arrived_at=None, note: str = "") -> Ticket:
    """The engineer is on site: this meets the arrival clock (the field-service check-in will call it)."""
    if not may_record_arrival(actor):
        raise PermissionDenied()
    ticket = locked_for_update(ticket, version)
    if not ticket.is_open:
        raise InvalidTransition(_("Only an open ticket can record an arrival."))
    if ticket.arrived_at is not None:
        raise InvalidTransition(_("The arrival on site is already recorded."))
    now = timezone.now()
    arrived_at = arrived_at or now
    if arrived_at > now or arrived_at < ticket.received_at:
        raise ValidationFailed(detail={"arrived_at": [_("The arrival must lie between the request and now.")]})
    ticket.arrived_at, ticket.on_site_required = arrived_at, True
    save_new_version(ticket, ["arrived_at", "on_site_required"])
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.ARRIVED,
        note=note.strip(),
        at=now,
        data={"arrived_at": arrived_at.isoformat()},
    )
    refresh_sla(ticket, now)
    return ticket
