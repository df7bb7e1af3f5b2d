"""Lent remote access and change approvals: the actions on the work order page and the public approval link.

A revealed password comes back as a small htmx fragment that is never cached and that static/js/reveal.js
clears after REVEAL_SECONDS. The approval link needs no login: it shows only the change it was sent for.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from aftersales.core.views import add_domain_error, flash_domain_error, submit_and_return
from aftersales.dispatch.choices import ApprovalStatus
from aftersales.dispatch.forms_remote import (
    ChangeApprovalDecideForm,
    ChangeApprovalRequestForm,
    CredentialLendForm,
    CredentialRevealForm,
)
from aftersales.dispatch.models import ChangeApproval, RemoteCredential, WorkOrder
from aftersales.dispatch.services.links import link_find
from aftersales.dispatch.services.remote import (
    APPROVE,
    change_approval_decide,
    change_approval_decide_by_link,
    change_approval_request,
    credential_lend,
    credential_mark_rotated,
    credential_reveal,
    credentials_to_rotate,
    may_lend_credential,
    may_mark_rotated,
    may_request_change_approval,
    may_reveal_credential,
)
from aftersales.dispatch.transitions import ACTIVE_STATUSES

REVEAL_SECONDS = 30
REVEAL_TEMPLATE = "dispatch/includes/remote_access.html#credential_reveal"


@dataclass
class CredentialRow:
    credential: RemoteCredential
    may_reveal: bool
    may_mark_rotated: bool
    expired: bool


def remote_context(*, work_order: WorkOrder, user) -> dict:
    """What the remote-access and change-approval partials of the work order page need."""
    now = timezone.now()
    context = {
        "remote": True,  # the work order page includes the two partials when this is set
        "credential_rows": [],
        "credential_lend_form": None,
        "credentials_to_rotate": [],
        "reveal_seconds": REVEAL_SECONDS,
        "change_approvals": list(
            ChangeApproval.objects.visible_to(user).filter(work_order=work_order).select_related("requested_by")
        ),
        "change_approval_form": ChangeApprovalRequestForm() if may_request_change_approval(user, work_order) else None,
        "may_decide_change": user.is_customer_user and user.customer_id == work_order.customer_id,
    }
    if user.is_customer_user:
        context["credentials_to_rotate"] = credentials_to_rotate(user, ticket_id=work_order.ticket_id)
        return context
    credentials = (
        RemoteCredential.objects.visible_to(user)
        .filter(Q(work_order=work_order) | Q(work_order__isnull=True), ticket_id=work_order.ticket_id)
        .select_related("work_order", "ticket")
        .annotate(reveal_count=Count("reveals"))
    )
    context["credential_rows"] = [
        CredentialRow(c, may_reveal_credential(user, c, now=now), may_mark_rotated(user, c), now >= c.valid_until)
        for c in credentials
    ]
    if may_lend_credential(user) and work_order.status in ACTIVE_STATUSES:
        context["credential_lend_form"] = CredentialLendForm()
    return context


def _visible_work_order(request, pk: int) -> WorkOrder:
    return get_object_or_404(WorkOrder.objects.visible_to(request.user).select_related("ticket"), pk=pk)


@login_required
@require_POST
def credential_lend_view(request, pk: int):
    work_order = _visible_work_order(request, pk)
    return submit_and_return(
        request,
        work_order,
        CredentialLendForm(request.POST),
        lambda data: credential_lend(actor=request.user, ticket=work_order.ticket, work_order=work_order, **data),
        _("The remote access is recorded; its password is stored encrypted."),
    )


@login_required
@require_POST
def credential_reveal_view(request, pk: int):
    credential = get_object_or_404(RemoteCredential.objects.visible_to(request.user), pk=pk)
    form = CredentialRevealForm(request.POST)
    context, status = {"credential": credential, "reveal_form": form, "reveal_seconds": REVEAL_SECONDS}, 400
    if form.is_valid():
        try:
            context["password"] = credential_reveal(
                actor=request.user,
                credential=credential,
                reason=form.cleaned_data["reason"],
                ip_address=request.META.get("REMOTE_ADDR") or None,
            )
            status = 200
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status
    response = render(request, REVEAL_TEMPLATE, context, status=status)
    add_never_cache_headers(response)  # Cache-Control: no-store, so no cache or back button keeps the password
    return response


@login_required
@require_POST
def credential_rotated_view(request, pk: int):
    user = request.user
    credentials = RemoteCredential.objects.lent_by(user).select_related("work_order", "ticket")
    credential = get_object_or_404(credentials, pk=pk)
    try:
        credential_mark_rotated(actor=user, credential=credential)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("Recorded: the lent password has been changed."))
    return redirect(credential.work_order or credential.ticket)


@login_required
@require_POST
def change_approval_request_view(request, pk: int):
    work_order = _visible_work_order(request, pk)
    return submit_and_return(
        request,
        work_order,
        ChangeApprovalRequestForm(request.POST),
        lambda data: change_approval_request(actor=request.user, work_order=work_order, **data),
        _("The change is sent to the customer for approval."),
    )


@login_required
@require_POST
def change_approval_decide_view(request, pk: int):
    approval = get_object_or_404(ChangeApproval.objects.visible_to(request.user).select_related("work_order"), pk=pk)
    form = ChangeApprovalDecideForm(request.POST)
    return submit_and_return(
        request,
        approval.work_order,
        form,
        lambda data: change_approval_decide(
            approval=approval,
            approve=form.approve,
            decided_by_name=data["decided_by_name"],
            note=data["note"],
            user=request.user,
        ),
        _("Your decision is recorded and the engineer is told."),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def change_approval_link_view(request, token: str):
    """The public page of a one-time approval link: the change, the work order, and approve or reject."""
    try:
        approval = _link_approval(token)
    except DomainError as error:
        return _link_page(request, {"problem": error.message}, status=404 if isinstance(error, NotFound) else 410)
    form = ChangeApprovalDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            approval = change_approval_decide_by_link(
                token=token,
                approve=form.approve,
                decided_by_name=form.cleaned_data["decided_by_name"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as error:
            add_domain_error(form, error)
        except DomainError as error:
            return _link_page(request, {"problem": error.message}, status=404 if isinstance(error, NotFound) else 410)
        else:
            return _link_page(request, {"decided": approval, "work_order": approval.work_order})
    return _link_page(request, {"approval": approval, "work_order": approval.work_order, "form": form})


def _link_approval(token: str) -> ChangeApproval:
    link = link_find(token, purpose=APPROVE)
    if link.approval is None:
        raise NotFound(_("This link is not valid."))
    if link.approval.status != ApprovalStatus.PENDING:
        raise InvalidTransition(_("This change has already been decided."))
    return link.approval


def _link_page(request, context: dict, status: int = 200):
    response = render(request, "dispatch/approve_change.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address: never pass it on
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("work-orders/<int:pk>/credentials/", credential_lend_view, name="credential_lend"),
    path("credentials/<int:pk>/reveal/", credential_reveal_view, name="credential_reveal"),
    path("credentials/<int:pk>/rotated/", credential_rotated_view, name="credential_rotated"),
    path("work-orders/<int:pk>/approvals/", change_approval_request_view, name="change_approval_request"),
    path("approvals/<int:pk>/decide/", change_approval_decide_view, name="change_approval_decide"),
    path("approve/<str:token>/", change_approval_link_view, name="change_approval_link"),
]
