"""What the demo adds for the SLA engine: the duty roster, each ticket's SLA summary, and one sweep at the end.

Recent tickets get their clocks from the ticket services as they replay; old ones, bulk-inserted, get the
summary the services would have left. At the end one sweep fires the rungs the open tickets have reached, so
the SLA board, the escalations and the notification outbox have something to show as soon as the demo is up.
"""

import datetime as dt

from aftersales.accounts.models import DutyShift, User
from aftersales.demo.catalogue import DAY_SHIFT, DUTY_ROSTER, NIGHT_SHIFT
from aftersales.tickets.choices import OPEN_STATUSES
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import sla_sweep
from aftersales.tickets.sla import PolicyBook, cache_fields, clock_states


def create_duty_roster(users: dict[str, User]) -> None:
    """The organisation's roster: a day and a night shift every day of the week."""
    day, night = (tuple(dt.time.fromisoformat(moment) for moment in shift) for shift in (DAY_SHIFT, NIGHT_SHIFT))
    shifts = []
    for weekday, duty in enumerate(DUTY_ROSTER):
        shifts.append(
            DutyShift(
                weekday=weekday,
                start=day[0],
                end=day[1],
                duty_manager=users[duty.day_manager],
                duty_engineer=users[duty.day_engineer],
            )
        )
        shifts.append(
            DutyShift(
                weekday=weekday,
                start=night[0],
                end=night[1],
                duty_manager=users[duty.night_manager],
                duty_engineer=users[duty.night_engineer],
            )
        )
    for shift in shifts:
        shift.full_clean()
    DutyShift.objects.bulk_create(shifts)


def sweep_open_tickets() -> None:
    """Fire the rungs the open tickets have reached, so escalations and notifications exist after loading.

    Finished tickets keep the SLA summary their last change computed, but are not swept: their rungs would
    only now send notices about work that was over days ago.
    """
    Ticket.objects.exclude(status__in=OPEN_STATUSES).update(next_check_at=None)
    sla_sweep()


def summarise_clocks(tickets: list[Ticket], events: list[TicketEvent], book: PolicyBook, now: dt.datetime) -> None:
    """The SLA summary the services would have left on bulk-inserted old tickets.

    They are over, so nothing is checked again: their next_check_at stays empty.
    """
    by_ticket: dict[int, list[TicketEvent]] = {ticket.pk: [] for ticket in tickets}
    for event in events:
        by_ticket[event.ticket_id].append(event)
    fields = []
    for ticket in tickets:
        fields = cache_fields(ticket, clock_states(ticket, by_ticket[ticket.pk], book, now))
    if fields:
        Ticket.objects.bulk_update(tickets, fields, batch_size=500)
