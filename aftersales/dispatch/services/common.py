"""Helpers every work-order service uses: locking, versioning, the timeline, editability."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import InvalidTransition
from aftersales.core.versioning import locked_for_update, save_new_version  # noqa: F401  (services import them from here)
from aftersales.dispatch.models import WorkOrder, WorkOrderEvent
from aftersales.dispatch.transitions import EDITABLE_STATUSES


def record_event(
    *, work_order: WorkOrder, actor, kind: str, note: str = "", from_status="", to_status="", data=None, at=None
) -> WorkOrderEvent:
    return WorkOrderEvent.objects.create(
        work_order=work_order,
        actor=actor,
        kind=kind,
        note=note,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        at=at or timezone.now(),
    )


def ensure_editable(work_order: WorkOrder) -> None:
    """A signed sheet is a record: nothing on it changes any more."""
    if work_order.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("This task sheet is signed or closed and can no longer change."))


def render_pdf_on_commit(work_order: WorkOrder) -> None:
    """Render the task sheet in the background once the signature or archiving is committed."""
    from aftersales.dispatch.tasks import render_work_order_pdf  # the task module imports the services

    transaction.on_commit(lambda: render_work_order_pdf.enqueue(work_order.pk), robust=True)
