"""What processing noticed about a message (stored as codes and values), said in the reader's language."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from aftersales.inbox.choices import Outcome
from aftersales.inbox.mime import sanitise_html
from aftersales.inbox.services.common import reason_text

register = template.Library()
CARD_FIELDS = ("id", "sender_name", "sender_address", "subject", "recorded_at", "outcome", "needs_review")
WAITING_CODES = {
    "unknown_sender",
    "ambiguous_sender",
    "authentication_failed",
    "no_contact_phone",
    "no_fax_document",
    "fax_refused",
}

THREADED_BY = {
    "headers": lambda: _("its reply headers"),
    "forwarded": lambda: _("the ids of the message it forwards"),
    "subject_number": lambda: _("the ticket number in its subject"),
    "same_message_id": lambda: _("the Message-ID an earlier, different mail carried too"),
}


def note_text(note: dict) -> str:
    code = note.get("code", "")
    if code == "threaded":
        by = THREADED_BY.get(note.get("by"), lambda: note.get("by", ""))()
        return _("Belongs to ticket %(number)s, found by %(by)s.") % {"number": note.get("ticket", ""), "by": by}
    if code == "attachment_skipped":
        return _("Attachment %(name)s (%(size)s bytes) was not stored: %(reason)s.") % {
            "name": note.get("name", ""),
            "size": note.get("size", ""),
            "reason": reason_text(note.get("reason", "")),
        }
    if code == "follows_closed_ticket":
        return _("It replies to ticket %(number)s, which is cancelled or archived: a new ticket was opened.") % {
            "number": note.get("ticket", "")
        }
    if code == "mime_defects":
        return _("The message is not well-formed MIME (%(defects)s); read what could be read.") % {
            "defects": ", ".join(note.get("defects", []))
        }
    if code == "undecodable_text":
        return _("Some text could not be decoded (declared charset %(charset)s) and was replaced.") % {
            "charset": note.get("charset") or "-"
        }
    if code == "fax_refused":
        if note.get("fields") == ["file"]:
            text = _("The attachment %(name)s (%(size)s bytes) is not a PDF or TIFF scan, or is empty or too large.")
        else:
            text = _("The attachment %(name)s (%(size)s bytes) could not be registered as a fax.")
        return " ".join(
            [text % {"name": note.get("name", ""), "size": note.get("size", "")}, _("The original mail keeps it.")]
        )
    if code == "fax_registered":
        return _("Registered as fax %(number)s.") % {"number": note.get("register", "")}
    texts = {
        "unknown_sender": _("The sender is not a contact of any customer."),
        "ambiguous_sender": _("The sender is a contact of more than one customer."),
        "authentication_failed": _("The receiving server says the sender's address is forged (DMARC failed)."),
        "no_contact_phone": _("No phone number is known for the sender or the customer."),
        "acknowledgement_not_sent": _("No acknowledgement was sent: this address had three within the hour."),
        "undecodable_part": _("A part had a broken transfer encoding and was kept as it came."),
        "mime_too_deep": _(
            "Its parts are nested too deep to take apart; everything after the headers is shown as text."
        ),
        "message_id_reused": _("An earlier, different mail carried the same Message-ID; this one is kept too."),
        "no_fax_document": _("The fax gateway's mail holds no PDF or TIFF scan."),
    }
    return texts.get(code, code)


@register.simple_tag
def notes(message) -> list[str]:
    return [note_text(note) for note in message.notes or [] if isinstance(note, dict)]


@register.simple_tag
def waiting_reason(message) -> str:
    if message.outcome == Outcome.FAILED:
        return _("Processing failed: %(error)s") % {"error": message.error[:120]}
    reasons = [
        note_text(note) for note in message.notes or [] if isinstance(note, dict) and note.get("code") in WAITING_CODES
    ]
    return " ".join(reasons) or message.get_outcome_display()


@register.filter
def sanitised(html: str) -> str:
    """Stored HTML was sanitised on receipt; it is sanitised again on display, whatever rules held then."""
    return mark_safe(sanitise_html(html or ""))  # noqa: S308 (nh3 output)


@register.inclusion_tag("inbox/includes/ticket_mail.html", takes_context=True)
def ticket_mail_card(context, ticket):
    """The ticket page's mail card (staff only): mail received for the ticket and mail sent about it."""
    from aftersales.inbox.models import InboundMessage, OutgoingMail

    user = context["user"]
    received = InboundMessage.objects.visible_to(user).filter(ticket=ticket).order_by("recorded_at", "id")
    sent = OutgoingMail.objects.visible_to(user).filter(ticket=ticket).order_by("created_at", "id")
    received = list(received.only(*CARD_FIELDS))
    return {"ticket": ticket, "received": received, "sent": list(sent) if received else []}
