"""Escalation by hand: up the support tiers (L1 desk → L2 engineer → L3 expert or vendor), or to a manager.

Both need a reason, leave an event on the timeline and tell the person who now has to act. The reason is
internal: the events are staff-only (`data.public` is false), so customers never read why it was escalated.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.accounts.models import Role, User
from aftersales.accounts.selectors import on_duty
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.notifications.services import enqueue, user_messages
from aftersales.tickets.choices import EventKind, Status, Tier
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services.common import locked_for_update, record_event, save_new_version
from aftersales.tickets.services.lifecycle import can_be_assigned
from aftersales.tickets.sla import refresh as refresh_sla

TIER_ORDER = {tier: rank for rank, tier in enumerate(Tier.values)}  # L1 < L2 < L3
NOTIFICATION_TEMPLATE = "ticket_escalated"


def may_escalate(user) -> bool:
    """Raising the tier: the people who work on tickets or dispatch them."""
    return user.has_perm(roles.WORK) or user.has_perm(roles.DISPATCH)


def may_escalate_to_manager(user) -> bool:
    """Calling a manager in: any staff member who works on, dispatches or supervises tickets."""
    return may_escalate(user) or user.has_perm(roles.SUPERVISE)


def higher_tiers(tier: str) -> list[str]:
    """The tiers a ticket at `tier` may be escalated to."""
    return [value for value in Tier.values if TIER_ORDER[value] > TIER_ORDER.get(tier, -1)]


@transaction.atomic
def ticket_escalate(
    *, actor, ticket: Ticket, version: int | None, reason: str, to_tier: str, assignee=None, team=None
) -> Ticket:
    """Hand the ticket to a higher tier, optionally to an engineer or team there, and tell who must act."""
    if not may_escalate(actor):
        raise PermissionDenied()
    ticket = locked_for_update(ticket, version)
    if not ticket.is_open:
        raise InvalidTransition(_("Only an open ticket can be escalated."))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Say why the ticket is escalated.")]
    if to_tier not in TIER_ORDER:
        errors["to_tier"] = [_("Choose a valid tier.")]
    elif TIER_ORDER[to_tier] <= TIER_ORDER[ticket.tier]:
        errors["to_tier"] = [
            _("Escalation goes up: choose a tier above the ticket's current tier (%(tier)s).")
            % {"tier": Tier(ticket.tier).label}
        ]
    if assignee is not None and not can_be_assigned(assignee):
        errors["assignee"] = [_("Choose an active engineer who can work on tickets.")]
    if errors:
        raise ValidationFailed(detail=errors)
    now = timezone.now()
    from_tier, from_status = ticket.tier, ticket.status
    ticket.tier, fields = to_tier, ["tier"]
    if assignee is not None:
        ticket.assignee, fields = assignee, [*fields, "assignee"]
        if ticket.status == Status.NEW:
            ticket.status, fields = Status.ASSIGNED, [*fields, "status"]
    if team is not None:
        ticket.team, fields = team, [*fields, "team"]
    save_new_version(ticket, fields)
    event = record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.ESCALATED,
        note=reason,
        from_status=from_status,
        to_status=ticket.status,
        at=now,
        data={
            "from_tier": from_tier,
            "to_tier": to_tier,
            "assignee": ticket.assignee_id,
            "assignee_name": str(ticket.assignee) if ticket.assignee_id else "",
            "team": ticket.team_id,
            "public": False,
        },
    )
    refresh_sla(ticket, now)
    recipient = _escalation_recipient(ticket, assignee, now)
    if recipient is not None:
        _notify(recipient, ticket=ticket, event=event, actor=actor, reason=reason, to_manager=False)
    return ticket


def _escalation_recipient(ticket: Ticket, assignee, now) -> User | None:
    """The new assignee; else the lead of the ticket's team; else the engineer on duty now."""
    if assignee is not None:
        return assignee
    lead = ticket.team.lead if ticket.team_id else None
    if lead is not None and lead.is_active:
        return lead
    engineer = on_duty(now, ticket.team_id).engineer
    return engineer if engineer is not None and engineer.is_active else None


@transaction.atomic
def ticket_escalate_to_manager(*, actor, ticket: Ticket, version: int | None, reason: str, manager=None) -> Ticket:
    """Call a manager in (the duty manager on duty now, or a chosen manager); the tier stays as it is."""
    if not may_escalate_to_manager(actor):
        raise PermissionDenied()
    ticket = locked_for_update(ticket, version)
    if not ticket.is_editable:
        raise InvalidTransition(_("A closed ticket cannot be escalated."))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Say why the ticket is escalated.")]
    now = timezone.now()
    if manager is None:
        manager = on_duty(now, ticket.team_id).manager
        if manager is None or not manager.is_active:
            errors["manager"] = [_("No duty manager is on duty now. Choose a manager to escalate to.")]
    elif not manager.is_active or manager.role != Role.MANAGER:
        errors["manager"] = [_("Choose an active manager.")]
    if errors:
        raise ValidationFailed(detail=errors)
    event = record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.ESCALATED_TO_MANAGER,
        note=reason,
        at=now,
        data={"manager": manager.pk, "manager_name": str(manager), "tier": ticket.tier, "public": False},
    )
    _notify(manager, ticket=ticket, event=event, actor=actor, reason=reason, to_manager=True)
    return ticket


def _notify(user: User, *, ticket: Ticket, event: TicketEvent, actor, reason: str, to_manager: bool) -> None:
    """In-app and SMS (where they have a phone), sent at once: whoever is told has to act now."""
    context = {
        "ticket_number": ticket.number,
        "customer": ticket.customer.name,
        "title": ticket.title,
        "tier": Tier(ticket.tier).label,  # lazy: rendered in the recipient's language
        "reason": reason,
        "by": str(actor),
        "to_manager": to_manager,
    }
    url = settings.AFTERSALES_BASE_URL + ticket.get_absolute_url()
    key = f"ticket:{ticket.pk}:{event.kind}:{event.pk}:user{user.pk}"
    enqueue(
        user_messages(user=user, key=key, template=NOTIFICATION_TEMPLATE, context=context, url=url, urgent=True),
        now=event.at,
    )
