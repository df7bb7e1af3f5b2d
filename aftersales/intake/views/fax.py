"""Fax pages: upload a scan, the register by month (printable), the faxes waiting for an agent, one fax."""

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from aftersales.core.errors import DomainError
from aftersales.core.time import local_zone
from aftersales.core.views import add_domain_error, flash_domain_error, flash_form_errors
from aftersales.intake.fax import fax_assign, fax_dismiss, fax_register
from aftersales.intake.forms import FaxAssignForm, FaxDismissForm, FaxRegisterFilter, FaxUploadForm
from aftersales.intake.models import FaxReceipt
from aftersales.intake.views.common import agent_only, staff_reader
from aftersales.tickets.views.queue import page_without_count

REGISTER_LIMIT = 1000  # one month of faxes on one printable page; more says so
RELATED = ("customer", "recipient", "ticket", "registered_by", "dismissed_by")


@agent_only
def fax_upload(request):
    form = FaxUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            receipt = fax_register(
                actor=request.user,
                file_name=upload.name,
                content=upload.read(),
                content_type=upload.content_type or "",
                fax_number=data["fax_number"],
                received_at=data["received_at"],
                summary=data["summary"],
                recipient=data["recipient"],
                customer=data["customer"],
                contact_name=data["contact_name"],
                contact_phone=str(data["contact_phone"] or ""),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            _say_registered(request, receipt)
            return redirect(receipt)
    return render(request, "intake/fax_upload.html", {"form": form})


def _say_registered(request, receipt: FaxReceipt) -> None:
    if receipt.ticket_id:
        messages.success(
            request,
            _("Fax %(number)s was registered as ticket %(ticket)s.")
            % {"number": receipt.number, "ticket": receipt.ticket.number},
        )
    else:
        messages.warning(
            request,
            _("Fax %(number)s was registered and waits for an agent: %(reason)s")
            % {"number": receipt.number, "reason": receipt.get_waiting_reason_display()},
        )


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(month, dt.time(), tzinfo=local_zone())
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return start, dt.datetime.combine(following, dt.time(), tzinfo=local_zone())


@staff_reader
@require_safe
def fax_register_list(request):
    """The register for one month, oldest first as it is written on paper; filters narrow it."""
    query = FaxRegisterFilter(request.GET)
    month = query.month_start()
    start, end = _month_bounds(month)
    receipts = FaxReceipt.objects.visible_to(request.user).filter(received_at__gte=start, received_at__lt=end)
    if query.is_valid():
        receipts = _filtered(receipts, query.cleaned_data)
    rows = list(receipts.select_related(*RELATED).order_by("received_at", "id")[: REGISTER_LIMIT + 1])
    context = {
        "query": query,
        "rows": rows[:REGISTER_LIMIT],
        "truncated": len(rows) > REGISTER_LIMIT,
        "month": month,
        "previous_month": (month - dt.timedelta(days=1)).replace(day=1),
        "next_month": (month + dt.timedelta(days=32)).replace(day=1),
        "filters": _without_month(request.GET),
    }
    return render(request, "intake/fax_register.html", context)


def _without_month(params) -> str:
    """The filters as a query string, for the links to the previous and next month."""
    kept = params.copy()
    kept.pop("month", None)
    return kept.urlencode()


def _filtered(receipts, data: dict):
    if data.get("customer"):
        receipts = receipts.filter(customer=data["customer"])
    state = data.get("state")
    if state == FaxRegisterFilter.TICKET:
        receipts = receipts.filter(ticket__isnull=False)
    elif state == FaxRegisterFilter.WAITING:
        receipts = receipts.filter(ticket__isnull=True, dismissed_at__isnull=True)
    elif state == FaxRegisterFilter.SET_ASIDE:
        receipts = receipts.filter(dismissed_at__isnull=False)
    if text := (data.get("q") or "").strip():
        receipts = receipts.filter(
            Q(number__icontains=text) | Q(fax_number__icontains=text) | Q(summary__icontains=text)
        )
    return receipts


@staff_reader
@require_safe
def fax_waiting(request):
    """Faxes no ticket was made for yet, oldest first: the agent's to-do list."""
    receipts = (
        FaxReceipt.objects.visible_to(request.user)
        .filter(ticket__isnull=True, dismissed_at__isnull=True)
        .select_related("customer", "registered_by")
        .order_by("received_at", "id")
    )
    return render(request, "intake/fax_waiting.html", {"page": page_without_count(receipts, request.GET.get("page"))})


def _visible_receipt(request, pk: int) -> FaxReceipt:
    return get_object_or_404(FaxReceipt.objects.visible_to(request.user).select_related(*RELATED), pk=pk)


@staff_reader
@require_safe
def fax_detail(request, pk: int):
    return _detail_page(request, _visible_receipt(request, pk))


def _detail_page(request, receipt: FaxReceipt, assign_form=None, dismiss_form=None):
    may_file = receipt.is_waiting and request.user.has_perm("tickets.log_ticket")
    if may_file and assign_form is None:
        assign_form = FaxAssignForm(
            initial={
                "customer": receipt.customer_id,
                "title": receipt.summary.splitlines()[0][:200] if receipt.summary else "",
                "contact_name": receipt.customer.name if receipt.customer else "",
                "contact_phone": receipt.fax_number_e164,
            }
        )
    context = {
        "receipt": receipt,
        "assign_form": assign_form if may_file else None,
        "dismiss_form": (dismiss_form or FaxDismissForm()) if may_file else None,
    }
    return render(request, "intake/fax_detail.html", context)


@agent_only
@require_POST
def fax_assign_view(request, pk: int):
    receipt = _visible_receipt(request, pk)
    form = FaxAssignForm(request.POST)
    if form.is_valid():
        try:
            ticket = fax_assign(actor=request.user, receipt=receipt, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Ticket %(number)s was registered from the fax.") % {"number": ticket.number})
            return redirect(ticket)
    return _detail_page(request, receipt, assign_form=form)


@agent_only
@require_POST
def fax_dismiss_view(request, pk: int):
    receipt = _visible_receipt(request, pk)
    form = FaxDismissForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(receipt)
    try:
        fax_dismiss(actor=request.user, receipt=receipt, reason=form.cleaned_data["reason"])
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("The fax was set aside."))
    return redirect(receipt)


@staff_reader
@require_safe
def fax_file(request, pk: int):
    """The scan, served only here after the visibility check, always as a download."""
    receipt = _visible_receipt(request, pk)
    return FileResponse(
        receipt.file.open("rb"), as_attachment=True, filename=receipt.file_name, content_type=receipt.content_type
    )
