"""Work-order pages: dispatching from a ticket, "my work orders" on the engineer's phone, the task sheet and
its actions, and the public one-time signing page. Each action posts, calls one service, redirects."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.core.errors import DomainError, InvalidTransition, NotFound
from aftersales.core.views import add_domain_error, flash_domain_error
from aftersales.dispatch import forms, selectors
from aftersales.dispatch.choices import WorkOrderStatus
from aftersales.dispatch.models import WorkOrder
from aftersales.dispatch.recommend import recommend_for_ticket
from aftersales.dispatch.services import links, signing
from aftersales.dispatch.services import work_orders as services
from aftersales.dispatch.views.remote import remote_context
from aftersales.tickets.models import Ticket


def _work_order(request, pk: int) -> WorkOrder:
    return get_object_or_404(WorkOrder.objects.visible_to(request.user), pk=pk)


@login_required
def work_order_list(request):
    page = selectors.work_order_page(
        user=request.user, status=request.GET.get("status", ""), number=request.GET.get("page")
    )
    context = {"page": page, "status": request.GET.get("status", ""), "statuses": WorkOrderStatus.choices}
    return render(request, "dispatch/work_order_list.html", context)


@login_required
def work_order_detail(request, pk: int, **forms_with_errors):
    work_order = selectors.work_order_detail(user=request.user, pk=pk)
    context = selectors.work_order_page_context(work_order=work_order, user=request.user)
    context.update(remote_context(work_order=work_order, user=request.user))
    context.update(forms_with_errors)
    return render(request, "dispatch/work_order_detail.html", context)


@login_required
def dispatch_view(request, pk: int):
    """The dispatcher's page for a ticket: engineers ranked with their reasons, and the dispatch form."""
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)
    if not services.may_dispatch(request.user):
        raise Http404
    form = forms.DispatchForm(
        request.POST or None, initial={"basis": _("Ticket %(number)s") % {"number": ticket.number}}
    )
    ranked = recommend_for_ticket(ticket=ticket, now=timezone.now())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        engineer = data["engineer"] or selectors.best_engineer(ranked)
        try:
            work_order = services.work_order_dispatch(
                actor=request.user,
                ticket=ticket,
                engineer=engineer,
                kind=data["kind"],
                basis=data["basis"],
                task_description=data["task_description"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Work order %(number)s is sent to %(engineer)s.")
                % {"number": work_order.number, "engineer": work_order.engineer},
            )
            return redirect(work_order)
    return render(request, "dispatch/dispatch.html", {"ticket": ticket, "form": form, "ranked": ranked[:20]})


@login_required
@require_POST
def act_view(request, pk: int):
    work_order = _work_order(request, pk)
    form = forms.ActionForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidTransition()
        data = form.cleaned_data
        services.work_order_act(
            actor=request.user, work_order=work_order, action=data["action"], version=data["version"], note=data["note"]
        )
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("The work order is updated."))
    return redirect(work_order)


@dataclass(frozen=True)
class SheetAction:
    """A form on the sheet and the service it feeds: every service takes the actor, the order and the form's data."""

    form: type
    service: object
    success: str
    form_name: str  # the sheet page shows the form again under this name when the service refuses


SHEET_ACTIONS = {
    "check_in": SheetAction(
        forms.PositionForm, services.work_order_check_in, gettext_lazy("Checked in on site."), "position_form"
    ),
    "complete": SheetAction(
        forms.CompleteForm,
        services.work_order_complete,
        gettext_lazy("The work is recorded as done. Now collect the signatures."),
        "complete_form",
    ),
    "log": SheetAction(forms.WorkLogForm, services.work_log_add, gettext_lazy("The work is logged."), "log_form"),
    "part": SheetAction(forms.PartForm, services.part_add, gettext_lazy("The part is recorded."), "part_form"),
    "sheet": SheetAction(
        forms.SheetForm, services.work_order_update, gettext_lazy("The task sheet is saved."), "sheet_form"
    ),
    "sign": SheetAction(
        forms.SignatureForm, signing.work_order_sign, gettext_lazy("The signature is on the sheet."), "signature_form"
    ),
    "signing_link": SheetAction(
        forms.SigningLinkForm, signing.signing_link_send, gettext_lazy("The signing link is on its way."), "link_form"
    ),
}


@login_required
@require_POST
def sheet_action_view(request, pk: int, action: str):
    """Parse one of the sheet's forms, call its service, go back to the sheet; a refusal shows the sheet with
    the form and its errors, so nothing typed is lost."""
    sheet_action = SHEET_ACTIONS[action]
    work_order = _work_order(request, pk)
    form = sheet_action.form(request.POST)
    if form.is_valid():
        try:
            sheet_action.service(actor=request.user, work_order=work_order, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, sheet_action.success)
            return redirect(work_order)
    return work_order_detail(request, pk, **{sheet_action.form_name: form})


@login_required
def pdf_view(request, pk: int):
    work_order = _work_order(request, pk)
    if not work_order.pdf:
        raise Http404
    return FileResponse(
        work_order.pdf.open("rb"),
        as_attachment=True,
        filename=f"{work_order.number}.pdf",
        content_type="application/pdf",
    )


def sign_by_link_view(request, token: str):
    """The customer's page behind a one-time link: no login, the link itself is the permission."""
    try:
        link = links.link_find(token, purpose=signing.SIGN_PURPOSE)
    except NotFound:
        return render(request, "dispatch/link_unusable.html", {"reason": "unknown"}, status=404)
    except InvalidTransition as error:
        return render(request, "dispatch/link_unusable.html", {"reason": str(error.message)}, status=410)
    form = forms.LinkSignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signing.work_order_sign_by_link(
                token=token, ip_address=request.META.get("REMOTE_ADDR"), **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return render(request, "dispatch/link_done.html", {"work_order": link.work_order})
    context = selectors.signing_page_context(link.work_order)
    return render(request, "dispatch/sign_by_link.html", {**context, "form": form})


urlpatterns = [
    path("work-orders/", work_order_list, name="work_order_list"),
    path("work-orders/<int:pk>/", work_order_detail, name="work_order_detail"),
    path("work-orders/<int:pk>/act/", act_view, name="work_order_act"),
    path("work-orders/<int:pk>/check-in/", sheet_action_view, {"action": "check_in"}, name="work_order_check_in"),
    path("work-orders/<int:pk>/complete/", sheet_action_view, {"action": "complete"}, name="work_order_complete"),
    path("work-orders/<int:pk>/log/", sheet_action_view, {"action": "log"}, name="work_order_log"),
    path("work-orders/<int:pk>/parts/", sheet_action_view, {"action": "part"}, name="work_order_part"),
    path("work-orders/<int:pk>/sheet/", sheet_action_view, {"action": "sheet"}, name="work_order_sheet"),
    path("work-orders/<int:pk>/sign/", sheet_action_view, {"action": "sign"}, name="work_order_sign"),
    path(
        "work-orders/<int:pk>/signing-link/",
        sheet_action_view,
        {"action": "signing_link"},
        name="work_order_signing_link",
    ),
    path("work-orders/<int:pk>/pdf/", pdf_view, name="work_order_pdf"),
    path("tickets/<int:pk>/dispatch/", dispatch_view, name="work_order_dispatch"),
    path("sign/<str:token>/", sign_by_link_view, name="sign_by_link"),
]
