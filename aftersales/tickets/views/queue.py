from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from aftersales.tickets.filters import QueueFilter
from aftersales.tickets.selectors import ticket_list

PAGE_SIZE = 25
# Past any real queue, and an offset every database accepts (SQLite and PostgreSQL stop at 64 bits).
LAST_PAGE = 1_000_000
CUSTOMER_HIDDEN_FILTERS = ("customer", "assignee", "tier", "channel")
# Sort keys a user may choose; each ends on a unique column so pages never repeat or skip a row.
SORTS = {
    "priority": ("priority", "received_at", "id"),
    "-priority": ("-priority", "-received_at", "-id"),
    "received_at": ("received_at", "id"),
    "-received_at": ("-received_at", "-id"),
    "number": ("number",),
    "-number": ("-number",),
}


@login_required
def home(request):
    return redirect("ticket_list")


def page_without_count(queryset, page_number: str | None, size: int = PAGE_SIZE) -> dict:
    """One page and whether another follows, without COUNT(*) over a million tickets."""
    # isdecimal, not isdigit: int() refuses digits such as "²"; seven characters keep int() and the offset small.
    digits = page_number or ""
    number = min(max(int(digits), 1), LAST_PAGE) if digits.isdecimal() and len(digits) <= 7 else 1
    rows = list(queryset[(number - 1) * size : number * size + 1])
    return {"rows": rows[:size], "number": number, "has_previous": number > 1, "has_next": len(rows) > size}


@login_required
def ticket_queue(request):
    """The agent queue, and for customer users the list of their own requests."""
    tickets = QueueFilter(request.GET, queryset=ticket_list(user=request.user), request=request)
    if request.user.is_customer_user:
        for internal in CUSTOMER_HIDDEN_FILTERS:
            del tickets.form.fields[internal]
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "priority"
    page = page_without_count(tickets.qs.order_by(*SORTS[sort]), request.GET.get("page"))
    template = "tickets/queue.html#results" if request.htmx else "tickets/queue.html"
    return render(request, template, {"filter": tickets, "page": page, "sort": sort})
