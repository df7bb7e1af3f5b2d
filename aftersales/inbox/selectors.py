"""Reads of the inbox pages; staff only (InboundMessage.objects.visible_to)."""

from django.db.models import Q

from aftersales.inbox.models import InboundMessage, Mailbox

LOG_FIELDS = (
    "id",
    "mailbox__address",
    "sender_name",
    "sender_address",
    "subject",
    "received_at",
    "recorded_at",
    "outcome",
    "needs_review",
    "error",
    "ticket__number",
)


def inbound_log(*, user, filters: dict | None = None):
    """The log, newest first, filtered by mailbox, outcome, review and text."""
    filters = filters or {}
    messages = InboundMessage.objects.visible_to(user).select_related("mailbox", "ticket").only(*LOG_FIELDS)
    if filters.get("mailbox"):
        messages = messages.filter(mailbox=filters["mailbox"])
    if filters.get("outcome"):
        messages = messages.filter(outcome=filters["outcome"])
    if filters.get("review"):
        messages = messages.filter(needs_review=True)
    if text := (filters.get("q") or "").strip():
        messages = messages.filter(Q(sender_address__icontains=text) | Q(subject__icontains=text))
    return messages.order_by("-recorded_at", "-id")


def inbound_waiting(*, user):
    """Mail an agent has to place, oldest first."""
    return (
        InboundMessage.objects.visible_to(user)
        .waiting()
        .select_related("mailbox", "customer")
        .only(*LOG_FIELDS, "customer__name", "notes")
        .order_by("recorded_at", "id")
    )


def inbound_detail(*, user, pk: int) -> InboundMessage | None:
    return (
        InboundMessage.objects.visible_to(user)
        .select_related("mailbox", "ticket", "comment", "customer", "handled_by")
        .filter(pk=pk)
        .first()
    )


def mailboxes_status() -> list[Mailbox]:
    """Each mailbox's last check, for the top of the log (a staff page)."""
    return list(Mailbox.objects.select_related("team").order_by("address"))
