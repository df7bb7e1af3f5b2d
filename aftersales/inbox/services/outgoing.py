"""Mail to the customer about a ticket: the acknowledgement of a request that came by mail, staff's public
replies, and the resolution notice. Each goes through the notifications outbox under a unique key (so it is
queued once whatever happens), in the recipient's language, from the mailbox the customer wrote to, with
In-Reply-To and References to the customer's last message so their client keeps the conversation together.

Tickets cannot import the inbox, so replies and resolutions are picked up by a periodic sweep over the ticket
timeline (a cursor by event id) instead of signals.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from email.headerregistry import Address

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from aftersales.accounts.models import User
from aftersales.accounts.roles import Role
from aftersales.inbox.choices import OutgoingKind
from aftersales.inbox.mime import clean_message_id
from aftersales.inbox.models import InboundMessage, OutgoingMail, SweepCursor
from aftersales.inbox.services.common import LOOP_LIMIT, LOOP_WINDOW, is_known_sender, mail_author
from aftersales.notifications.choices import ChannelKind
from aftersales.notifications.services import Message, enqueue, language_for
from aftersales.tickets.choices import EventKind, ResolutionMethod, Status
from aftersales.tickets.models import Comment, Ticket, TicketEvent
from aftersales.tickets.services.common import record_event

CURSOR = "inbox.outgoing"
BATCH = 500
# Events younger than this are read again on the next run: a transaction that took an event id earlier may
# commit later, and the cursor must not pass an id that is not visible yet. Keys make re-reading harmless.
SETTLE = dt.timedelta(minutes=5)
REFERENCES_KEPT = 20


@dataclass(frozen=True)
class Queued:
    outgoing: OutgoingMail
    key: str


def last_customer_mail(ticket: Ticket) -> InboundMessage | None:
    """The customer's latest mail on the ticket from a verified sender: replies go to them, threaded to it."""
    return (
        InboundMessage.objects.filter(ticket=ticket, sender_verified=True)
        .select_related("mailbox")
        .order_by("-recorded_at", "-id")
        .first()
    )


def reply_recipient(ticket: Ticket, source: InboundMessage) -> str:
    """Where mail about the ticket goes: the Reply-To of the customer's last mail when that address is known for
    the ticket, else the verified sender. A From forged where no DMARC verdict exposes it must not also send
    the ticket's replies and resolution to an address of the forger's choosing."""
    reply_to = source.reply_to_address
    if reply_to and reply_to != source.sender_address and is_known_sender(ticket, reply_to):
        return reply_to
    return source.sender_address


def language_for_address(address: str) -> str:
    """A customer user's chosen language when the address is theirs; else the installation's (zh-hans)."""
    user_id = (
        User.objects.filter(email__iexact=address, is_active=True).order_by("pk").values_list("pk", flat=True).first()
    )
    return language_for(user_id) if user_id else settings.LANGUAGE_CODE


def render_mail(kind: str, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"inbox/mail/{kind}_subject.txt", context)
        body = render_to_string(f"inbox/mail/{kind}_body.txt", context)
    return " ".join(subject.split()), body.strip()


def acknowledgements_sent_recently(address: str, now: dt.datetime) -> int:
    return OutgoingMail.objects.filter(
        recipient=address, kind=OutgoingKind.ACKNOWLEDGEMENT, created_at__gte=now - LOOP_WINDOW
    ).count()


def ticket_mail_queue(
    *, ticket: Ticket, kind: str, cause: str, actor, context: dict | None = None, now: dt.datetime | None = None
) -> Queued | None:
    """Queue one mail about `ticket` to the customer's last verified mail; None when there is nobody to write
    to or `cause` was mailed already. Records the outgoing Message-ID and an EMAIL_SENT event."""
    now = now or timezone.now()
    key = f"inbox:{kind}:{cause}"
    source = last_customer_mail(ticket)
    recipient = reply_recipient(ticket, source) if source is not None else ""
    if not recipient or OutgoingMail.objects.filter(outbox_key=key).exists():
        return None
    mailbox = source.mailbox
    language = language_for_address(recipient)
    subject, body = render_mail(
        kind, language, {"ticket": ticket, "number": ticket.number, "title": ticket.title, **(context or {})}
    )
    message_id = f"{ticket.number}.{kind}.{secrets.token_hex(8)}@{mailbox.domain}"
    headers = {
        "From": str(Address(display_name=mailbox.display_name, addr_spec=mailbox.address)),
        "Reply-To": mailbox.address,
        "Message-ID": f"<{message_id}>",
    }
    in_reply_to = threadable_id(source.message_id)
    references = [threadable_id(reference) for reference in [*source.references.split(), in_reply_to]]
    references = list(dict.fromkeys(reference for reference in references if reference))[-REFERENCES_KEPT:]
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        headers["References"] = " ".join(f"<{reference}>" for reference in references)
    if kind != OutgoingKind.REPLY:  # RFC 3834: automatic mail says so, and asks not to be answered automatically
        headers["Auto-Submitted"] = "auto-replied" if kind == OutgoingKind.ACKNOWLEDGEMENT else "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    try:
        with transaction.atomic():
            outgoing = OutgoingMail.objects.create(
                mailbox=mailbox,
                ticket=ticket,
                kind=kind,
                outbox_key=key,
                message_id=message_id,
                recipient=recipient,
                in_reply_to=source.message_id,
                comment_id=(context or {}).get("comment_id"),
                created_at=now,
            )
    except IntegrityError:  # a concurrent sweep queued it first
        return None
    enqueue(
        [
            Message(
                key=key,
                channel=ChannelKind.EMAIL,
                recipient=recipient,
                user_id=None,
                subject=subject,
                body=body,
                urgent=True,
                headers=headers,
            )
        ],
        now=now,
    )
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.EMAIL_SENT,
        at=now,
        data={"mail": kind, "to": recipient, "message_id": message_id, "outgoing": outgoing.pk},
    )
    return Queued(outgoing, key)


def threadable_id(message_id: str) -> str:
    """An id as it may be written back into In-Reply-To and References, else "": cleaned of line breaks (a row
    stored before ids were cleaned must not make enqueue refuse, and so stop the sweep at its event for ever),
    and ASCII (headers of ids are never encoded: an id naming a PC called 张三的电脑 could not be sent at all)."""
    cleaned = clean_message_id(message_id)
    return cleaned if cleaned.isascii() else ""


def acknowledgement_queue(*, ticket: Ticket, now: dt.datetime) -> Queued | None:
    """The acknowledgement of a request opened by mail, unless this address had LOOP_LIMIT of them within the
    window: an auto-responder that does not say so would otherwise open ticket after ticket with us."""
    source = last_customer_mail(ticket)
    if source is None or acknowledgements_sent_recently(reply_recipient(ticket, source), now) >= LOOP_LIMIT:
        return None
    return ticket_mail_queue(
        ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT, cause=str(ticket.pk), actor=mail_author(), now=now
    )


# The sweep --------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    events_read: int = 0
    queued: int = 0


def outgoing_sweep(*, now: dt.datetime | None = None, batch: int = BATCH) -> SweepResult:
    """Mail staff's public replies and resolutions on tickets that have a verified customer mail. Idempotent:
    run it as often as you like, from as many workers as you like (the cursor row serialises them)."""
    now = now or timezone.now()
    result = SweepResult()
    while True:
        with transaction.atomic():
            cursor = _cursor()
            events = list(
                TicketEvent.objects.filter(pk__gt=cursor.position).order_by("pk").values_list("pk", "at")[:batch]
            )
            if not events:
                return result
            result.events_read += len(events)
            for event in _relevant(cursor.position, events[-1][0]):
                result.queued += _mail_for(event, now)
            unsettled = [pk for pk, at in events if at > now - SETTLE]
            cursor.position = min(unsettled) - 1 if unsettled else events[-1][0]
            cursor.save(update_fields=["position", "updated_at"])
        if unsettled or len(events) < batch:
            return result


def _cursor() -> SweepCursor:
    cursor = SweepCursor.objects.select_for_update().filter(name=CURSOR).first()
    if cursor is not None:
        return cursor
    # First run: from the first event of a ticket that has mail, else from now on.
    first_mail_ticket = InboundMessage.objects.filter(ticket__isnull=False).order_by("pk").values("ticket_id")[:1]
    start = TicketEvent.objects.filter(ticket_id__in=first_mail_ticket).order_by("pk").values_list("pk", flat=True)
    position = (start.first() or 1) - 1 if first_mail_ticket.exists() else _last_event_id()
    SweepCursor.objects.get_or_create(name=CURSOR, defaults={"position": position})
    return SweepCursor.objects.select_for_update().get(name=CURSOR)


def _last_event_id() -> int:
    return TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _relevant(after: int, upto: int):
    mail_tickets = InboundMessage.objects.filter(sender_verified=True, ticket__isnull=False).values("ticket_id")
    return (
        TicketEvent.objects.filter(pk__gt=after, pk__lte=upto, ticket_id__in=mail_tickets)
        .filter(
            Q(kind=EventKind.COMMENTED, data__public=True) | Q(kind=EventKind.STATUS_CHANGED, to_status=Status.RESOLVED)
        )
        .select_related("ticket", "actor")
        .order_by("pk")
    )


def _mail_for(event: TicketEvent, now: dt.datetime) -> int:
    ticket = event.ticket
    if event.kind == EventKind.STATUS_CHANGED:
        queued = ticket_mail_queue(
            ticket=ticket,
            kind=OutgoingKind.RESOLUTION,
            cause=str(event.pk),
            actor=event.actor,
            context={"resolution": ticket.resolution, "method": _method_label(ticket.resolution_method)},
            now=now,
        )
        return int(queued is not None)
    comment = Comment.objects.select_related("author").filter(pk=event.data.get("comment")).first()
    if comment is None or not comment.is_public or not _written_by_staff(comment):
        return 0
    queued = ticket_mail_queue(
        ticket=ticket,
        kind=OutgoingKind.REPLY,
        cause=str(comment.pk),
        actor=comment.author,
        context={"body": comment.body, "author": comment.author, "comment_id": comment.pk},
        now=now,
    )
    return int(queued is not None)


def _method_label(method: str):
    """Lazy, so it is rendered in the recipient's language."""
    return ResolutionMethod(method).label if method in ResolutionMethod.values else ""


def _written_by_staff(comment: Comment) -> bool:
    """Staff's own words: not a customer's comment, nor the mail Aftersales wrote onto the ticket."""
    author = comment.author
    return author.role != Role.CUSTOMER and author.pk != mail_author().pk
