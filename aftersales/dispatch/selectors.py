"""Reads for the work-order pages: lists, the sheet with what it shows, the customer's signing page."""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from aftersales.accounts import roles
from aftersales.accounts.models import User
from aftersales.dispatch import forms, transitions
from aftersales.dispatch.charges import work_order_charges
from aftersales.dispatch.choices import SignerRole, WorkOrderStatus
from aftersales.dispatch.models import WorkOrder, WorkOrderEvent
from aftersales.dispatch.recommend import best_of
from aftersales.dispatch.services.signing import may_collect_signature, may_sign_on_pad
from aftersales.dispatch.transitions import may_edit
from aftersales.tickets.choices import OPEN_STATUSES
from aftersales.tickets.views.queue import page_without_count

ACTION_LABELS = {
    "accept": _("Accept (领单)"),
    "decline": _("Decline"),
    "set_off": _("Set off"),
    "start_remote": _("Start remote work"),
    "resume": _("Back to work"),
    "cancel": _("Cancel the order"),
    "archive": _("Archive"),
}
ACTION_STYLES = {"decline": "outline-danger", "cancel": "outline-danger", "resume": "outline-secondary"}
# Actions that need a reason open a small form instead of being one button.
REASON_ACTIONS = frozenset(row.action for row in transitions.TRANSITIONS if row.note_required)


def work_order_list(*, user, status: str = ""):
    """Engineers see their own orders; dispatchers and supervisors everyone's; customers their organisation's.

    The default ("") is what still needs doing: open orders and sheets waiting for signatures, plus, for those
    who dispatch, declined orders of open tickets that nobody else has been sent to yet."""
    orders = WorkOrder.objects.visible_to(user).select_related("ticket", "customer", "engineer")
    if user.has_perm(roles.WORK) and not user.has_perm(roles.DISPATCH):
        orders = orders.filter(engineer=user)
    if status == "all":
        pass
    elif status in WorkOrderStatus.values:
        orders = orders.filter(status=status)
    else:
        todo = Q(status__in=transitions.EDITABLE_STATUSES)
        if user.has_perm(roles.DISPATCH):
            todo |= Q(status=WorkOrderStatus.DECLINED, ticket__status__in=OPEN_STATUSES) & ~Exists(
                WorkOrder.objects.filter(ticket=OuterRef("ticket"), dispatched_at__gt=OuterRef("dispatched_at"))
            )  # declined and not yet sent to someone else
        orders = orders.filter(todo)
    return orders.order_by("-dispatched_at", "-id")


def work_order_page(*, user, status: str, number: str | None) -> dict:
    return page_without_count(work_order_list(user=user, status=status), number)


def work_order_detail(*, user, pk: int) -> WorkOrder:
    orders = WorkOrder.objects.visible_to(user).select_related(
        "ticket", "ticket__contract", "customer", "site", "dispatcher", "engineer", "archived_by"
    )
    return get_object_or_404(orders.prefetch_related("log__author", "parts", "signatures"), pk=pk)


def best_engineer(ranked) -> User | None:
    """The user behind the best of a ranked list, when the dispatcher lets Aftersales pick."""
    best = best_of(ranked)
    return User.objects.filter(pk=best.engineer_id).first() if best else None


def signature_images(work_order: WorkOrder) -> dict[str, dict]:
    """Signatures by role, each with its image as a data: URL for the page."""
    return {
        signature.role: {
            "signature": signature,
            "src": signature.data_uri,
        }
        for signature in work_order.signatures.all()
    }


def work_order_page_context(*, work_order: WorkOrder, user) -> dict:
    actions = transitions.allowed_actions(user=user, work_order=work_order)
    signatures = signature_images(work_order)
    is_engineer = work_order.engineer_id == user.pk
    editable = work_order.status in transitions.EDITABLE_STATUSES
    waiting_for_signatures = work_order.status == WorkOrderStatus.WORK_DONE
    context = {
        "work_order": work_order,
        "buttons": [
            {
                "action": action,
                "label": ACTION_LABELS[action],
                "style": ACTION_STYLES.get(action, "primary"),
                "needs_reason": action in REASON_ACTIONS,
            }
            for action in actions
            if action not in ("check_in", "complete", "sign")
        ],
        "can_check_in": "check_in" in actions,
        "can_complete": "complete" in actions,
        "can_log": is_engineer
        and editable
        and work_order.status != WorkOrderStatus.DISPATCHED
        and work_order.status != WorkOrderStatus.ACCEPTED,
        "can_edit_sheet": editable and may_edit(user, work_order),
        "signatures": signatures,
        "sign_as": _next_signer(signatures) if waiting_for_signatures and may_sign_on_pad(user, work_order) else None,
        "can_send_link": waiting_for_signatures
        and SignerRole.ENGINEER in signatures
        and may_collect_signature(user, work_order),
        "charges": work_order_charges(work_order),
        "events": WorkOrderEvent.objects.visible_to(user).filter(work_order=work_order).select_related("actor"),
        "position_form": forms.PositionForm(initial={"version": work_order.version}),
        "complete_form": forms.CompleteForm(
            initial={"version": work_order.version, "resolution": work_order.resolution}
        ),
        "log_form": forms.WorkLogForm(),
        "part_form": forms.PartForm(),
        "sheet_form": forms.SheetForm(initial={"version": work_order.version, **_sheet_values(work_order)}),
        "signature_form": forms.SignatureForm(),
        "link_form": forms.SigningLinkForm(initial={"send_to": work_order.contact_phone}),
    }
    return context


def _next_signer(signatures: dict) -> str | None:
    if SignerRole.ENGINEER not in signatures:
        return SignerRole.ENGINEER
    return SignerRole.CUSTOMER if SignerRole.CUSTOMER not in signatures else None


def _sheet_values(work_order: WorkOrder) -> dict:
    return {name: getattr(work_order, name) for name in forms.SheetForm.base_fields if name != "version"}


def signing_page_context(work_order: WorkOrder) -> dict:
    """What the customer sees before signing through a link: the sheet's contents, no internal notes."""
    work_order = (
        WorkOrder.objects.select_related("customer", "engineer")
        .prefetch_related("log", "parts", "signatures")
        .get(pk=work_order.pk)
    )
    return {
        "work_order": work_order,
        "signatures": signature_images(work_order),
        "charges": work_order_charges(work_order),
    }
