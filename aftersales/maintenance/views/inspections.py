"""Inspection pages: the engineer's upcoming and overdue inspections on the phone, the checklist with a form per
item, findings raised as tickets, photos behind a permission check, and the staff's list of plans."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts import roles
from aftersales.core.errors import DomainError
from aftersales.core.time import local_date
from aftersales.core.views import add_domain_error, flash_domain_error, flash_form_errors, submit_and_return
from aftersales.maintenance.choices import InspectionStatus, Outcome
from aftersales.maintenance.forms_inspections import ALL, CompleteForm, InspectionFilterForm, ResultForm
from aftersales.maintenance.models import Inspection, InspectionResult, MaintenancePlan
from aftersales.maintenance.recurrence import occurrences
from aftersales.maintenance.services import inspections as services
from aftersales.tickets.views.sla_board import staff_page

PAGE_SIZE = 50
OPEN = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


def _inspection(request, pk: int) -> Inspection:
    return get_object_or_404(Inspection.objects.visible_to(request.user), pk=pk)


def _filtered(user, data) -> tuple[InspectionFilterForm, object]:
    staff = user.has_perm(roles.VIEW_INTERNAL)
    if staff and user.has_perm(roles.WORK) and "engineer" not in data:
        data = {**data.dict(), "engineer": str(user.pk)}  # an engineer's own list first; "Every engineer" shows all
    form = InspectionFilterForm(data, staff=staff)
    rows = Inspection.objects.visible_to(user).select_related("plan__site__customer", "engineer")
    filters = form.cleaned_data if form.is_valid() else {}
    status = filters.get("status", "")
    if status == "":
        rows = rows.filter(status__in=OPEN)
    elif status != ALL:
        rows = rows.filter(status=status)
    if filters.get("engineer"):
        rows = rows.filter(engineer=filters["engineer"])
    if filters.get("customer"):
        rows = rows.filter(plan__contract__customer=filters["customer"])
    if filters.get("date_from"):
        rows = rows.filter(scheduled_for__gte=filters["date_from"])
    if filters.get("date_to"):
        rows = rows.filter(scheduled_for__lte=filters["date_to"])
    return form, rows.order_by("scheduled_for", "id")


@login_required
def inspection_list(request):
    form, rows = _filtered(request.user, request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "today": local_date(), "open": OPEN, "query": query.urlencode()}
    return render(request, "maintenance/inspection_list.html", context)


@login_required
def inspection_detail(request, pk: int, bound: dict | None = None):
    """The checklist with a form per item; `bound` carries a refused item's form back, so nothing typed is lost."""
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related(
            "plan__contract__customer", "plan__site", "plan__checklist", "engineer"
        ),
        pk=pk,
    )
    results = {
        result.item_id: result
        for result in InspectionResult.objects.filter(inspection=inspection).select_related("ticket", "recorded_by")
    }
    may_work = services.may_work(request.user, inspection)
    editable = may_work and inspection.status in OPEN
    rows = []
    for item in inspection.plan.checklist.items.all():
        result = results.get(item.pk)
        form = (bound or {}).get(item.pk)
        if form is not None and not editable:  # refused and no longer offered (finished, or not theirs): say why
            flash_form_errors(request, form)
        if form is None and editable:
            initial = {"outcome": result.outcome, "reading": result.reading, "text": result.text} if result else {}
            form = ResultForm(initial=initial, prefix=f"item-{item.pk}")
        can_raise = may_work and result is not None and result.outcome == Outcome.FAIL and result.ticket_id is None
        rows.append({"item": item, "result": result, "form": form if editable else None, "can_raise": can_raise})
    context = {
        "inspection": inspection,
        "rows": rows,
        "may_work": may_work,
        "editable": editable,
        "complete_form": CompleteForm() if may_work and inspection.status == InspectionStatus.IN_PROGRESS else None,
        "missing": sum(1 for row in rows if row["result"] is None),
    }
    return render(request, "maintenance/inspection_detail.html", context)


@login_required
@require_POST
def inspection_record_view(request, pk: int, item_id: int):
    inspection = _inspection(request, pk)
    item = get_object_or_404(inspection.plan.checklist.items, pk=item_id)
    form = ResultForm(request.POST, request.FILES, prefix=f"item-{item.pk}")
    if form.is_valid():
        try:
            services.inspection_record(actor=request.user, inspection=inspection, item=item, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The result is recorded."))
            return redirect(reverse("inspection_detail", args=[pk]) + f"#item-{item.pk}")
    return inspection_detail(request, pk, bound={item.pk: form})


@login_required
@require_POST
def inspection_start_view(request, pk: int):
    inspection = _inspection(request, pk)
    return submit_and_return(
        request,
        reverse("inspection_detail", args=[pk]),
        CompleteForm(request.POST),
        lambda data: services.inspection_start(actor=request.user, inspection=inspection),
        _("The inspection has started."),
    )


@login_required
@require_POST
def inspection_complete_view(request, pk: int):
    inspection = _inspection(request, pk)
    return submit_and_return(
        request,
        reverse("inspection_detail", args=[pk]),
        CompleteForm(request.POST),
        lambda data: services.inspection_complete(actor=request.user, inspection=inspection, **data),
        _("The inspection is complete."),
    )


@login_required
@require_POST
def inspection_raise_ticket(request, pk: int):
    """One click: the failed item becomes a ticket, and the user lands on it."""
    result = get_object_or_404(InspectionResult.objects.visible_to(request.user), pk=pk)
    try:
        ticket = services.inspection_item_raise_ticket(actor=request.user, result=result)
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect(reverse("inspection_detail", args=[result.inspection_id]) + f"#item-{result.item_id}")
    messages.success(request, _("Ticket %(number)s is raised from the inspection.") % {"number": ticket.number})
    return redirect(ticket)


@login_required
def inspection_photo(request, pk: int):
    """Photos are served only here, after the same visibility check as the inspection page."""
    result = get_object_or_404(InspectionResult.objects.visible_to(request.user), pk=pk)
    if not result.photo:
        raise Http404
    extension = result.photo.name.rsplit(".", 1)[-1].lower()
    content_type = services.PHOTO_CONTENT_TYPES.get(extension)
    if content_type is None:  # only what the service stored (it names files by what Pillow found)
        raise Http404
    return FileResponse(result.photo.open("rb"), content_type=content_type, filename=f"{result.pk}.{extension}")


@staff_page
def plan_list(request):
    """Every plan with its rule, its next generated inspection and the rule's next date."""
    today = local_date()
    plans = (
        MaintenancePlan.objects.visible_to(request.user)
        .select_related("contract__customer", "site", "engineer", "team", "checklist")
        .annotate(
            next_planned=Min(
                "inspections__scheduled_for",
                filter=Q(inspections__scheduled_for__gte=today, inspections__status__in=OPEN),
            ),
            overdue=Count("inspections", filter=Q(inspections__scheduled_for__lt=today, inspections__status__in=OPEN)),
        )
        .order_by("contract__customer__name", "title", "id")
    )
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    for plan in page:
        plan.next_due = next(iter(occurrences(plan, today, today + dt.timedelta(days=400))), None)
    return render(request, "maintenance/plan_list.html", {"page": page, "today": today})


urlpatterns = [
    path("inspections/", inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/start/", inspection_start_view, name="inspection_start"),
    path("inspections/<int:pk>/complete/", inspection_complete_view, name="inspection_complete"),
    path("inspections/<int:pk>/items/<int:item_id>/", inspection_record_view, name="inspection_record"),
    path("inspection-results/<int:pk>/ticket/", inspection_raise_ticket, name="inspection_raise_ticket"),
    path("inspection-results/<int:pk>/photo/", inspection_photo, name="inspection_photo"),
    path("maintenance-plans/", plan_list, name="plan_list"),
]
