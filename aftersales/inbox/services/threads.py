"""Which ticket a message belongs to: by its reply headers, by a forwarded message's ids, by a ticket number in
the subject (clients that drop the headers), and never by the subject's words alone."""

from dataclasses import dataclass

from aftersales.inbox.mime import ParsedMail
from aftersales.inbox.models import InboundMessage, OutgoingMail
from aftersales.tickets.models import Ticket


@dataclass(frozen=True)
class Thread:
    ticket: Ticket
    by: str  # "headers", "forwarded", "subject_number" or "same_message_id": noted on the message


def find_thread(mail: ParsedMail) -> Thread | None:
    for ids, by in ((mail.thread_ids, "headers"), (mail.forwarded_ids, "forwarded")):
        if ticket_id := _ticket_of_ids(ids):
            return Thread(Ticket.objects.select_related("customer").get(pk=ticket_id), by)
    numbers = mail.ticket_numbers
    if numbers:
        tickets = {
            ticket.number: ticket for ticket in Ticket.objects.select_related("customer").filter(number__in=numbers)
        }
        for number in numbers:
            if number in tickets:
                return Thread(tickets[number], "subject_number")
    return None


def thread_of_earlier(earlier: InboundMessage | None) -> Thread | None:
    """The ticket of an earlier, different mail that carried the same Message-ID: the sender's own id says
    they belong together, so the second goes on the same ticket rather than opening another."""
    if earlier is None or earlier.ticket_id is None:
        return None
    return Thread(Ticket.objects.select_related("customer").get(pk=earlier.ticket_id), "same_message_id")


def _ticket_of_ids(ids: list[str]) -> int | None:
    """The ticket of the first id (in the order given) that is ours: a mail we sent, or one we received."""
    ids = [message_id for message_id in ids if message_id][:50]
    if not ids:
        return None
    found = dict(OutgoingMail.objects.filter(message_id__in=ids).values_list("message_id", "ticket_id"))
    found.update(
        {
            message_id: ticket_id
            for message_id, ticket_id in InboundMessage.objects.filter(
                message_id__in=ids, ticket__isnull=False
            ).values_list("message_id", "ticket_id")
            if message_id not in found
        }
    )
    for message_id in ids:
        if message_id in found:
            return found[message_id]
    return None
