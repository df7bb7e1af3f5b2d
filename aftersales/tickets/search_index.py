"""Tickets in the search box: by number, title, description, contact, resolution and public replies.

Internal notes are never indexed (a customer could find a ticket by words only staff may read).
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.search.registry import Dependent, register
from aftersales.search.text import phone_text
from aftersales.tickets.models import Comment, Ticket

PUBLIC_COMMENTS = "search_public_comments"


def _public_comments(ticket: Ticket) -> list[str]:
    comments = getattr(ticket, PUBLIC_COMMENTS, None)
    if comments is None:
        return list(ticket.comments.filter(is_public=True).order_by("id").values_list("body", flat=True))
    return [comment.body for comment in comments]


def ticket_text(ticket: Ticket) -> list[str]:
    return [
        ticket.number,
        ticket.title,
        ticket.description,
        ticket.contact_name,
        phone_text(ticket.contact_phone),
        ticket.resolution,
        ticket.root_cause,
        *_public_comments(ticket),
    ]


def _with_public_comments(tickets):
    public = Comment.objects.filter(is_public=True).only("ticket_id", "body").order_by("id")
    return tickets.prefetch_related(Prefetch("comments", queryset=public, to_attr=PUBLIC_COMMENTS))


register(
    "ticket",
    Ticket,
    label=_("Tickets"),
    position=10,
    text_of=ticket_text,
    title_of=lambda ticket: f"{ticket.number} {ticket.title}",
    ordered_at_of=lambda ticket: ticket.received_at,
    customer_id_of=lambda ticket: ticket.customer_id,
    url_of=lambda ticket_id, customer_id: reverse("ticket_detail", args=[ticket_id]),
    fields=[
        "number",
        "title",
        "description",
        "contact_name",
        "contact_phone",
        "resolution",
        "root_cause",
        "customer",
        "received_at",
    ],
    prepare=_with_public_comments,
    dependents=[
        Dependent(Comment, frozenset({"body", "is_public", "ticket"}), lambda comment: [comment.ticket_id]),
    ],
)
