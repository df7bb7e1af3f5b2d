"""SLA actions on the ticket page: record the arrival on site, log a call, acknowledge an escalation.

Arrival and call keep what was typed when they are refused: the page is shown again with the form and its
errors. Acknowledging is one button, so it reports like the other actions, with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import DomainError, NotFound, PermissionDenied
from aftersales.core.views import add_domain_error, flash_domain_error
from aftersales.tickets.forms import ArrivalForm, CallForm, EscalationAcknowledgeForm
from aftersales.tickets.services import (
    call_log,
    escalation_acknowledge,
    may_log_call,
    may_record_arrival,
    ticket_record_arrival,
)
from aftersales.tickets.views.detail import act, ticket_page, visible_ticket


def _form_action(request, pk: int, *, form_class, form_name: str, allowed, service, success: str):
    ticket = visible_ticket(request, pk)
    if not allowed(request.user):
        flash_domain_error(request, PermissionDenied())
        return redirect(ticket)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(ticket, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, success)
            return redirect(ticket)
    return ticket_page(request, pk, **{form_name: form})


@login_required
@require_POST
def ticket_record_arrival_view(request, pk: int):
    return _form_action(
        request,
        pk,
        form_class=ArrivalForm,
        form_name="arrival_form",
        allowed=may_record_arrival,
        service=lambda ticket, data: ticket_record_arrival(actor=request.user, ticket=ticket, **data),
        success=_("The arrival on site is recorded."),
    )


@login_required
@require_POST
def call_log_view(request, pk: int):
    return _form_action(
        request,
        pk,
        form_class=CallForm,
        form_name="call_form",
        allowed=may_log_call,
        service=lambda ticket, data: call_log(actor=request.user, ticket=ticket, note=data["note"]),
        success=_("The call is logged."),
    )


@login_required
@require_POST
def escalation_acknowledge_view(request, pk: int):
    def acknowledge(ticket, data):
        # Staff may only acknowledge this ticket's escalations here; customers are refused by the service
        # before anything is looked up, so they learn nothing about escalations either way.
        if request.user.is_staff_member and not ticket.escalations.filter(pk=data["escalation"]).exists():
            raise NotFound()
        escalation_acknowledge(actor=request.user, escalation_id=data["escalation"])

    return act(
        request,
        pk,
        EscalationAcknowledgeForm,
        acknowledge,
        success=_("Acknowledged: the rest of this clock's reminders are recorded but not sent."),
    )
