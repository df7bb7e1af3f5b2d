"""An agent's decisions on mail the poller could not place: make a ticket, attach it to one, dismiss it;
and the review of notes from unknown senders. Each records who decided and when on the message."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.inbox.choices import WAITING_OUTCOMES, Outcome
from aftersales.inbox.mime import parse_message
from aftersales.inbox.models import InboundMessage, may_log_mail
from aftersales.inbox.services.common import (
    CLOSED_FOR_MAIL,
    add_mail_comment,
    mail_body,
    skipped_note,
    store_parts,
)
from aftersales.inbox.services.ingest import ticket_open_from_mail
from aftersales.tickets.models import Ticket


def may_sort(user) -> bool:
    return may_log_mail(user)


def _locked_waiting(*, actor, inbound: InboundMessage) -> InboundMessage:
    if not InboundMessage.objects.visible_to(actor).filter(pk=inbound.pk).exists():
        raise NotFound()
    if not may_sort(actor):
        raise PermissionDenied()
    locked = InboundMessage.objects.select_for_update().select_related("mailbox").get(pk=inbound.pk)
    if locked.outcome not in WAITING_OUTCOMES:
        raise InvalidTransition(_("This mail has been dealt with already."))
    return locked


def _read(inbound: InboundMessage):
    with inbound.raw.open("rb") as raw:
        return parse_message(raw.read())


@transaction.atomic
def inbound_ticket_create(
    *,
    actor,
    inbound: InboundMessage,
    customer: Customer,
    contact_name: str,
    contact_phone,
    title: str,
    kind: str,
    now: dt.datetime | None = None,
) -> Ticket:
    """A ticket for the customer the agent chose, from the mail (text and attachments); its sender is then
    the one replies go to, and they get the acknowledgement."""
    locked = _locked_waiting(actor=actor, inbound=inbound)
    if not customer.is_active:
        raise ValidationFailed(detail={"customer": [_("This customer is no longer active.")]})
    ticket = ticket_open_from_mail(
        inbound=locked,
        mail=_read(locked),
        actor=actor,
        customer=customer,
        contact_name=contact_name.strip() or locked.sender_name or locked.sender_address,
        contact_phone=contact_phone,
        kind=kind,
        title=title.strip(),
        now=now or timezone.now(),
        outcome=Outcome.SORTED,
    )
    _handled(locked, actor, now)
    return ticket


@transaction.atomic
def inbound_attach(
    *, actor, inbound: InboundMessage, ticket: Ticket, public: bool, now: dt.datetime | None = None
) -> InboundMessage:
    """The mail added to an existing ticket: as a public reply (the agent vouches for the sender, who then
    gets the ticket's mail) or as an internal note."""
    now = now or timezone.now()
    locked = _locked_waiting(actor=actor, inbound=inbound)
    if not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise NotFound()
    ticket = Ticket.objects.select_for_update().select_related("customer").get(pk=ticket.pk)
    if ticket.status in CLOSED_FOR_MAIL:
        raise InvalidTransition(_("This ticket no longer takes comments."))
    mail = _read(locked)
    skipped = store_parts(ticket=ticket, inbound=locked, parts=mail.parts, public=public, at=now)
    text = "\n\n".join(part for part in (mail_body(mail, reply=True), skipped_note(skipped)) if part)
    locked.comment = add_mail_comment(ticket=ticket, inbound=locked, text=text, public=public, at=now)
    locked.outcome, locked.ticket, locked.customer = Outcome.SORTED, ticket, ticket.customer
    locked.sender_verified, locked.notes = public, [*locked.notes, *skipped]
    _handled(locked, actor, now)
    return locked


@transaction.atomic
def inbound_dismiss(*, actor, inbound: InboundMessage, now: dt.datetime | None = None) -> InboundMessage:
    """Spam or nothing to do: kept in the log (with its raw message), off the list to sort."""
    locked = _locked_waiting(actor=actor, inbound=inbound)
    locked.outcome = Outcome.DISMISSED
    _handled(locked, actor, now)
    return locked


@transaction.atomic
def inbound_mark_reviewed(*, actor, inbound: InboundMessage, now: dt.datetime | None = None) -> InboundMessage:
    """An agent has read a note from an unknown sender (or a failure) and decided what to do about it."""
    if not InboundMessage.objects.visible_to(actor).filter(pk=inbound.pk).exists():
        raise NotFound()
    if not (actor.has_perm(roles.LOG) or actor.has_perm(roles.WORK)):
        raise PermissionDenied()
    locked = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
    if not locked.needs_review:
        raise InvalidTransition(_("This mail does not need a review."))
    locked.needs_review = False
    _handled(locked, actor, now)
    return locked


def _handled(inbound: InboundMessage, actor, now: dt.datetime | None) -> None:
    inbound.handled_by, inbound.handled_at = actor, now or timezone.now()
    inbound.save()
