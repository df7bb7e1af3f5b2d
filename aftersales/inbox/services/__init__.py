"""Writes of the inbox: recording received mail, placing it on tickets, mailing customers back."""

from aftersales.inbox.services.ingest import message_ingest
from aftersales.inbox.services.outgoing import outgoing_sweep, ticket_mail_queue
from aftersales.inbox.services.polling import mailbox_poll, mailboxes_poll
from aftersales.inbox.services.sorting import (
    inbound_attach,
    inbound_dismiss,
    inbound_mark_reviewed,
    inbound_ticket_create,
    may_sort,
)

__all__ = [
    "inbound_attach",
    "inbound_dismiss",
    "inbound_mark_reviewed",
    "inbound_ticket_create",
    "mailbox_poll",
    "mailboxes_poll",
    "may_sort",
    "message_ingest",
    "outgoing_sweep",
    "ticket_mail_queue",
]
