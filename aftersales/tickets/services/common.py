"""Helpers every ticket service uses: locking, versioning, the timeline."""

from collections.abc import Sequence

from django.utils import timezone

from aftersales.core.errors import Conflict
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


def locked_for_update(ticket: Ticket, version: int | None) -> Ticket:
    """Re-read the ticket under a row lock and refuse a stale version."""
    current = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if version is not None and current.version != version:
        raise Conflict(detail={"version": current.version})
    return current


def save_new_version(ticket: Ticket, fields: Sequence[str]) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def mark_responded(ticket: Ticket, now) -> list[str]:
    """The first acknowledgement by staff is the response the SLA counts."""
    if ticket.responded_at is not None:
        return []
    ticket.responded_at = now
    return ["responded_at"]
