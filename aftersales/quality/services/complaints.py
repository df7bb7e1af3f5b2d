"""Complaints (投诉): a COMPLAINT-kind ticket with its own SLA, escalated to management at once, linked to the
tickets and people concerned, and closed only with a root cause and a corrective action (the ticket lifecycle
enforces that rule)."""

import datetime as dt
from collections.abc import Sequence
from operator import attrgetter

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User, system_user
from aftersales.accounts.roles import Role
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed
from aftersales.notifications.services import enqueue
from aftersales.quality.models import Complaint, ManagementContact
from aftersales.quality.services.common import may_handle_complaint, may_register_complaint, staff_messages
from aftersales.tickets.choices import Channel, EventKind, Kind, Level
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_create, ticket_transition
from aftersales.tickets.services.common import record_event


@transaction.atomic
def complaint_register(
    *,
    actor,
    customer,
    title: str,
    description: str,
    contact_name: str,
    contact_phone,
    channel: str = Channel.PHONE,
    site=None,
    related_tickets: Sequence[Ticket] = (),
    people: Sequence[User] = (),
    received_at=None,
) -> Complaint:
    """Register a complaint: a COMPLAINT ticket (urgent), its record, the links, and the escalation at once."""
    if not may_register_complaint(actor):
        raise PermissionDenied()
    ticket = ticket_create(
        actor=actor,
        customer=customer,
        title=title,
        description=description,
        contact_name=contact_name,
        contact_phone=contact_phone,
        kind=Kind.COMPLAINT,
        channel=channel,
        urgency=Level.HIGH,
        impact=Level.MEDIUM,
        site=site,
        received_at=received_at,
    )
    complaint = Complaint.objects.create(ticket=ticket, registered_by=actor)
    _link(complaint, actor=actor, tickets=related_tickets, people=people if actor.is_staff_member else ())
    complaint_escalate(complaint=complaint)
    complaint.refresh_from_db()
    return complaint


def complaints_pick_up(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Complaint-kind tickets that arrived another way (email, API, an edit of the kind) get their record and
    their escalation; idempotent (one record per ticket, escalated once)."""
    picked = 0
    pending = Ticket.objects.filter(kind=Kind.COMPLAINT, complaint__isnull=True).order_by("id")
    after = 0
    while tickets := list(pending.filter(id__gt=after).only("id", "created_by_id")[:batch]):
        after = tickets[-1].id
        for ticket in tickets:
            try:
                with transaction.atomic():
                    complaint = Complaint.objects.create(ticket=ticket, registered_by_id=ticket.created_by_id)
                    complaint_escalate(complaint=complaint, now=now)
            except IntegrityError:
                continue  # another sweeper registered it first
            picked += 1
    return picked


def escalation_recipients() -> list[User]:
    """Every active manager, and the named people (general manager, technical director, deputy in charge)."""
    named = ManagementContact.objects.filter(active=True, user__is_active=True).values_list("user_id", flat=True)
    users = User.objects.filter(is_active=True).filter(role=Role.MANAGER) | User.objects.filter(pk__in=named)
    return list(users.distinct().order_by("pk"))


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, now: dt.datetime | None = None) -> int:
    """Tell management at once (urgent in-app and SMS); exactly once per complaint. Returns messages queued."""
    complaint = (
        Complaint.objects.select_for_update(of=("self",)).select_related("ticket__customer").get(pk=complaint.pk)
    )
    if complaint.escalated_at is not None:
        return 0
    now = now or timezone.now()
    recipients = escalation_recipients()
    ticket = complaint.ticket
    context = {"number": ticket.number, "customer": ticket.customer.name, "title": ticket.title}
    messages = staff_messages(
        users=recipients,
        key=f"complaint:{complaint.pk}:escalated",
        template="complaint_escalated",
        context=context,
        path=complaint_path(complaint),
    )
    complaint.escalated_at = now
    complaint.save(update_fields=["escalated_at"])
    complaint.escalated_to.set(recipients)
    record_event(
        ticket=ticket,
        actor=system_user(),
        kind=EventKind.ESCALATED_TO_MANAGER,
        at=now,
        data={"complaint": complaint.pk, "escalated_to": [user.pk for user in recipients]},
    )
    return enqueue(messages, now=now)


def complaint_path(complaint: Complaint) -> str:
    from django.urls import reverse

    return reverse("quality_complaint_detail", args=[complaint.pk])


@transaction.atomic
def complaint_link(
    *, actor, complaint: Complaint, tickets: Sequence[Ticket] = (), people: Sequence[User] = ()
) -> Complaint:
    """Link more tickets and people concerned; each newly linked ticket shows COMPLAINT_LINKED on its timeline."""
    if not may_handle_complaint(actor):
        raise PermissionDenied()
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=complaint.pk)
    _link(complaint, actor=actor, tickets=tickets, people=people)
    return complaint


def _link(complaint: Complaint, *, actor, tickets, people) -> None:
    errors = {}
    if any(
        ticket.customer_id != complaint.ticket.customer_id or ticket.pk == complaint.ticket_id for ticket in tickets
    ):
        errors["tickets"] = [_("Link only other tickets of the same customer.")]
    if actor.is_customer_user and any(ticket.customer_id != actor.customer_id for ticket in tickets):
        raise NotFound()
    if any(person.is_customer_user for person in people):
        errors["people"] = [_("The people concerned are our own staff.")]
    if errors:
        raise ValidationFailed(detail=errors)
    already = set(complaint.related_tickets.values_list("pk", flat=True))
    new = [ticket for ticket in tickets if ticket.pk not in already]
    complaint.related_tickets.add(*new)
    _name_people(complaint, actor=actor, people=people)
    for ticket in new:
        record_event(
            ticket=ticket,
            actor=actor,
            kind=EventKind.COMPLAINT_LINKED,
            data={"complaint": complaint.pk, "complaint_number": complaint.ticket.number},
        )


def _name_people(complaint: Complaint, *, actor, people) -> None:
    """Add the people concerned; who is held to account is internal, so the customer's timeline does not show it."""
    named = set(complaint.people_concerned.values_list("pk", flat=True))
    new = sorted({person.pk: person for person in people if person.pk not in named}.values(), key=attrgetter("pk"))
    if not new:
        return
    complaint.people_concerned.add(*new)
    record_event(
        ticket=complaint.ticket,
        actor=actor,
        kind=EventKind.UPDATED,
        data={
            "people_concerned": [person.pk for person in new],
            "people_names": [str(person) for person in new],
            "public": False,
        },
    )


def complaint_close(
    *, actor, complaint: Complaint, version: int, root_cause: str, corrective_action: str, note: str = ""
):
    """Close the complaint's ticket (resolved or confirmed); the lifecycle refuses without cause and action."""
    if not may_handle_complaint(actor):
        raise PermissionDenied()
    return ticket_transition(
        actor=actor,
        ticket=complaint.ticket,
        action="close",
        version=version,
        note=note,
        root_cause=root_cause,
        corrective_action=corrective_action,
    )
