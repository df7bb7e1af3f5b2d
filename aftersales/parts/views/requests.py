"""Part requests on the ticket page and RMA cases: each form posts here, calls one service and goes back.

Staff only: a customer is answered 404, exactly as for a ticket they cannot see. `ticket_parts_context` gives the
ticket page's parts card what it reads (customers: only the part, quantity, status and due date).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.forms import StyledForm
from aftersales.core.views import submit_and_return
from aftersales.parts.choices import PartRequestStatus, RmaOutcome
from aftersales.parts.forms_requests import (
    FaultyReturnForm,
    PartCancelForm,
    PartRequestForm,
    PartShipForm,
    RmaCloseForm,
    RmaOpenForm,
    RmaShipForm,
    part_choices,
    warehouse_choices,
)
from aftersales.parts.models import PartRequest, RmaCase
from aftersales.parts.services.requests import (
    faulty_part_returned,
    may_fulfil_parts,
    may_request_parts,
    part_request_cancel,
    part_request_create,
    part_request_deliver,
    part_request_ship,
)
from aftersales.parts.services.rma import may_manage_rma, rma_close, rma_open, rma_ship
from aftersales.tickets.models import Ticket
from aftersales.tickets.views.detail import staff_ticket
from aftersales.tickets.views.sla_board import staff_page


class EmptyForm(StyledForm):
    """For a button that is the whole input (deliver)."""


def _staff_only(request) -> None:
    if not request.user.is_staff_member:
        raise Http404


def _staff_part_request(request, pk: int) -> PartRequest:
    _staff_only(request)
    visible = PartRequest.objects.visible_to(request.user).select_related("ticket", "part", "warehouse")
    return get_object_or_404(visible, pk=pk)


def _staff_rma(request, pk: int) -> RmaCase:
    _staff_only(request)
    return get_object_or_404(RmaCase.objects.visible_to(request.user).select_related("part", "warehouse"), pk=pk)


@login_required
@require_POST
def part_request_create_view(request, pk: int):
    ticket = staff_ticket(request, pk)
    return submit_and_return(
        request,
        ticket,
        PartRequestForm(request.POST),
        lambda data: part_request_create(actor=request.user, ticket=ticket, **data),
        _("The part is requested."),
    )


@login_required
@require_POST
def part_request_ship_view(request, pk: int):
    part_request = _staff_part_request(request, pk)
    return submit_and_return(
        request,
        part_request.ticket,
        PartShipForm(request.POST),
        lambda data: part_request_ship(actor=request.user, request=part_request, **data),
        _("The part is shipped."),
    )


@login_required
@require_POST
def part_request_deliver_view(request, pk: int):
    part_request = _staff_part_request(request, pk)
    return submit_and_return(
        request,
        part_request.ticket,
        EmptyForm(request.POST),
        lambda _data: part_request_deliver(actor=request.user, request=part_request),
        _("The part is delivered."),
    )


@login_required
@require_POST
def part_request_cancel_view(request, pk: int):
    part_request = _staff_part_request(request, pk)
    return submit_and_return(
        request,
        part_request.ticket,
        PartCancelForm(request.POST),
        lambda data: part_request_cancel(actor=request.user, request=part_request, **data),
        _("The part request is cancelled."),
    )


@login_required
@require_POST
def faulty_part_returned_view(request, pk: int):
    part_request = _staff_part_request(request, pk)
    return submit_and_return(
        request,
        part_request.ticket,
        FaultyReturnForm(request.POST),
        lambda data: faulty_part_returned(actor=request.user, request=part_request, **data),
        _("The faulty part is back and an RMA case is open for it."),
    )


@staff_page
def rma_list(request):
    show = request.GET.get("show", "")
    cases = RmaCase.objects.visible_to(request.user).select_related("part", "warehouse", "part_request__ticket")
    if show != "all":
        cases = cases.filter(outcome=RmaOutcome.PENDING)
    page = Paginator(cases.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    open_form = None
    if may_manage_rma(request.user):
        open_form = RmaOpenForm.with_choices(parts=part_choices(), warehouses=warehouse_choices())
    return render(request, "parts/rma_list.html", {"page": page, "show": show, "open_form": open_form})


@staff_page
def rma_detail(request, pk: int):
    rma = get_object_or_404(
        RmaCase.objects.visible_to(request.user).select_related(
            "part__vendor", "warehouse", "created_by", "part_request__ticket"
        ),
        pk=pk,
    )
    manage = may_manage_rma(request.user) and rma.outcome == RmaOutcome.PENDING
    context = {
        "rma": rma,
        "movements": rma.movements.select_related("actor").order_by("at", "id"),
        "ship_form": RmaShipForm(initial={"vendor_case_number": rma.vendor_case_number})
        if manage and rma.shipped_at is None
        else None,
        "close_form": RmaCloseForm() if manage and rma.shipped_at is not None else None,
    }
    return render(request, "parts/rma_detail.html", context)


@login_required
@require_POST
def rma_open_view(request):
    _staff_only(request)
    opened = []
    response = submit_and_return(
        request,
        reverse("rma_list"),
        RmaOpenForm(request.POST),
        lambda data: opened.append(rma_open(actor=request.user, **data)),
        _("The RMA case is open."),
    )
    return redirect("rma_detail", pk=opened[0].pk) if opened else response


@login_required
@require_POST
def rma_ship_view(request, pk: int):
    rma = _staff_rma(request, pk)
    return submit_and_return(
        request,
        reverse("rma_detail", args=[rma.pk]),
        RmaShipForm(request.POST),
        lambda data: rma_ship(actor=request.user, rma=rma, **data),
        _("The unit is recorded as sent to the vendor."),
    )


@login_required
@require_POST
def rma_close_view(request, pk: int):
    rma = _staff_rma(request, pk)
    return submit_and_return(
        request,
        reverse("rma_detail", args=[rma.pk]),
        RmaCloseForm(request.POST),
        lambda data: rma_close(actor=request.user, rma=rma, **data),
        _("The RMA case is closed."),
    )


urlpatterns = [
    path("tickets/<int:pk>/part-requests/", part_request_create_view, name="part_request_create"),
    path("part-requests/<int:pk>/ship/", part_request_ship_view, name="part_request_ship"),
    path("part-requests/<int:pk>/deliver/", part_request_deliver_view, name="part_request_deliver"),
    path("part-requests/<int:pk>/cancel/", part_request_cancel_view, name="part_request_cancel"),
    path("part-requests/<int:pk>/faulty-returned/", faulty_part_returned_view, name="faulty_part_returned"),
    path("rma/", rma_list, name="rma_list"),
    path("rma/open/", rma_open_view, name="rma_open"),
    path("rma/<int:pk>/", rma_detail, name="rma_detail"),
    path("rma/<int:pk>/ship/", rma_ship_view, name="rma_ship"),
    path("rma/<int:pk>/close/", rma_close_view, name="rma_close"),
]


# The ticket page's card ------------------------------------------------------------------------------------------


@dataclass
class RequestRow:
    """One part request as the card shows it, with how its clocks stand and, for staff, the forms it may take."""

    request: PartRequest
    late: bool
    left: dt.timedelta | None
    late_by: dt.timedelta | None
    faulty_waiting: bool
    faulty_overdue: bool
    ship_form: PartShipForm | None = None
    cancel_form: PartCancelForm | None = None
    can_deliver: bool = False
    return_form: FaultyReturnForm | None = None


def ticket_parts_context(*, ticket: Ticket, user, now: dt.datetime | None = None) -> dict:
    """What templates/parts/includes/ticket_parts.html reads: three queries for staff, one for customers."""
    now = now or timezone.now()
    staff = user.is_staff_member
    requests = PartRequest.objects.visible_to(user).filter(ticket=ticket)
    requests = requests.select_related("part", "warehouse") if staff else requests.select_related("part")
    rows = [_row(request, now) for request in requests.order_by("requested_at", "id")]
    context = {"ticket": ticket, "user": user, "rows": rows, "staff": staff, "request_form": None, "now": now}
    if not staff:
        return context
    fulfil = may_fulfil_parts(user)
    may_request = may_request_parts(user) and ticket.is_open
    needs_choices = may_request or (fulfil and any(_open(row.request) or row.faulty_waiting for row in rows))
    parts = part_choices() if may_request else None
    warehouses = warehouse_choices() if needs_choices else None
    if may_request:
        context["request_form"] = PartRequestForm.with_choices(parts=parts, warehouses=warehouses, auto_id="id_%s")
    if fulfil:
        for row in rows:
            _add_forms(row, warehouses)
    return context


def _open(request: PartRequest) -> bool:
    return request.status in (PartRequestStatus.REQUESTED, PartRequestStatus.RESERVED)


def _row(request: PartRequest, now: dt.datetime) -> RequestRow:
    running = request.status in (PartRequestStatus.REQUESTED, PartRequestStatus.RESERVED, PartRequestStatus.SHIPPED)
    finished_at = request.delivered_at if request.status == PartRequestStatus.DELIVERED else None
    reference = now if running else finished_at
    late = reference is not None and reference > request.due_at
    faulty_waiting = (
        request.advance_replacement
        and request.status == PartRequestStatus.DELIVERED
        and request.faulty_returned_at is None
        and request.faulty_due_at is not None
    )
    return RequestRow(
        request=request,
        late=late,
        left=request.due_at - now if running and not late else None,
        late_by=reference - request.due_at if late else None,
        faulty_waiting=faulty_waiting,
        faulty_overdue=faulty_waiting and now > request.faulty_due_at,
    )


def _add_forms(row: RequestRow, warehouses) -> None:
    request = row.request
    auto_id = f"id_%s_{request.pk}"
    if _open(request):
        row.ship_form = PartShipForm.with_choices(warehouses=warehouses, auto_id=auto_id)
        row.cancel_form = PartCancelForm(auto_id=auto_id)
    row.can_deliver = request.status == PartRequestStatus.SHIPPED
    if row.faulty_waiting:
        row.return_form = FaultyReturnForm.with_choices(warehouses=warehouses, auto_id=auto_id)
