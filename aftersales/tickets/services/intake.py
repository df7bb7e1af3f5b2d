"""Registering a request: numbering, entitlement, priority."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.assets.models import Asset
from aftersales.contracts.entitlement import entitlement_check
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed, validation_failed_from
from aftersales.core.time import local_date
from aftersales.customers.models import Customer, Site
from aftersales.tickets.choices import Channel, EventKind, Status
from aftersales.tickets.models import PriorityRule, Ticket, TicketSequence
from aftersales.tickets.services.common import record_event
from aftersales.tickets.sla import refresh as refresh_sla


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


def may_log(actor, channel: str) -> bool:
    """Staff who log requests may; an engineer on an inspection may log what the inspection found."""
    return actor.has_perm(roles.LOG) or (channel == Channel.INSPECTION and actor.has_perm(roles.WORK))


def _intake_scope(*, actor, channel: str, customer: Customer, site: Site | None, assets: Sequence[Asset]) -> None:
    if actor.is_customer_user:
        if not actor.is_active or customer.id != actor.customer_id:
            raise NotFound()
    elif not may_log(actor, channel):
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
    on_site_required: bool = False,
) -> Ticket:
    """Register a request (intake): number it, check entitlement, derive priority, record the event."""
    _intake_scope(actor=actor, channel=channel, customer=customer, site=site, assets=assets)
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
        on_site_required=on_site_required,
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
    refresh_sla(ticket, now)
    return ticket
