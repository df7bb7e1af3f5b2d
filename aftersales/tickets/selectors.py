"""Reads of tickets, always scoped to what the user may see."""

from django.db.models import Prefetch, QuerySet

from aftersales.tickets.models import Attachment, Comment, Ticket, TicketEvent


def ticket_list(*, user) -> QuerySet[Ticket]:
    """The queue: the columns a list shows, with no per-row queries."""
    return (
        Ticket.objects.visible_to(user)
        .select_related("customer", "assignee")
        .only(
            "id",
            "number",
            "title",
            "status",
            "priority",
            "kind",
            "channel",
            "tier",
            "received_at",
            "version",
            "customer__id",
            "customer__name",
            "assignee__id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
        )
        .order_by("priority", "received_at", "id")
    )


def ticket_detail(*, user, ticket_id: int) -> Ticket:
    """One ticket with its timeline, comments and attachments as this user may see them. Raises DoesNotExist."""
    events = TicketEvent.objects.visible_to(user).select_related("actor")
    return (
        Ticket.objects.visible_to(user)
        .select_related("customer", "site", "assignee", "team", "contract", "service_level", "created_by")
        .prefetch_related(
            "assets__product__vendor",
            Prefetch("events", queryset=events),
            Prefetch("comments", queryset=Comment.objects.visible_to(user).select_related("author")),
            Prefetch("attachments", queryset=Attachment.objects.visible_to(user).select_related("uploaded_by")),
        )
        .get(pk=ticket_id)
    )


def customer_history(*, user, customer_id: int) -> QuerySet[Ticket]:
    """A customer's faults, newest first, with how each was fixed (the archive's history)."""
    return (
        Ticket.objects.visible_to(user)
        .filter(customer_id=customer_id)
        .only("id", "number", "title", "status", "kind", "received_at", "resolution", "resolution_method", "root_cause")
        .order_by("-received_at", "-id")
    )
