"""Stock pages for staff: the stock list, a part's page with its movement forms, the supply promise for
discontinued products; and the task sheet's "use a part from stock"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.roles import VIEW_INTERNAL
from aftersales.core.errors import Conflict, DomainError
from aftersales.core.time import local_date
from aftersales.core.views import add_domain_error
from aftersales.dispatch.models import WorkOrder
from aftersales.dispatch.views.work_orders import work_order_detail
from aftersales.parts import selectors
from aftersales.parts.forms_stock import StockFilterForm, StockMoveForm, StockPartForm
from aftersales.parts.services.job_parts import work_order_part_from_stock
from aftersales.parts.services.stock import stock_move
from aftersales.tickets.views.queue import page_without_count
from aftersales.tickets.views.sla_board import staff_page


@staff_page
def stock_list(request):
    chosen = StockFilterForm(request.GET)
    filters = chosen.cleaned_data if chosen.is_valid() else {}
    rows = selectors.stock_list(
        user=request.user,
        warehouse=filters.get("warehouse"),
        vendor=filters.get("vendor"),
        q=filters.get("q", ""),
        below=filters.get("below", False),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": chosen, "page": page_without_count(rows, request.GET.get("page")), "query": query.urlencode()}
    return render(request, "parts/stock_list.html", context)


@staff_page
def part_detail(request, pk: int):
    part = selectors.part_detail(user=request.user, pk=pk)
    return render(request, "parts/part_detail.html", selectors.part_page_context(part=part, user=request.user))


@login_required
@require_POST
def stock_move_view(request, pk: int):
    """Receive, transfer, scrap or return: a refusal shows the part's page again with the form as it was sent."""
    if not request.user.has_perm(VIEW_INTERNAL):
        raise Http404
    part = selectors.part_detail(user=request.user, pk=pk)
    form = StockMoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            stock_move(actor=request.user, part=part, to_warehouse=data.get("to_warehouse"), **_move_fields(data))
        except DomainError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("The stock movement is recorded."))
            return redirect("part_detail", pk=part.pk)
    messages.error(request, _("The stock did not move. Please check the form."))
    context = selectors.part_page_context(part=part, user=request.user, bound_form=form)
    return render(request, "parts/part_detail.html", context)


def _show_refusal(form, error: DomainError) -> None:
    add_domain_error(form, error)
    if isinstance(error, Conflict) and not form.non_field_errors():
        form.add_error(None, str(error.message))  # not enough stock: says how much there is


def _move_fields(data: dict) -> dict:
    return {name: data[name] for name in ("kind", "warehouse", "quantity", "serial_number", "note")}


@staff_page
def supply_promise(request):
    today = local_date()
    rows = selectors.supply_promise(user=request.user, today=today)
    return render(request, "parts/supply.html", {"rows": rows, "today": today})


@login_required
@require_POST
def work_order_part_from_stock_view(request, pk: int):
    """The engineer takes a catalogue part from a warehouse for the job; a refusal shows the sheet again with the
    form as it was sent."""
    work_order = get_object_or_404(WorkOrder.objects.visible_to(request.user), pk=pk)
    form = StockPartForm(request.POST)
    if form.is_valid():
        try:
            work_order_part_from_stock(actor=request.user, work_order=work_order, **form.cleaned_data)
        except DomainError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, _("The part is taken from stock and recorded on the sheet."))
            return redirect(work_order)
    return work_order_detail(request, pk, stock_part_form=form)


urlpatterns = [
    path("parts/", stock_list, name="stock_list"),
    path("parts/supply/", supply_promise, name="supply_promise"),
    path("parts/<int:pk>/", part_detail, name="part_detail"),
    path("parts/<int:pk>/move/", stock_move_view, name="stock_move_view"),
    path("work-orders/<int:pk>/stock-parts/", work_order_part_from_stock_view, name="work_order_part_from_stock"),
]
