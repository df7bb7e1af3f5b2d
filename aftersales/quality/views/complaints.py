"""Complaint pages: the list, registering one (staff, or a customer in the portal), and its evidence trail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.forms import as_id
from aftersales.core.views import add_domain_error, flash_domain_error, flash_form_errors
from aftersales.quality.forms import ComplaintCloseForm, ComplaintForm, ComplaintLinkForm, tickets_by_number
from aftersales.quality.models import Complaint
from aftersales.quality.selectors import complaint_evidence, complaint_list
from aftersales.quality.services.common import may_handle_complaint, may_register_complaint
from aftersales.quality.services.complaints import complaint_close, complaint_link, complaint_register
from aftersales.tickets.models import Ticket
from aftersales.tickets.views.queue import page_without_count


def _visible(request, pk: int) -> Complaint:
    complaints = Complaint.objects.visible_to(request.user).select_related("ticket__customer", "ticket__assignee")
    return get_object_or_404(complaints, pk=pk)


@login_required
def complaint_list_view(request):
    if not (request.user.is_customer_user or request.user.is_staff_member):
        raise Http404
    open_only = request.GET.get("open") == "1"
    complaints = complaint_list(user=request.user, open_only=open_only)
    context = {"page": page_without_count(complaints, request.GET.get("page")), "open_only": open_only}
    return render(request, "quality/complaint_list.html", context)


@login_required
def complaint_new(request):
    user = request.user
    if not may_register_complaint(user):
        raise Http404
    concerned = _ticket_from_query(request)
    initial = {"tickets": concerned.number} if concerned else {}
    if concerned and user.is_customer_user:
        initial.update(contact_name=concerned.contact_name, contact_phone=concerned.contact_phone)
    form = ComplaintForm(request.POST or None, initial=initial, customer_user=user.is_customer_user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = user.customer if user.is_customer_user else data["customer"]
        tickets, unknown = tickets_by_number(data["tickets"], visible=Ticket.objects.visible_to(user))
        try:
            if unknown:
                raise ValidationFailed(
                    detail={"tickets": [_("No such ticket: %(numbers)s") % {"numbers": " ".join(unknown)}]}
                )
            complaint = complaint_register(
                actor=user,
                customer=customer,
                title=data["title"],
                description=data["description"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                channel=data.get("channel") or "portal",
                related_tickets=tickets,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The complaint is registered and management has been told."))
            return redirect("quality_complaint_detail", complaint.pk)
    return render(request, "quality/complaint_new.html", {"form": form, "concerned": concerned})


def _ticket_from_query(request) -> Ticket | None:
    ticket_id = as_id(request.GET.get("ticket"))
    if ticket_id is None:
        return None
    return Ticket.objects.visible_to(request.user).filter(pk=ticket_id).first()


@login_required
def complaint_detail(request, pk: int):
    complaint = _visible(request, pk)
    ticket = complaint.ticket
    context = {
        "complaint": complaint,
        "ticket": ticket,
        "related": list(complaint.related_tickets.visible_to(request.user).order_by("received_at")),
        "evidence": complaint_evidence(user=request.user, complaint=complaint),
    }
    if may_handle_complaint(request.user):
        context["people"] = list(complaint.people_concerned.order_by("username"))
        context["escalated_to"] = list(complaint.escalated_to.order_by("username"))
        context["link_form"] = ComplaintLinkForm()
        if ticket.status in ("resolved", "confirmed"):
            context["close_form"] = ComplaintCloseForm(
                initial={
                    "version": ticket.version,
                    "root_cause": ticket.root_cause,
                    "corrective_action": ticket.corrective_action,
                }
            )
    return render(request, "quality/complaint_detail.html", context)


@login_required
@require_POST
def complaint_link_view(request, pk: int):
    complaint = _visible(request, pk)
    if not may_handle_complaint(request.user):
        raise Http404
    form = ComplaintLinkForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("quality_complaint_detail", pk)
    tickets, unknown = tickets_by_number(form.cleaned_data["tickets"], visible=Ticket.objects.visible_to(request.user))
    try:
        if unknown:
            raise ValidationFailed(
                detail={"tickets": [_("No such ticket: %(numbers)s") % {"numbers": " ".join(unknown)}]}
            )
        complaint_link(actor=request.user, complaint=complaint, tickets=tickets, people=form.cleaned_data["people"])
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("Linked."))
    return redirect("quality_complaint_detail", pk)


@login_required
@require_POST
def complaint_close_view(request, pk: int):
    complaint = _visible(request, pk)
    if not may_handle_complaint(request.user):
        raise Http404
    form = ComplaintCloseForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("quality_complaint_detail", pk)
    try:
        complaint_close(actor=request.user, complaint=complaint, **form.cleaned_data)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("The complaint is closed."))
    return redirect("quality_complaint_detail", pk)


urlpatterns = [
    path("quality/complaints/", complaint_list_view, name="quality_complaints"),
    path("quality/complaints/new/", complaint_new, name="quality_complaint_new"),
    path("quality/complaints/<int:pk>/", complaint_detail, name="quality_complaint_detail"),
    path("quality/complaints/<int:pk>/link/", complaint_link_view, name="quality_complaint_link"),
    path("quality/complaints/<int:pk>/close/", complaint_close_view, name="quality_complaint_close"),
]
