"""Comments and attachments on a ticket."""

import mimetypes

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.tickets.choices import EventKind, Status
from aftersales.tickets.models import Attachment, Comment, Ticket, TicketEvent
from aftersales.tickets.services.common import mark_responded, record_event
from aftersales.tickets.sla import refresh as refresh_sla

ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/tiff",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@transaction.atomic
def comment_add(*, actor, ticket: Ticket, body: str, is_public: bool = True) -> Comment:
    """Add a reply (public) or an internal note. Customers can only add public comments."""
    body = body.strip()
    if not body:
        raise ValidationFailed(detail={"body": [_("The comment cannot be empty.")]})
    if actor.is_customer_user:
        if not actor.is_active or actor.customer_id != ticket.customer_id:
            raise NotFound()
        is_public = True
    elif not actor.has_perm(roles.VIEW_INTERNAL):
        raise PermissionDenied()
    # Lock before checking the status: the caller's copy may be older than a cancellation.
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status in (Status.ARCHIVED, Status.CANCELLED):
        raise InvalidTransition(_("This ticket no longer takes comments."))
    comment = Comment.objects.create(ticket=locked, author=actor, body=body, is_public=is_public)
    # A public reply by staff is a response to the customer; the SLA's response clock counts it.
    responds = is_public and not actor.is_customer_user
    if responds and (fields := mark_responded(locked, comment.created_at)):
        locked.save(update_fields=fields)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.COMMENTED,
        at=comment.created_at,
        data={"comment": comment.pk, "public": is_public, **({"responds": True} if responds else {})},
    )
    if responds:
        refresh_sla(locked, comment.created_at)
    return comment


def may_log_call(user) -> bool:
    return user.has_perm(roles.LOG) or user.has_perm(roles.WORK)


@transaction.atomic
def call_log(*, actor, ticket: Ticket, note: str) -> TicketEvent:
    """A call back to the customer, logged by staff: it counts as the response."""
    note = note.strip()
    if not note:
        raise ValidationFailed(detail={"note": [_("Say what was discussed on the call.")]})
    if not may_log_call(actor):
        raise PermissionDenied()
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not locked.is_open:
        raise InvalidTransition(_("Calls are logged on open tickets only."))
    now = timezone.now()
    if fields := mark_responded(locked, now):
        locked.save(update_fields=fields)
    event = record_event(
        ticket=locked, actor=actor, kind=EventKind.CALL_LOGGED, note=note, at=now, data={"public": False}
    )
    refresh_sla(locked, now)
    return event


def _check_upload(upload) -> str:
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed(detail={"file": [_("The file is larger than %(limit)s MB.") % {"limit": limit_mb}]})
    content_type = mimetypes.guess_type(upload.name)[0] or ""
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationFailed(detail={"file": [_("This type of file is not accepted.")]})
    return content_type


@transaction.atomic
def attachment_add(*, actor, ticket: Ticket, upload, is_public: bool = True) -> Attachment:
    """Store an upload after checking its size and type (by name; served as a download, never inline)."""
    if actor.is_customer_user:
        if not actor.is_active or actor.customer_id != ticket.customer_id:
            raise NotFound()
        is_public = True
    elif not actor.has_perm(roles.VIEW_INTERNAL):
        raise PermissionDenied()
    # Like comments: an archived or cancelled ticket's record is final.
    if Ticket.objects.select_for_update().get(pk=ticket.pk).status in (Status.ARCHIVED, Status.CANCELLED):
        raise InvalidTransition(_("This ticket no longer takes attachments."))
    content_type = _check_upload(upload)
    attachment = Attachment(
        ticket=ticket,
        uploaded_by=actor,
        name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        is_public=is_public,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.ATTACHMENT_ADDED,
        data={"attachment": attachment.pk, "name": attachment.name, "public": is_public},
    )
    return attachment
