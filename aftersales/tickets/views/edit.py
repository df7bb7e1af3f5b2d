from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError
from aftersales.core.views import add_domain_error
from aftersales.tickets.forms import TicketEditForm
from aftersales.tickets.services import ticket_update
from aftersales.tickets.views.detail import staff_ticket


@login_required
def ticket_edit_view(request, pk: int):
    """Staff correct what was logged; customers comment instead, so for them the page does not exist."""
    ticket = staff_ticket(request, pk)
    form = TicketEditForm.for_ticket(ticket, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        try:
            ticket_update(actor=request.user, ticket=ticket, version=form.cleaned_data["version"], **changes)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(ticket)
    return render(request, "tickets/edit.html", {"ticket": ticket, "form": form})
