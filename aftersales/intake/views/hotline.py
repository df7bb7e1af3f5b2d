"""The hotline: the agent's screen where incoming calls pop up, a call's page, and what the agent does with it."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from aftersales.core.errors import DomainError, NotFound
from aftersales.core.views import add_domain_error, flash_domain_error
from aftersales.intake.forms import CallLogForm
from aftersales.intake.hotline import (
    RINGING_SHOWN,
    call_dismiss,
    call_log_on_ticket,
    call_ticket_create,
    caller_card,
    calls_ringing,
    ringing_context,
)
from aftersales.intake.models import IncomingCall
from aftersales.intake.views.common import agent_only, ids_from
from aftersales.tickets.choices import Channel
from aftersales.tickets.forms import IntakeForm
from aftersales.tickets.models import Ticket

RECENT_CALLS = 50


@agent_only
@require_safe
def hotline(request):
    """The page an agent keeps open: calls pop up at the top; below, the recent calls."""
    calls = IncomingCall.objects.visible_to(request.user).select_related("agent", "ticket", "handled_by")
    everyone = request.GET.get("all") == "1"
    if not everyone:
        calls = calls.filter(agent=request.user)
    context = {
        **ringing_context(request.user),
        "calls": calls[:RECENT_CALLS],
        "everyone": everyone,
        "hotline_page": True,  # the page shows the calls itself: no floating pop-up over it
    }
    return render(request, "intake/hotline.html", context)


@agent_only
@require_safe
def hotline_ringing(request):
    """Polled every few seconds: nothing (204) while the same calls are ringing, else the panel anew."""
    shown = ids_from(request.GET.get("shown", ""))
    ringing = sorted(calls_ringing(user=request.user).values_list("pk", flat=True)[:RINGING_SHOWN])
    if ringing == shown:
        return HttpResponse(status=204)
    floating = request.GET.get("floating") == "1"
    return render(request, "intake/includes/ringing.html", ringing_context(request.user, floating=floating))


def _visible_call(request, pk: int) -> IncomingCall:
    return get_object_or_404(
        IncomingCall.objects.visible_to(request.user).select_related("system", "agent", "ticket", "handled_by"), pk=pk
    )


@agent_only
@require_safe
def call_detail(request, pk: int):
    return _call_page(request, _visible_call(request, pk))


def _call_page(request, call: IncomingCall, log_form=None):
    card = caller_card(user=request.user, call=call)
    log_form = log_form or CallLogForm(initial={"ticket": request.GET.get("ticket", "")[:20]})
    context = {"card": card, "call": call, "log_form": log_form, "log_links": not call.is_handled, "hotline_page": True}
    return render(request, "intake/call_detail.html", context)


@agent_only
@require_POST
def call_log_view(request, pk: int):
    call = _visible_call(request, pk)
    form = CallLogForm(request.POST)
    if not form.is_valid():
        return _call_page(request, call, log_form=form)
    ticket = Ticket.objects.visible_to(request.user).filter(number=form.cleaned_data["ticket"].upper()).first()
    try:
        if ticket is None:
            raise NotFound(detail={"ticket": [_("No ticket has this number.")]})
        call_log_on_ticket(actor=request.user, call=call, ticket=ticket, note=form.cleaned_data["note"])
    except DomainError as error:
        add_domain_error(form, error)
        return _call_page(request, call, log_form=form)
    messages.success(request, _("The call was logged on ticket %(number)s.") % {"number": ticket.number})
    return redirect(ticket)


@agent_only
def call_ticket_view(request, pk: int):
    """The ordinary intake form, filled in with what the call tells us; registering it links the call."""
    call = _visible_call(request, pk)
    if call.is_handled:
        messages.error(request, _("This call was already handled."))
        return redirect("call_detail", pk=call.pk)
    form = IntakeForm(request.POST or None, user=request.user, initial=_initial(request.user, call))
    if request.method == "POST" and form.is_valid():
        try:
            ticket = call_ticket_create(actor=request.user, call=call, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Ticket %(number)s was registered.") % {"number": ticket.number})
            return redirect(ticket)
    # The agent is handling a call here: no pop-up over the form's buttons.
    return render(request, "tickets/create.html", {"form": form, "call": call, "hotline_page": True})


def _initial(user, call: IncomingCall) -> dict:
    card = caller_card(user=user, call=call)
    initial = {
        "channel": Channel.PHONE,
        "contact_phone": call.caller_e164 or "",
        "received_at": timezone.localtime(call.rang_at).replace(second=0, microsecond=0),
    }
    if match := card.suggested:
        initial["customer"] = match.customer.pk
        if contact := card.suggested_contact:
            initial.update(contact_name=contact.name, site=contact.site_id)
        elif match.past_contact_names:
            initial["contact_name"] = match.past_contact_names[0]
    return initial


@agent_only
@require_POST
def call_dismiss_view(request, pk: int):
    call = _visible_call(request, pk)
    try:
        call_dismiss(actor=request.user, call=call)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("The call was closed without a ticket."))
    return redirect("hotline")
