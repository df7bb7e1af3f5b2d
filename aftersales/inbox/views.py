"""Staff pages of the inbox: the log of received mail, the mail to sort, one message and its raw file."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from aftersales.accounts import roles
from aftersales.core.errors import DomainError
from aftersales.core.views import add_domain_error, flash_domain_error
from aftersales.inbox.forms import AttachForm, InboxFilter, SortTicketForm
from aftersales.inbox.models import InboundMessage
from aftersales.inbox.selectors import inbound_detail, inbound_log, inbound_waiting, mailboxes_status
from aftersales.inbox.services import (
    inbound_attach,
    inbound_dismiss,
    inbound_mark_reviewed,
    inbound_ticket_create,
    may_sort,
)
from aftersales.tickets.models import Ticket
from aftersales.tickets.views.queue import page_without_count

PAGE_SIZE = 50


def staff_only(view):
    """Mail is for staff who read internal notes; to anyone else these pages do not exist."""

    @login_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not (request.user.is_staff_member and request.user.has_perm(roles.VIEW_INTERNAL)):
            raise Http404
        return view(request, *args, **kwargs)

    return checked


def sorter_only(view):
    """Sorting opens tickets for customers: staff who may log requests; others who may read are refused."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not may_sort(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return staff_only(checked)


def _message(request, pk: int) -> InboundMessage:
    message = inbound_detail(user=request.user, pk=pk)
    if message is None:
        raise Http404
    return message


@staff_only
@require_safe
def inbox_log(request):
    query = InboxFilter(request.GET)
    filters = query.cleaned_data if query.is_valid() else {}
    page = page_without_count(inbound_log(user=request.user, filters=filters), request.GET.get("page"), PAGE_SIZE)
    return render(request, "inbox/log.html", {"query": query, "page": page, "mailboxes": mailboxes_status()})


@staff_only
@require_safe
def inbox_sort(request):
    page = page_without_count(inbound_waiting(user=request.user), request.GET.get("page"), PAGE_SIZE)
    return render(request, "inbox/sort.html", {"page": page})


@staff_only
@require_safe
def inbox_message(request, pk: int):
    return _detail(request, _message(request, pk))


def _detail(request, message: InboundMessage, ticket_form=None, attach_form=None, status=200):
    sortable = message.is_waiting and may_sort(request.user)
    if sortable and ticket_form is None:
        ticket_form = SortTicketForm(
            initial={
                "customer": message.customer_id,
                "contact_name": message.sender_name or message.sender_address,
                "title": message.subject[:200],
            }
        )
    context = {
        "message": message,
        "ticket_form": ticket_form if sortable else None,
        "attach_form": (attach_form or AttachForm()) if sortable else None,
        "may_review": message.needs_review and (request.user.has_perm(roles.LOG) or request.user.has_perm(roles.WORK)),
    }
    return render(request, "inbox/message.html", context, status=status)


@staff_only
@require_safe
def inbox_message_raw(request, pk: int):
    """The message exactly as received, as a download (never shown inline: it is the sender's content)."""
    message = _message(request, pk)
    response = FileResponse(message.raw.open("rb"), as_attachment=True, filename=f"message-{message.pk}.eml")
    response["Content-Type"] = "message/rfc822"
    return response


@sorter_only
@require_POST
def inbox_ticket_create(request, pk: int):
    message = _message(request, pk)
    form = SortTicketForm(request.POST)
    if form.is_valid():
        try:
            ticket = inbound_ticket_create(actor=request.user, inbound=message, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Ticket %(number)s was opened from the mail.") % {"number": ticket.number})
            return redirect(ticket)
    return _detail(request, message, ticket_form=form, status=400)


@sorter_only
@require_POST
def inbox_attach(request, pk: int):
    message = _message(request, pk)
    form = AttachForm(request.POST)
    if form.is_valid():
        ticket = Ticket.objects.visible_to(request.user).filter(number=form.cleaned_data["ticket_number"]).first()
        if ticket is None:
            form.add_error("ticket_number", _("There is no ticket with this number."))
        else:
            try:
                inbound_attach(actor=request.user, inbound=message, ticket=ticket, public=form.cleaned_data["public"])
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The mail was added to ticket %(number)s.") % {"number": ticket.number})
                return redirect(ticket)
    return _detail(request, message, attach_form=form, status=400)


@sorter_only
@require_POST
def inbox_dismiss(request, pk: int):
    message = _message(request, pk)
    try:
        inbound_dismiss(actor=request.user, inbound=message)
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect(message)
    messages.success(request, _("The mail was dismissed; it stays in the log."))
    return redirect("inbox_sort")


@staff_only
@require_POST
def inbox_reviewed(request, pk: int):
    message = _message(request, pk)
    try:
        inbound_mark_reviewed(actor=request.user, inbound=message)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("The mail is marked as reviewed."))
    return redirect(message)
