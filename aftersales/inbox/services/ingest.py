"""Recording a received message exactly once, and turning it into a ticket, a reply or a note.

`message_ingest` runs in ONE transaction: the InboundMessage row (unique key: the Message-ID's hash, or the
raw bytes' hash when there is none) with the raw .eml, and the work it causes. A different message under a
Message-ID recorded already (its body differs; some fax servers send every mail under one id) is recorded
under the id and its body, and goes on the earlier one's ticket. Only after it commits does
the poller drop the message on the server. So a crash before the commit leaves the message on the server
to be read again, a crash after it leaves a message whose key is recorded (it is then just dropped), and a
second poller inserting the same key waits on the unique index and then finds it recorded.

Whatever the parser or the ticket services make of a message, the row and the raw message are kept: a
failure is recorded as outcome "failed" with the error, for an agent to review.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import replace

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.customers.models import Contact, Customer
from aftersales.inbox.choices import Outcome
from aftersales.inbox.mime import ParsedMail, body_sha256, message_key, parse_message, reused_id_key
from aftersales.inbox.models import InboundMessage, Mailbox
from aftersales.inbox.services.common import (
    CLOSED_FOR_MAIL,
    LOOP_LIMIT,
    add_mail_comment,
    bare_subject,
    customers_of_sender,
    is_known_sender,
    mail_body,
    recent_from_sender,
    skipped_note,
    store_parts,
)
from aftersales.inbox.services.outgoing import acknowledgement_queue
from aftersales.inbox.services.threads import find_thread, thread_of_earlier
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_create

logger = logging.getLogger(__name__)
AUTOMATIC = (Outcome.AUTO_REPLY, Outcome.BOUNCE, Outcome.LOOP_STOPPED)
ERROR_LIMIT = 4000


def message_ingest(
    *, mailbox: Mailbox, raw: bytes, received_at: dt.datetime | None = None, now: dt.datetime | None = None
) -> InboundMessage | None:
    """Record and process one message; None when its key is recorded already (drop it from the server)."""
    now = now or timezone.now()
    received_at = min(received_at or now, now)
    key, message_id = message_key(raw)
    with transaction.atomic():
        key, earlier = _key_to_record(key, message_id, raw)
        if key is None:
            return None
        inbound = InboundMessage(
            key=key,
            mailbox=mailbox,
            message_id=message_id,
            raw_sha256=hashlib.sha256(raw).hexdigest(),
            size=len(raw),
            received_at=received_at,
            recorded_at=now,
        )
        inbound.raw.save(f"{key.replace(':', '-')}.eml", ContentFile(raw), save=False)
        try:
            with transaction.atomic():
                inbound.save()
        except IntegrityError:  # another poller recorded it first (it waited for that one's commit)
            inbound.raw.delete(save=False)
            return None
        try:
            mail = parse_message(raw)
            with transaction.atomic():  # savepoints: a database error leaves the transaction usable for _fail
                _describe(inbound, mail)
                if earlier is not None:
                    inbound.notes = [*inbound.notes, {"code": "message_id_reused", "earlier": earlier.pk}]
                inbound.save()
            with transaction.atomic():
                _route(inbound, mail, mailbox, now, earlier=earlier)
        except Exception as error:  # anything at all: the message is kept and shown for review
            logger.exception("Processing inbound message %s failed", inbound.pk)
            _fail(inbound, error)
    return inbound


def _key_to_record(key: str, message_id: str, raw: bytes) -> tuple[str | None, InboundMessage | None]:
    """(the key to record `raw` under, the earlier different mail with its Message-ID); the key is None when
    the message is recorded already (a copy of it, or the same one read again after a crash)."""
    earlier = InboundMessage.objects.filter(key=key).first()
    if earlier is None:
        return key, None
    if not _is_another_message(earlier, raw):
        return None, earlier
    key = reused_id_key(message_id, raw)
    return (None if InboundMessage.objects.filter(key=key).exists() else key), earlier


def _is_another_message(earlier: InboundMessage, raw: bytes) -> bool:
    """Whether `raw` is a different message under the Message-ID `earlier` was recorded by (not a copy of it)."""
    if earlier.raw_sha256 == hashlib.sha256(raw).hexdigest():
        return False
    try:
        with earlier.raw.open("rb") as stored:
            earlier_raw = stored.read()
    except OSError:  # the earlier file is gone: take this one for a copy, as the key says
        return False
    return body_sha256(earlier_raw) != body_sha256(raw)


def _describe(inbound: InboundMessage, mail: ParsedMail) -> None:
    inbound.in_reply_to = " ".join(mail.in_reply_to)
    inbound.references = " ".join(mail.references)
    inbound.sender_name, inbound.sender_address = mail.sender_name, mail.sender_address
    inbound.reply_to_address = mail.reply_to_address
    inbound.subject = mail.subject
    inbound.body_text = mail.text
    inbound.body_html = mail.html
    inbound.notes = list(mail.notes)


def _fail(inbound: InboundMessage, error: Exception) -> None:
    stored = InboundMessage.objects.get(pk=inbound.pk)  # as before the failed work rolled back
    stored.outcome = Outcome.FAILED
    stored.error = f"{type(error).__name__}: {getattr(error, 'message', error)}"[:ERROR_LIMIT]
    detail = getattr(error, "detail", None)
    if detail:
        stored.error = f"{stored.error} {detail}"[:ERROR_LIMIT]
    stored.needs_review = True
    stored.save(update_fields=["outcome", "error", "needs_review"])
    inbound.outcome, inbound.error, inbound.needs_review = stored.outcome, stored.error, True


def _save(inbound: InboundMessage, outcome: str, **fields) -> None:
    inbound.outcome = outcome
    for name, value in fields.items():
        setattr(inbound, name, value)
    inbound.save()


def _route(
    inbound: InboundMessage, mail: ParsedMail, mailbox: Mailbox, now: dt.datetime, earlier: InboundMessage | None
) -> None:
    if mailbox.is_fax_gateway:
        from aftersales.inbox.services.faxes import register_faxes

        register_faxes(inbound=inbound, mail=mail, mailbox=mailbox)
        return
    thread = find_thread(mail) or thread_of_earlier(earlier)
    if thread is not None:  # locked before deciding on its status: a cancellation committed meanwhile is seen
        locked = Ticket.objects.select_for_update(of=("self",)).select_related("customer").get(pk=thread.ticket.pk)
        thread = replace(thread, ticket=locked)
        inbound.notes = [*inbound.notes, {"code": "threaded", "by": thread.by, "ticket": thread.ticket.number}]
    if mail.is_bounce or mail.is_auto_reply:
        _automatic(inbound, mail, thread.ticket if thread else None, now)
        return
    if thread is not None and thread.ticket.status not in CLOSED_FOR_MAIL:
        _reply(inbound, mail, thread.ticket, now)
        return
    if thread is not None:  # a reply to a cancelled or archived ticket starts a new one
        inbound.notes = [*inbound.notes, {"code": "follows_closed_ticket", "ticket": thread.ticket.number}]
    _new_request(inbound, mail, mailbox, now, follows=thread.ticket if thread else None)


def _automatic(inbound: InboundMessage, mail: ParsedMail, ticket: Ticket | None, now: dt.datetime) -> None:
    """Auto-replies and bounces are recorded and never answered. On a ticket, the first few are internal notes
    (an out-of-office tells the engineer something); from LOOP_LIMIT on within the window, nothing more."""
    outcome = Outcome.BOUNCE if mail.is_bounce else Outcome.AUTO_REPLY
    if ticket is None or ticket.status in CLOSED_FOR_MAIL:
        _save(inbound, outcome, ticket=ticket)
        return
    if recent_from_sender(ticket, inbound.sender_address, now, AUTOMATIC) >= LOOP_LIMIT:
        _save(inbound, Outcome.LOOP_STOPPED, ticket=ticket)
        return
    comment = add_mail_comment(ticket=ticket, inbound=inbound, text=mail_body(mail, reply=True), public=False, at=now)
    _save(inbound, outcome, ticket=ticket, comment=comment, customer=ticket.customer)


def _reply(inbound: InboundMessage, mail: ParsedMail, ticket: Ticket, now: dt.datetime) -> None:
    """A reply on the ticket: public when the sender is the customer's, else an internal note for review."""
    verified = not mail.authentication_failed and is_known_sender(ticket, inbound.sender_address)
    if mail.authentication_failed:
        inbound.notes = [*inbound.notes, {"code": "authentication_failed"}]
    skipped = store_parts(ticket=ticket, inbound=inbound, parts=mail.parts, public=verified, at=now)
    text = "\n\n".join(part for part in (mail_body(mail, reply=True), skipped_note(skipped)) if part)
    comment = add_mail_comment(ticket=ticket, inbound=inbound, text=text, public=verified, at=now)
    _save(
        inbound,
        Outcome.COMMENT_ADDED if verified else Outcome.NOTE_FOR_REVIEW,
        ticket=ticket,
        comment=comment,
        customer=ticket.customer,
        sender_verified=verified,
        needs_review=not verified,
        notes=[*inbound.notes, *skipped],
    )


def _new_request(
    inbound: InboundMessage, mail: ParsedMail, mailbox: Mailbox, now: dt.datetime, follows: Ticket | None
) -> None:
    customer, contact, problem = _customer_for(inbound, mail, mailbox)
    if customer is None:
        _save(inbound, Outcome.TO_SORT, notes=[*inbound.notes, {"code": problem}])
        return
    phone = contact.phone if contact is not None else customer.phone
    if not phone:
        _save(inbound, Outcome.TO_SORT, customer=customer, notes=[*inbound.notes, {"code": "no_contact_phone"}])
        return
    ticket_open_from_mail(
        inbound=inbound,
        mail=mail,
        actor=mailbox.owner,
        customer=customer,
        contact_name=contact.name if contact is not None else (inbound.sender_name or inbound.sender_address),
        contact_phone=phone,
        kind=mailbox.ticket_kind,
        now=now,
        follows=follows,
        outcome=Outcome.TICKET_CREATED,
    )


def _customer_for(
    inbound: InboundMessage, mail: ParsedMail, mailbox: Mailbox
) -> tuple[Customer | None, Contact | None, str]:
    """The sender's customer (one only), else the mailbox's default customer; else why it waits for an agent."""
    address = inbound.sender_address
    customer_ids = set() if mail.authentication_failed else customers_of_sender(address)
    default = mailbox.default_customer
    if len(customer_ids) > 1 and default is not None and default.pk in customer_ids:
        customer_ids = {default.pk}
    if len(customer_ids) == 1:
        customer = Customer.objects.get(pk=next(iter(customer_ids)))
        if customer.is_active:
            contact = Contact.objects.filter(customer=customer, email__iexact=address).order_by("pk").first()
            return customer, contact, ""
    if default is not None and default.is_active and len(customer_ids) <= 1:
        return default, None, ""
    if mail.authentication_failed:
        return None, None, "authentication_failed"
    return None, None, "ambiguous_sender" if len(customer_ids) > 1 else "unknown_sender"


def ticket_open_from_mail(
    *,
    inbound: InboundMessage,
    mail: ParsedMail,
    actor,
    customer: Customer,
    contact_name: str,
    contact_phone,
    kind: str,
    now: dt.datetime,
    outcome: str,
    title: str = "",
    follows: Ticket | None = None,
) -> Ticket:
    """The ticket for a new request by mail, its attachments, and the acknowledgement to the sender."""
    description = mail_body(mail, reply=False) or mail.subject
    if follows is not None:
        with translation.override(settings.LANGUAGE_CODE):
            description = "\n\n".join([_follows_line(follows), description])
    with translation.override(settings.LANGUAGE_CODE):
        title = (title or bare_subject(mail.subject) or _("(no subject)"))[:200]
    ticket = ticket_create(
        actor=actor,
        customer=customer,
        title=title,
        description=description or title,
        contact_name=contact_name[:100],
        contact_phone=contact_phone,
        kind=kind,
        channel=Channel.EMAIL,
        received_at=inbound.received_at,
    )
    skipped = store_parts(ticket=ticket, inbound=inbound, parts=mail.parts, public=True, at=now)
    if skipped:
        add_mail_comment(ticket=ticket, inbound=inbound, text=skipped_note(skipped), public=False, at=now)
    _save(
        inbound,
        outcome,
        ticket=ticket,
        customer=customer,
        sender_verified=True,
        notes=[*inbound.notes, *skipped],
    )
    if acknowledgement_queue(ticket=ticket, now=now) is None:
        inbound.notes = [*inbound.notes, {"code": "acknowledgement_not_sent"}]
        inbound.save(update_fields=["notes"])
    return ticket


def _follows_line(ticket: Ticket) -> str:
    return _("This mail replies to ticket %(number)s, which is closed.") % {"number": ticket.number}
