"""The SLA board: open tickets by time to their next breach, refreshed in place every 30 seconds."""

import datetime as dt
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import F, QuerySet
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe
from django_htmx.http import HttpResponseClientRefresh

from aftersales.accounts.roles import VIEW_INTERNAL
from aftersales.core.time import local_date
from aftersales.sla.choices import Clock
from aftersales.sla.models import CalendarException
from aftersales.tickets.choices import OPEN_STATUSES, SlaHealth
from aftersales.tickets.filters import SlaBoardFilter
from aftersales.tickets.models import Ticket
from aftersales.tickets.sla import soonest_due
from aftersales.tickets.views.queue import page_without_count

PAGE_SIZE = 50
REFRESH_SECONDS = 30
# Each row is coloured by its ticket's SLA health; the badge says it in words too.
ROW_CLASSES = {
    SlaHealth.BREACHED: "table-danger",
    SlaHealth.WARNING: "table-warning",
    SlaHealth.OK: "table-success",
    SlaHealth.PAUSED: "table-secondary",
}
BADGE_COLOURS = {SlaHealth.BREACHED: "red", SlaHealth.WARNING: "orange", SlaHealth.OK: "green"}


def staff_page(view):
    """For staff who see every customer; to anyone else the page does not exist (as the ticket edit page).

    A page left open past the end of its session asks the browser to reload (and so to sign in again)
    rather than letting its next refresh swap the login page into the table.
    """

    @login_required
    @require_safe
    def allowed(request, *args, **kwargs):
        if not request.user.has_perm(VIEW_INTERNAL):
            raise Http404
        return view(request, *args, **kwargs)

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            return HttpResponseClientRefresh()
        return allowed(request, *args, **kwargs)

    return checked


def board_tickets(*, user) -> QuerySet[Ticket]:
    """Open tickets, the next breach first, tickets without a due time last (the order of ticket_sla_board_idx)."""
    return (
        Ticket.objects.visible_to(user)
        .filter(status__in=sorted(OPEN_STATUSES))
        .select_related("customer", "team", "assignee")
        .only(
            "id",
            "number",
            "title",
            "priority",
            "tier",
            "status",
            "sla_health",
            "sla_due_at",
            "sla_clocks",
            "customer__id",
            "customer__name",
            "team__id",
            "team__name",
            "assignee__id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
        )
        .order_by(F("sla_due_at").asc(nulls_last=True), "id")
    )


@dataclass(frozen=True)
class BoardRow:
    ticket: Ticket
    clock: str  # the name of the clock that is due next; empty when none counts
    due_at: dt.datetime | None
    overdue: bool
    remaining: str  # "25 minutes left", "overdue by 1 h 5 min"

    @property
    def row_class(self) -> str:
        return ROW_CLASSES.get(self.ticket.sla_health, "")

    @property
    def badge_colour(self) -> str:
        return BADGE_COLOURS.get(self.ticket.sla_health, "secondary")


def describe_duration(duration: dt.timedelta) -> str:
    """A length of time as a person reads it at a glance: minutes, hours and minutes, or days and hours."""
    minutes = max(int(duration.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days and hours:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if days:
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    if hours and minutes:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if hours:
        return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    return ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {"minutes": minutes}


def board_row(ticket: Ticket, now: dt.datetime) -> BoardRow:
    """The clock behind the ticket's cached due time, and how long until (or since) it is due."""
    due_at, soonest = ticket.sla_due_at, soonest_due(ticket.sla_clocks)
    if due_at is None:
        return BoardRow(ticket, "", None, overdue=False, remaining="")
    name = str(Clock(soonest["clock"]).label) if soonest else ""
    if due_at <= now:
        remaining = _("overdue by %(duration)s") % {"duration": describe_duration(now - due_at)}
    else:
        # Round up: a clock due in 30 seconds has not "0 minutes" left.
        remaining = _("%(duration)s left") % {"duration": describe_duration(due_at - now + dt.timedelta(seconds=59))}
    return BoardRow(ticket, name, due_at, overdue=due_at <= now, remaining=remaining)


def unconfirmed_holiday_year() -> int | None:
    """Next year, when none of its public holidays is confirmed yet (only estimated, or none entered)."""
    year = local_date().year + 1
    if CalendarException.objects.filter(day__year=year, confirmed=True).exists():
        return None
    return year


@staff_page
def sla_board(request):
    board = SlaBoardFilter(request.GET, queryset=board_tickets(user=request.user), request=request)
    page = page_without_count(board.qs, request.GET.get("page"), size=PAGE_SIZE)
    now = timezone.now()
    page["rows"] = [board_row(ticket, now) for ticket in page["rows"]]
    filtered = any(request.GET.get(name) for name in board.filters)
    context = {"filter": board, "page": page, "now": now, "filtered": filtered, "refresh_seconds": REFRESH_SECONDS}
    if request.htmx:
        return render(request, "tickets/sla_board.html#results", context)
    year = unconfirmed_holiday_year()
    context["holiday_year"] = str(year) if year else ""
    return render(request, "tickets/sla_board.html", context)
