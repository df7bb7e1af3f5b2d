"""Helpers every ticket service uses: locking, versioning, the timeline."""

from django.utils import timezone

from aftersales.core.versioning import locked_for_update, save_new_version  # noqa: F401  (services import them from here)
from aftersales.tickets.models import Ticket, TicketEvent


def record_event(
    *,
    ticket: Ticket,
    actor,
    kind: str,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    at=None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        note=note,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        at=at or timezone.now(),
    )


def mark_responded(ticket: Ticket, now) -> list[str]:
    """The first acknowledgement by staff is the response the SLA counts."""
    if ticket.responded_at is not None:
        return []
    ticket.responded_at = now
    return ["responded_at"]
