"""Writes to tickets. Every change runs in one transaction, is checked, and leaves an event."""

from aftersales.tickets.services.conversation import attachment_add, call_log, comment_add, may_log_call
from aftersales.tickets.services.escalation import escalation_acknowledge, may_acknowledge_escalation, sla_sweep
from aftersales.tickets.services.intake import next_ticket_number, priority_for, ticket_create
from aftersales.tickets.services.lifecycle import (
    may_record_arrival,
    ticket_assign,
    ticket_record_arrival,
    ticket_transition,
    ticket_update,
)
from aftersales.tickets.services.tiers import (
    may_escalate,
    may_escalate_to_manager,
    ticket_escalate,
    ticket_escalate_to_manager,
)

__all__ = [
    "attachment_add",
    "call_log",
    "comment_add",
    "escalation_acknowledge",
    "may_acknowledge_escalation",
    "may_escalate",
    "may_escalate_to_manager",
    "may_log_call",
    "may_record_arrival",
    "next_ticket_number",
    "priority_for",
    "sla_sweep",
    "ticket_assign",
    "ticket_create",
    "ticket_escalate",
    "ticket_escalate_to_manager",
    "ticket_record_arrival",
    "ticket_transition",
    "ticket_update",
]
