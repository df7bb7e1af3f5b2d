"""Writes to tickets. Every change runs in one transaction, is checked, and leaves an event."""

from aftersales.tickets.services.conversation import attachment_add, comment_add
from aftersales.tickets.services.intake import next_ticket_number, priority_for, ticket_create
from aftersales.tickets.services.lifecycle import ticket_assign, ticket_transition, ticket_update

__all__ = [
    "attachment_add",
    "comment_add",
    "next_ticket_number",
    "priority_for",
    "ticket_assign",
    "ticket_create",
    "ticket_transition",
    "ticket_update",
]
