"""The ticket page and the actions taken from it. Each action posts, calls one service, redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts import roles
from aftersales.core.errors import DomainError
from aftersales.core.views import flash_domain_error
from aftersales.tickets.forms import AssignForm, AttachmentForm, CommentForm, TransitionForm
from aftersales.tickets.models import Attachment, Ticket
from aftersales.tickets.selectors import ticket_detail
from aftersales.tickets.services import attachment_add, comment_add, ticket_assign, ticket_transition
from aftersales.tickets.transitions import available_transitions


def _visible_ticket(request, pk: int) -> Ticket:
    return get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)


@login_required
def ticket_detail_view(request, pk: int):
    try:
        ticket = ticket_detail(user=request.user, ticket_id=pk)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing
    user = request.user
    context = {
        "ticket": ticket,
        "timeline": ticket.events.all(),
        "transitions": available_transitions(user=user, ticket=ticket),
        "transition_form": TransitionForm(initial={"version": ticket.version}),
        "assign_form": AssignForm(
            initial={
                "version": ticket.version,
                "tier": ticket.tier,
                "team": ticket.team_id,
                "assignee": ticket.assignee_id,
            }
        )
        if user.has_perm(roles.DISPATCH) and ticket.is_open
        else None,
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "tickets/detail.html", context)


def _act(request, pk: int, form_class, service) -> object:
    """Run one ticket action from a posted form and come back to the ticket with a message."""
    ticket = _visible_ticket(request, pk)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(ticket)
    try:
        service(ticket, form.cleaned_data)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect(ticket)


@login_required
@require_POST
def ticket_transition_view(request, pk: int):
    return _act(
        request, pk, TransitionForm, lambda ticket, data: ticket_transition(actor=request.user, ticket=ticket, **data)
    )


@login_required
@require_POST
def ticket_assign_view(request, pk: int):
    return _act(request, pk, AssignForm, lambda ticket, data: ticket_assign(actor=request.user, ticket=ticket, **data))


@login_required
@require_POST
def comment_add_view(request, pk: int):
    return _act(request, pk, CommentForm, lambda ticket, data: comment_add(actor=request.user, ticket=ticket, **data))


@login_required
@require_POST
def attachment_add_view(request, pk: int):
    return _act(
        request,
        pk,
        AttachmentForm,
        lambda ticket, data: attachment_add(
            actor=request.user, ticket=ticket, upload=data["file"], is_public=data["is_public"]
        ),
    )


@login_required
def attachment_download(request, pk: int):
    """Attachments are served only here, after the same visibility check as the ticket page."""
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
