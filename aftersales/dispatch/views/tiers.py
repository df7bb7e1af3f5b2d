"""Escalation and vendor cases on the ticket page: each form posts here, calls one service and comes back.

Staff only: a customer is answered 404, exactly as for a ticket they cannot see.
`ticket_tier_context` gives the ticket page what the two partials (escalation_forms, vendor_cases) read.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.selectors import on_duty
from aftersales.core.views import submit_and_return
from aftersales.dispatch.choices import VendorCaseStatus
from aftersales.dispatch.forms_tiers import EscalateForm, ManagerEscalationForm, VendorCaseForm, VendorCaseUpdateForm
from aftersales.dispatch.models import VendorCase, VendorCaseUpdate
from aftersales.dispatch.services.vendor_cases import (
    may_manage_vendor_cases,
    vendor_case_open,
    vendor_case_update,
    vendor_delays,
)
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.tiers import (
    higher_tiers,
    may_escalate,
    may_escalate_to_manager,
    ticket_escalate,
    ticket_escalate_to_manager,
)
from aftersales.tickets.views.detail import staff_ticket


@login_required
@require_POST
def ticket_escalate_view(request, pk: int):
    ticket = staff_ticket(request, pk)
    return submit_and_return(
        request,
        ticket,
        EscalateForm(request.POST),
        lambda data: ticket_escalate(actor=request.user, ticket=ticket, **data),
        _("The ticket is escalated."),
    )


@login_required
@require_POST
def ticket_escalate_manager_view(request, pk: int):
    ticket = staff_ticket(request, pk)
    return submit_and_return(
        request,
        ticket,
        ManagerEscalationForm(request.POST),
        lambda data: ticket_escalate_to_manager(actor=request.user, ticket=ticket, **data),
        _("The ticket is escalated and the manager is told."),
    )


@login_required
@require_POST
def vendor_case_open_view(request, pk: int):
    ticket = staff_ticket(request, pk)
    return submit_and_return(
        request,
        ticket,
        VendorCaseForm(request.POST),
        lambda data: vendor_case_open(actor=request.user, ticket=ticket, **data),
        _("The vendor case is recorded."),
    )


@login_required
@require_POST
def vendor_case_update_view(request, pk: int):
    # Vendor cases are staff-only records: for anyone else this is a 404.
    case = get_object_or_404(VendorCase.objects.visible_to(request.user).select_related("ticket"), pk=pk)
    return submit_and_return(
        request,
        case.ticket,
        VendorCaseUpdateForm.for_case(case, request.POST),
        lambda data: vendor_case_update(actor=request.user, case=case, **data),
        _("The vendor's progress is recorded."),
    )


urlpatterns = [
    path("tickets/<int:pk>/escalate/", ticket_escalate_view, name="ticket_escalate"),
    path("tickets/<int:pk>/escalate-manager/", ticket_escalate_manager_view, name="ticket_escalate_manager"),
    path("tickets/<int:pk>/vendor-cases/", vendor_case_open_view, name="vendor_case_open"),
    path("vendor-cases/<int:pk>/updates/", vendor_case_update_view, name="vendor_case_update"),
]


@dataclass
class VendorCaseRow:
    """One vendor case as the partial shows it: its progress, its delays and, while it may change, a form."""

    case: VendorCase
    delays: dict
    update_form: VendorCaseUpdateForm | None


def ticket_tier_context(*, ticket: Ticket, user, now: dt.datetime | None = None) -> dict:
    """What templates/dispatch/includes/escalation_forms.html and vendor_cases.html read, in constant queries.

    Customers get nothing: escalations and vendor cases are internal.
    """
    context = {
        "escalate_form": None,
        "manager_escalation_form": None,
        "duty_manager": None,
        "vendor_case_form": None,
        "vendor_cases": [],
    }
    if not user.is_staff_member:
        return context
    now = now or timezone.now()
    if may_escalate(user) and ticket.is_open and higher_tiers(ticket.tier):
        context["escalate_form"] = EscalateForm.for_ticket(ticket)
    if may_escalate_to_manager(user) and ticket.is_editable:
        context["manager_escalation_form"] = ManagerEscalationForm(initial={"version": ticket.version})
        context["duty_manager"] = on_duty(now, ticket.team_id).manager
    manage = may_manage_vendor_cases(user)
    if manage and ticket.is_open:
        context["vendor_case_form"] = VendorCaseForm()
    updates = VendorCaseUpdate.objects.select_related("author").order_by("at", "id")
    cases = (
        VendorCase.objects.visible_to(user)
        .filter(ticket=ticket)
        .select_related("vendor", "opened_by")
        .prefetch_related(Prefetch("updates", queryset=updates))
    )
    context["vendor_cases"] = [
        VendorCaseRow(
            case=case,
            delays=vendor_delays(case, now),
            update_form=VendorCaseUpdateForm.for_case(case)
            if manage and ticket.is_editable and case.status != VendorCaseStatus.CLOSED
            else None,
        )
        for case in cases
    ]
    return context
