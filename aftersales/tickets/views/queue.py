from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from aftersales.core.forms import style_widgets
from aftersales.tickets.filters import QueueFilter
from aftersales.tickets.selectors import ticket_list
from aftersales.tickets.tables import CustomerTicketTable, TicketTable

PAGE_SIZE = 25
CUSTOMER_HIDDEN_FILTERS = ("customer", "assignee", "tier", "channel")


@login_required
def home(request):
    return redirect("ticket_list")


@login_required
def ticket_queue(request):
    """The agent queue, and for customer users the list of their own requests."""
    tickets = QueueFilter(request.GET, queryset=ticket_list(user=request.user), request=request)
    if request.user.is_customer_user:
        for internal in CUSTOMER_HIDDEN_FILTERS:
            del tickets.form.fields[internal]
    style_widgets(tickets.form)
    table_class = CustomerTicketTable if request.user.is_customer_user else TicketTable
    table = table_class(tickets.qs)
    # LazyPaginator: no COUNT(*) over a million tickets just to draw page links.
    RequestConfig(request, paginate={"paginator_class": LazyPaginator, "per_page": PAGE_SIZE}).configure(table)
    template = "tickets/queue.html#results" if request.htmx else "tickets/queue.html"
    return render(request, template, {"filter": tickets, "table": table})
