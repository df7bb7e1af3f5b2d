"""Remote access a customer lends (kept encrypted, revealed only with a reason, changed after the job) and the
customer's approval of a change before an engineer makes it.

A credential's trail stays internal: its ticket events carry `"public": False`, so customers never see them on
the ticket's timeline. A refused reveal writes nothing (it is logged for the security log only).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.accounts.models import User
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.models import Contact
from aftersales.dispatch.choices import ApprovalStatus, WorkOrderEventKind
from aftersales.dispatch.models import ChangeApproval, CredentialReveal, RemoteCredential, SigningLink, WorkOrder
from aftersales.dispatch.services.common import locked_for_update, record_event
from aftersales.dispatch.services.links import link_address, link_find, link_issue, link_use
from aftersales.dispatch.transitions import ACTIVE_STATUSES, CLOSED_STATUSES, WORKING_STATUSES
from aftersales.notifications.choices import ChannelKind
from aftersales.notifications.services import Message, enqueue, language_for, preferred_languages, render
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.common import record_event as record_ticket_event

logger = logging.getLogger(__name__)

# A lent password is for one job: it may not be kept longer than this.
LONGEST_LOAN = dt.timedelta(days=30)
PASSWORD_MAX_LENGTH = 500
REASON_MAX_LENGTH = CredentialReveal._meta.get_field("reason").max_length
# Roles that may open any lent credential (break glass). Not roles.SUPERVISE: agents and quality controllers hold
# it too, and they do not log in to customers' systems.
REVEAL_ANY_ROLES = frozenset({roles.Role.ADMIN, roles.Role.MANAGER})
APPROVE = "approve"  # the purpose of a one-time approval link


# Lent credentials -------------------------------------------------------------------------------------------


def may_lend_credential(user) -> bool:
    return _is_active_staff(user) and (user.has_perm(roles.WORK) or user.has_perm(roles.DISPATCH))


def may_reveal_credential(user, credential: RemoteCredential, *, now: dt.datetime | None = None) -> bool:
    """The engineer of its active work order, the ticket's assignee, or a manager; only while the loan lasts."""
    now = now or timezone.now()
    if not _is_active_staff(user) or credential.rotated_at is not None or now >= credential.valid_until:
        return False
    if user.role in REVEAL_ANY_ROLES:
        return True
    if not user.has_perm(roles.WORK):
        return False
    work_order = credential.work_order
    if work_order is not None and work_order.status in ACTIVE_STATUSES and work_order.engineer_id == user.pk:
        return True
    ticket = credential.ticket
    return ticket.assignee_id == user.pk and ticket.is_open


def may_mark_rotated(user, credential: RemoteCredential) -> bool:
    """Staff who work or run jobs, or a user of the customer who lent it (through the portal)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_customer_user:
        return user.customer_id == credential.customer_id
    return user.is_staff_member and any(
        user.has_perm(permission) for permission in (roles.WORK, roles.DISPATCH, roles.SUPERVISE)
    )


@transaction.atomic
def credential_lend(
    *,
    actor,
    ticket: Ticket,
    work_order: WorkOrder | None = None,
    system: str,
    address: str,
    username: str,
    password: str,
    lent_by: str,
    valid_until: dt.datetime,
) -> RemoteCredential:
    """Record access a customer lends for a job; the password is stored only encrypted."""
    if not may_lend_credential(actor):
        raise PermissionDenied()
    now = timezone.now()
    if work_order is not None:
        if work_order.ticket_id != ticket.pk:
            raise ValidationFailed(detail={"work_order": [_("The work order belongs to another ticket.")]})
        if work_order.status not in ACTIVE_STATUSES:
            raise InvalidTransition(_("Access can be recorded only for a work order that is still open."))
    elif not ticket.is_open:
        raise InvalidTransition(_("Access can be recorded only for an open ticket."))
    fields = {
        "system": (system or "").strip(),
        "address": (address or "").strip(),
        "username": (username or "").strip(),
        "lent_by": (lent_by or "").strip(),
    }
    errors = _text_errors(fields)
    if not password:
        errors["password"] = [_("Enter the password.")]
    elif len(password) > PASSWORD_MAX_LENGTH:
        errors["password"] = [_("The password is too long.")]
    if valid_until is None:
        errors["valid_until"] = [_("Enter until when the access is lent.")]
    elif valid_until <= now:
        errors["valid_until"] = [_("The access must still be valid: choose a time in the future.")]
    elif valid_until > now + LONGEST_LOAN:
        errors["valid_until"] = [_("Access may be kept for 30 days at most.")]
    if errors:
        raise ValidationFailed(detail=errors)
    credential = RemoteCredential(
        customer_id=ticket.customer_id,
        ticket=ticket,
        work_order=work_order,
        valid_until=valid_until,
        created_by=actor,
        **fields,
    )
    credential.set_password(password)
    credential.save()
    _record(actor=actor, credential=credential, data={"credential_lent": credential.pk}, at=now)
    return credential


def _text_errors(fields: dict[str, str]) -> dict[str, list]:
    errors = {}
    for name, value in fields.items():
        max_length = RemoteCredential._meta.get_field(name).max_length
        if not value:
            errors[name] = [_("This field is required.")]
        elif len(value) > max_length:
            errors[name] = [_("Enter at most %(count)d characters.") % {"count": max_length}]
    return errors


@transaction.atomic
def credential_reveal(*, actor, credential: RemoteCredential, reason: str, ip_address: str | None = None) -> str:
    """The password in clear for someone allowed to see it, with the reason audited; refusals write nothing."""
    now = timezone.now()
    credential = (
        RemoteCredential.objects.select_for_update(of=("self",))
        .select_related("work_order", "ticket")
        .get(pk=credential.pk)
    )
    if not may_reveal_credential(actor, credential, now=now):
        logger.warning("Refused to reveal credential %s to user %s", credential.pk, getattr(actor, "pk", None))
        raise PermissionDenied(_("You may not see this password."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(detail={"reason": [_("Say why you need the password.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(detail={"reason": [_("Keep the reason shorter.")]})
    CredentialReveal.objects.create(credential=credential, user=actor, at=now, reason=reason, ip_address=ip_address)
    return credential.password()


def credentials_mark_for_rotation(*, work_order: WorkOrder, now: dt.datetime) -> list[RemoteCredential]:
    """The job is done: its lent passwords are to be changed, and the customer's contact is reminded.

    Called inside the transaction that completes the work order. Each credential gets its own message keys, so
    completing again after a resume does not remind twice.
    """
    credentials = list(
        RemoteCredential.objects.select_for_update()
        .filter(ticket_id=work_order.ticket_id, rotated_at__isnull=True, rotation_due=False)
        .filter(Q(work_order=work_order) | Q(work_order__isnull=True))
        .order_by("pk")
    )
    if not credentials:
        return []
    RemoteCredential.objects.filter(pk__in=[credential.pk for credential in credentials]).update(
        rotation_due=True, updated_at=now
    )
    for credential in credentials:
        credential.rotation_due = True
    record_event(
        work_order=work_order,
        actor=None,
        kind=WorkOrderEventKind.UPDATED,
        data={"credentials_rotation_due": [credential.pk for credential in credentials]},
        at=now,
    )
    enqueue(_rotation_reminders(work_order, credentials), now=now)
    return credentials


def _rotation_reminders(work_order: WorkOrder, credentials: list[RemoteCredential]) -> list[Message]:
    phone = str(work_order.contact_phone or "").strip()
    if not phone:
        return []
    addresses = [(ChannelKind.SMS, phone)]
    email = contact_email(customer_id=work_order.customer_id, phone=phone)
    if email:
        addresses.append((ChannelKind.EMAIL, email))
    messages = []
    for credential in credentials:
        context = {"work_order": work_order.number, "system": credential.system, "username": credential.username}
        subject, body = render("password_rotation", settings.LANGUAGE_CODE, context)
        for channel, recipient in addresses:
            messages.append(
                Message(
                    key=f"credential:{credential.pk}:rotation:{channel}",
                    channel=channel,
                    recipient=recipient,
                    user_id=None,
                    subject=subject,
                    body=body,
                )
            )
    return messages


def contact_email(*, customer_id: int, phone: str) -> str:
    """The email of the customer's contact with this phone, if the contact list has one."""
    return (
        Contact.objects.filter(customer_id=customer_id, phone=phone)
        .exclude(email="")
        .values_list("email", flat=True)
        .first()
        or ""
    )


@transaction.atomic
def credential_mark_rotated(*, actor, credential: RemoteCredential) -> RemoteCredential:
    """The customer changed the password: the lent one no longer opens anything and is never shown again."""
    credential = RemoteCredential.objects.select_for_update().get(pk=credential.pk)
    if not may_mark_rotated(actor, credential):
        raise PermissionDenied()
    if credential.rotated_at is not None:
        raise InvalidTransition(_("This password is already recorded as changed."))
    credential.rotated_at = timezone.now()
    credential.rotation_due = False
    credential.save(update_fields=["rotated_at", "rotation_due", "updated_at"])
    _record(actor=actor, credential=credential, data={"credential_rotated": credential.pk}, at=credential.rotated_at)
    return credential


def _record(*, actor, credential: RemoteCredential, data: dict, at: dt.datetime) -> None:
    """Audit on the ticket (internal: "public": False keeps it off the customer's timeline) and the work order."""
    record_ticket_event(
        ticket=credential.ticket, actor=actor, kind=EventKind.UPDATED, data={**data, "public": False}, at=at
    )
    if credential.work_order_id is not None:
        record_event(work_order=credential.work_order, actor=actor, kind=WorkOrderEventKind.UPDATED, data=data, at=at)


def credentials_to_rotate(user, *, ticket_id: int) -> list[RemoteCredential]:
    """For a customer user: the passwords they lent for this ticket that are still to be changed (no secrets)."""
    if user is None or not user.is_authenticated or not user.is_customer_user:
        return []
    return list(
        RemoteCredential.objects.lent_by(user)
        .filter(ticket_id=ticket_id, rotation_due=True, rotated_at__isnull=True)
        .only("pk", "system", "username", "customer_id", "ticket_id", "work_order_id")
        .order_by("pk")
    )


def _is_active_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff_member)


# Change approvals -------------------------------------------------------------------------------------------


def pending_change_approvals(work_order: WorkOrder) -> bool:
    """Whether a change still waits for the customer (the order cannot be completed until it is decided)."""
    return ChangeApproval.objects.filter(work_order=work_order, status=ApprovalStatus.PENDING).exists()


def may_request_change_approval(user, work_order: WorkOrder) -> bool:
    return (
        _is_active_staff(user)
        and work_order.engineer_id == user.pk
        and user.has_perm(roles.WORK)
        and work_order.status in WORKING_STATUSES
    )


def may_decide_change_approval(user, approval: ChangeApproval) -> bool:
    """Through the portal: a user of the work order's customer."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_customer_user
        and user.customer_id == approval.work_order.customer_id
    )


@transaction.atomic
def change_approval_request(
    *, actor, work_order: WorkOrder, description: str, send_to: str = ""
) -> tuple[ChangeApproval, str | None]:
    """Ask the customer before changing their equipment or parameters; returns the approval and the link's token.

    The customer's users are told in the portal; with `send_to` (a mobile number or an email address) a one-time
    link goes there too.
    """
    work_order = locked_for_update(work_order, None)
    if not (_is_active_staff(actor) and work_order.engineer_id == actor.pk and actor.has_perm(roles.WORK)):
        raise PermissionDenied(_("Only the engineer of this work order may ask for an approval."))
    if work_order.status not in WORKING_STATUSES:
        raise InvalidTransition(_("An approval can be asked for only while the work is going on."))
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = [_("Describe the change, why it is needed, the risk and how to roll it back.")]
    channel, recipient = None, ""
    if (send_to or "").strip():
        try:
            channel, recipient = link_address(send_to, work_order=work_order)
        except ValidationFailed as error:
            errors.update(error.detail)
    if errors:
        raise ValidationFailed(detail=errors)
    now = timezone.now()
    approval = ChangeApproval.objects.create(
        work_order=work_order, description=description, requested_by=actor, requested_at=now
    )
    record_event(
        work_order=work_order,
        actor=actor,
        kind=WorkOrderEventKind.CHANGE_REQUESTED,
        data={"approval": approval.pk, "link_via": channel or ""},
        at=now,
    )
    messages = _customer_notices(work_order, approval)
    token = None
    if channel:
        token = link_issue(work_order=work_order, purpose=APPROVE, sent_to=recipient, actor=actor, approval=approval)
        messages.append(_link_message(work_order, approval, channel, recipient, token))
    enqueue(messages, now=now)
    return approval, token


def _customer_notices(work_order: WorkOrder, approval: ChangeApproval) -> list[Message]:
    users = User.objects.filter(customer_id=work_order.customer_id, role=roles.Role.CUSTOMER, is_active=True)
    languages = preferred_languages()
    url = settings.AFTERSALES_BASE_URL + work_order.get_absolute_url()
    context = {"stage": "requested", "work_order": work_order.number, "description": approval.description}
    messages = []
    for user in users.only("pk"):
        subject, body = render("change_approval", languages.get(user.pk, settings.LANGUAGE_CODE), context)
        messages.append(
            Message(
                key=f"change_approval:{approval.pk}:requested:user:{user.pk}",
                channel=ChannelKind.IN_APP,
                recipient="",
                user_id=user.pk,
                subject=subject,
                body=body,
                url=url,
            )
        )
    return messages


def _link_message(work_order, approval, channel: str, recipient: str, token: str) -> Message:
    context = {"stage": "link", "work_order": work_order.number, "description": approval.description}
    subject, body = render("change_approval", settings.LANGUAGE_CODE, context)
    return Message(
        key=f"change_approval:{approval.pk}:link:{channel}:{recipient}",
        channel=channel,
        recipient=recipient,
        user_id=None,
        subject=subject,
        body=body,
        url=settings.AFTERSALES_BASE_URL + reverse("change_approval_link", args=[token]),
    )


@transaction.atomic
def change_approval_decide(
    *,
    approval: ChangeApproval,
    approve: bool,
    decided_by_name: str,
    note: str = "",
    user=None,
    link: SigningLink | None = None,
) -> ChangeApproval:
    """The customer approves or rejects, in the portal (`user`) or through a one-time link (`link`, locked)."""
    now = timezone.now()
    approval = ChangeApproval.objects.select_for_update(of=("self",)).select_related("work_order").get(pk=approval.pk)
    if link is not None:
        if link.approval_id != approval.pk or link.purpose != APPROVE:
            raise NotFound(_("This link is not valid."))
        if not link.is_usable(now):
            raise InvalidTransition(_("This link has already been used or has expired."))
    elif not may_decide_change_approval(user, approval):
        raise PermissionDenied(_("Only the customer may approve or reject a change."))
    if approval.status != ApprovalStatus.PENDING:
        raise InvalidTransition(_("This change has already been decided."))
    if approval.work_order.status in CLOSED_STATUSES:
        raise InvalidTransition(_("This work order is closed; the change is no longer needed."))
    name = (decided_by_name or "").strip()
    if not name and user is not None:
        name = user.get_full_name() or user.username
    note = (note or "").strip()
    errors = {}
    if not name:
        errors["decided_by_name"] = [_("Enter your name.")]
    elif len(name) > ChangeApproval._meta.get_field("decided_by_name").max_length:
        errors["decided_by_name"] = [_("The name is too long.")]
    if not approve and not note:
        errors["note"] = [_("Say why the change is rejected.")]
    if errors:
        raise ValidationFailed(detail=errors)
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    approval.decided_by = user if link is None else None
    approval.decided_by_name = name
    approval.decided_at = now
    approval.decision_note = note
    approval.save(update_fields=["status", "decided_by", "decided_by_name", "decided_at", "decision_note"])
    if link is not None:
        link_use(link)
    record_event(
        work_order=approval.work_order,
        actor=approval.decided_by,
        kind=WorkOrderEventKind.CHANGE_DECIDED,
        note=note,
        data={
            "approval": approval.pk,
            "status": approval.status,
            "via": "link" if link is not None else "portal",
            "decided_by_name": name,
        },
        at=now,
    )
    enqueue([_engineer_notice(approval)], now=now)
    return approval


def change_approval_decide_by_link(
    *, token: str, approve: bool, decided_by_name: str, note: str = ""
) -> ChangeApproval:
    """Decide through a one-time link: the link is locked, checked and spent in the same transaction."""
    with transaction.atomic():
        found = link_find(token, purpose=APPROVE)
        # Locked here rather than by link_find(lock=True): its select_related("approval") is an outer join,
        # which PostgreSQL cannot lock. change_approval_decide checks the locked row is still usable.
        link = SigningLink.objects.select_for_update().get(pk=found.pk)
        if link.approval_id is None:
            raise NotFound(_("This link is not valid."))
        return change_approval_decide(
            approval=found.approval, approve=approve, decided_by_name=decided_by_name, note=note, link=link
        )


def _engineer_notice(approval: ChangeApproval) -> Message:
    work_order = approval.work_order
    context = {
        "stage": approval.status,
        "work_order": work_order.number,
        "description": approval.description,
        "decided_by_name": approval.decided_by_name,
        "note": approval.decision_note,
    }
    subject, body = render("change_approval", language_for(work_order.engineer_id), context)
    return Message(
        key=f"change_approval:{approval.pk}:decided:user:{work_order.engineer_id}",
        channel=ChannelKind.IN_APP,
        recipient="",
        user_id=work_order.engineer_id,
        subject=subject,
        body=body,
        url=settings.AFTERSALES_BASE_URL + work_order.get_absolute_url(),
    )
