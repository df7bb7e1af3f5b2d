"""What the inbox services share: the loop guard's limits, who wrote a mail, and writing mail onto a ticket."""

import datetime as dt
import mimetypes
import re
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import User, system_user
from aftersales.accounts.roles import Role
from aftersales.core.errors import InvalidTransition
from aftersales.customers.models import Contact
from aftersales.inbox.mime import ParsedMail, Part, strip_quoted
from aftersales.inbox.models import InboundMessage
from aftersales.tickets.choices import EventKind, Status
from aftersales.tickets.models import Attachment, Comment, Ticket
from aftersales.tickets.services.common import record_event
from aftersales.tickets.services.conversation import ALLOWED_ATTACHMENT_TYPES

# Like comment_add: an archived or cancelled ticket's record is final; mail replying to one opens a new ticket.
CLOSED_FOR_MAIL = (Status.ARCHIVED, Status.CANCELLED)
# A loop of automatic mail stops within this many messages from one sender on one ticket (or this many
# acknowledgements to one address) within the window.
LOOP_LIMIT = 3
LOOP_WINDOW = dt.timedelta(hours=1)


def mail_author() -> User:
    """The author of what customers wrote by mail: Aftersales itself (a customer's mail is not a staff reply)."""
    return system_user()


def customers_of_sender(address: str) -> set[int]:
    """Customers that have `address` as a contact's email, or as an active customer user's."""
    if not address:
        return set()
    contacts = Contact.objects.filter(email__iexact=address).values_list("customer_id", flat=True)
    users = User.objects.filter(
        email__iexact=address, role=Role.CUSTOMER, is_active=True, customer__isnull=False
    ).values_list("customer_id", flat=True)
    return set(contacts) | set(users)


def is_known_sender(ticket: Ticket, address: str) -> bool:
    """A contact (or customer user) of the ticket's customer, or whoever the ticket's verified mail came from."""
    if not address:
        return False
    if ticket.customer_id in customers_of_sender(address):
        return True
    return InboundMessage.objects.filter(ticket=ticket, sender_verified=True, sender_address=address).exists()


def sender_line(inbound: InboundMessage) -> str:
    """Who wrote it, as the first line of the comment (the comment's author is Aftersales)."""
    if inbound.sender_name:
        return f"{inbound.sender_name} <{inbound.sender_address}>:"
    return f"<{inbound.sender_address}>:" if inbound.sender_address else ""


def skipped_note(skipped: list[dict]) -> str:
    """A line per attachment that was not stored, in the installation's language (it is part of the record)."""
    if not skipped:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("Attachment %(name)s (%(size)s bytes) was not stored: %(reason)s; the original mail keeps it.")
            % {"name": item["name"], "size": item["size"], "reason": reason_text(item["reason"])}
            for item in skipped
        ]
    return "\n".join(lines)


def reason_text(code: str) -> str:
    return {
        "too_large": _("larger than the limit"),
        "type": _("a type of file not accepted"),
        "empty": _("empty"),
    }.get(code, code)


def attachment_name(part: Part) -> str:
    """The part's file name, with an extension from its content type when it has none."""
    name = PurePath(part.name or "attachment").name[:180] or "attachment"
    if "." not in name.strip("."):
        extension = mimetypes.guess_extension(part.content_type) or ""
        name = f"{name}{extension}"
    return name


def check_part(part: Part) -> tuple[str, str]:
    """(content type, "") for a part that may be stored, else ("", why not): the rules of attachment_add."""
    if not part.content:
        return "", "empty"
    if part.size > settings.ATTACHMENT_MAX_BYTES:
        return "", "too_large"
    content_type = mimetypes.guess_type(attachment_name(part))[0] or ""
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        return "", "type"
    return content_type, ""


def store_parts(*, ticket: Ticket, inbound: InboundMessage, parts: list[Part], public: bool, at) -> list[dict]:
    """Attach the message's files and inline images to the ticket; returns what was skipped (and noted)."""
    author, skipped = mail_author(), []
    for part in parts:
        content_type, problem = check_part(part)
        name = attachment_name(part)
        if problem:
            skipped.append({"code": "attachment_skipped", "name": name, "size": part.size, "reason": problem})
            continue
        attachment = Attachment(
            ticket=ticket,
            uploaded_by=author,
            name=name[:200],
            content_type=content_type,
            size=part.size,
            is_public=public,
        )
        attachment.file.save(name, ContentFile(part.content), save=False)
        attachment.save()
        record_event(
            ticket=ticket,
            actor=author,
            kind=EventKind.ATTACHMENT_ADDED,
            at=at,
            data={"attachment": attachment.pk, "name": attachment.name, "public": public, "email": inbound.pk},
        )
    return skipped


def add_mail_comment(*, ticket: Ticket, inbound: InboundMessage, text: str, public: bool, at) -> Comment:
    """The mail's text as a comment (public) or internal note, written by Aftersales and on the timeline.

    Not comment_add: that counts a public comment by staff as the response to the customer, and a customer's
    mail is not one. Otherwise as comment_add does for a customer's comment: the ticket is locked and a
    cancelled or archived one refused; its status and SLA clocks stay as they are (a customer's words are
    neither a response nor a resumption)."""
    if Ticket.objects.select_for_update().get(pk=ticket.pk).status in CLOSED_FOR_MAIL:
        raise InvalidTransition(_("This ticket no longer takes comments."))
    body = "\n\n".join(part for part in (sender_line(inbound), text.strip()) if part) or "-"
    comment = Comment.objects.create(ticket=ticket, author=mail_author(), body=body, is_public=public)
    record_event(
        ticket=ticket,
        actor=mail_author(),
        kind=EventKind.COMMENTED,
        at=at,
        data={"comment": comment.pk, "public": public, "email": inbound.pk},
    )
    return comment


def mail_body(mail: ParsedMail, *, reply: bool) -> str:
    """The text for the ticket: a reply without the history it quotes; a forward or a new request whole."""
    if reply and not is_forward(mail.subject):
        return strip_quoted(mail.text)
    return mail.text.strip()


PREFIX = re.compile(r"^\s*(?:re|fw|fwd|aw|sv|回复|回覆|答复|转发|轉寄|轉發)\s*(?:\[\d+\])?\s*[:：]\s*", re.IGNORECASE)
FORWARD = re.compile(r"^\s*(?:fw|fwd|转发|轉寄|轉發)\s*[:：]", re.IGNORECASE)


def is_forward(subject: str) -> bool:
    return bool(FORWARD.match(subject))


def bare_subject(subject: str) -> str:
    """The subject without its reply and forward prefixes (Re: 回复: Fwd: 转发: …, any number of them)."""
    text = subject.strip()
    while (match := PREFIX.match(text)) is not None:
        text = text[match.end() :]
    return text.strip()


def recent_from_sender(ticket: Ticket, address: str, now, outcomes) -> int:
    return InboundMessage.objects.filter(
        Q(outcome__in=outcomes), ticket=ticket, sender_address=address, recorded_at__gte=now - LOOP_WINDOW
    ).count()
