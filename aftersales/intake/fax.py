"""Faxes: a scanned fax (PDF or TIFF) is numbered in the register (维护请求收件登记表) and becomes a ticket.

`fax_register` is called by the upload page and by the email gateway (a fax server mails its scans). The
customer comes from the caller, else from the sender's fax number; otherwise the fax waits in the register
until an agent chooses the customer (`fax_assign`), and only then is the ticket registered.
"""

import datetime as dt
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.accounts.models import SYSTEM_USERNAME
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.time import local_date
from aftersales.customers.models import Contact, Customer
from aftersales.intake.models import FaxReceipt, FaxSender, FaxSequence, WaitingReason
from aftersales.intake.phones import display, normalise
from aftersales.tickets.choices import Channel, EventKind, Kind
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import attachment_add, ticket_create
from aftersales.tickets.services.common import record_event

# The first bytes decide what a file is; its name and declared type are not trusted.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
    (b"II+\x00", "image/tiff", ".tif"),  # BigTIFF
    (b"MM\x00+", "image/tiff", ".tif"),
)


def fax_file_type(content: bytes) -> tuple[str, str]:
    """(content type, extension) of a scanned fax; anything but a PDF or a TIFF is refused."""
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    raise ValidationFailed(detail={"file": [_("A fax must be a PDF or TIFF scan.")]})


def _check_size(content: bytes) -> None:
    if not content:
        raise ValidationFailed(detail={"file": [_("The file is empty.")]})
    if len(content) > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed(detail={"file": [_("The file is larger than %(limit)s MB.") % {"limit": limit_mb}]})


def _safe_name(file_name: str, content_type: str, extension: str) -> str:
    """The sender's file name without folders, with an extension that says what the bytes are."""
    name = PurePath((file_name or "").replace("\\", "/")).name.strip() or "fax"
    if mimetypes.guess_type(name)[0] != content_type:
        name = f"{PurePath(name).stem or 'fax'}{extension}"
    stem, suffix = PurePath(name).stem, PurePath(name).suffix
    return f"{stem[: 200 - len(suffix)]}{suffix}"


def next_register_number(received_at: dt.datetime) -> str:
    """`FX` + the local month + a per-month sequence, e.g. FX2026110007. Safe under concurrency."""
    month = local_date(received_at).replace(day=1)
    for _attempt in range(3):
        if FaxSequence.objects.filter(month=month).update(last=F("last") + 1):
            break
        try:
            with transaction.atomic():
                FaxSequence.objects.create(month=month, last=1)
            break
        except IntegrityError:
            continue
    last = FaxSequence.objects.get(month=month).last
    return f"FX{month:%Y%m}{last:04d}"


@dataclass(frozen=True)
class SenderMatch:
    customer: Customer | None = None
    contact: Contact | None = None
    waiting_reason: str = ""


def fax_sender_match(fax_number_e164: str) -> SenderMatch:
    """Whose fax this is: a number remembered for a customer, else a contact's or a customer's phone.

    Only an answer that names exactly one customer counts; two customers sharing a number wait for an agent.
    """
    if not fax_number_e164:
        return SenderMatch(waiting_reason=WaitingReason.UNKNOWN_SENDER)
    known = FaxSender.objects.filter(number=fax_number_e164).select_related("customer").first()
    if known is not None and known.customer.is_active:
        return SenderMatch(customer=known.customer)
    contacts = list(
        Contact.objects.filter(phone=fax_number_e164, customer__is_active=True).select_related("customer", "site")
    )
    customers = {contact.customer_id: contact.customer for contact in contacts}
    if not customers:
        customers = {c.pk: c for c in Customer.objects.filter(phone=fax_number_e164, is_active=True)[:2]}
    if len(customers) > 1:
        return SenderMatch(waiting_reason=WaitingReason.AMBIGUOUS_SENDER)
    if not customers:
        return SenderMatch(waiting_reason=WaitingReason.UNKNOWN_SENDER)
    customer = next(iter(customers.values()))
    return SenderMatch(customer=customer, contact=contacts[0] if len(contacts) == 1 else None)


def is_system_actor(actor) -> bool:
    """Aftersales itself (the email gateway's poller): trusted to register, but it may not log tickets."""
    return actor.username == SYSTEM_USERNAME


def may_register_fax(actor) -> bool:
    return actor.has_perm(roles.LOG) or is_system_actor(actor)


def _check_recipient(recipient) -> None:
    if recipient is not None and not (recipient.is_active and recipient.is_staff_member):
        raise ValidationFailed(detail={"recipient": [_("The recipient must be an active member of staff.")]})


@transaction.atomic
def fax_register(
    *,
    actor,
    file_name: str,
    content: bytes,
    content_type: str,
    fax_number: str,
    received_at: dt.datetime,
    summary: str,
    recipient=None,
    customer: Customer | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> FaxReceipt:
    """Number a received fax in the register and, when its customer is known, register its ticket.

    `content_type` is what the sender declared; the file's own bytes decide (PDF or TIFF only). The ticket is
    registered at once when the customer is given or the fax number names one, and the actor may log requests;
    otherwise the receipt waits (`receipt.ticket` is None, `receipt.waiting_reason` says why) and an agent
    files it. The system user may register faxes but not log tickets, so its faxes always wait for an agent,
    with the matched customer proposed. Contact name and phone default to the matched contact, else to the
    customer with the fax number.
    """
    if not may_register_fax(actor):
        raise NotFound() if actor.is_customer_user else PermissionDenied()
    detected_type, extension = fax_file_type(content)
    _check_size(content)
    _check_recipient(recipient)
    if received_at is None or timezone.is_naive(received_at):
        raise ValidationFailed(detail={"received_at": [_("Give the time the fax was received, with its time zone.")]})
    if received_at > timezone.now():
        raise ValidationFailed(detail={"received_at": [_("The time received cannot be in the future.")]})
    if customer is not None and not customer.is_active:
        raise ValidationFailed(detail={"customer": [_("This customer is no longer active.")]})
    fax_number = (fax_number or "").strip()[:50]
    e164 = normalise(fax_number)
    match = SenderMatch(customer=customer) if customer is not None else fax_sender_match(e164)
    receipt = FaxReceipt(
        number=next_register_number(received_at),
        received_at=received_at,
        fax_number=fax_number,
        fax_number_e164=e164,
        summary=(summary or "").strip(),
        recipient=recipient,
        customer=match.customer,
        waiting_reason=match.waiting_reason or WaitingReason.NEEDS_AGENT,
        file_name=_safe_name(file_name, detected_type, extension),
        content_type=detected_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        registered_by=actor,
    )
    receipt.file.save(receipt.file_name, ContentFile(content), save=False)
    receipt.save()
    if match.customer is None or not actor.has_perm(roles.LOG):
        return receipt
    contact = match.contact or _contact_with_number(match.customer, e164)
    name = (contact_name or "").strip() or (contact.name if contact else match.customer.name)
    phone = (contact_phone or "").strip() or (contact.phone if contact else e164 or match.customer.phone)
    if not phone:
        return _wait(receipt, WaitingReason.NO_CONTACT_PHONE)
    try:
        with transaction.atomic():
            _open_ticket(actor=actor, receipt=receipt, content=content, contact=contact, name=name, phone=phone)
    except ValidationFailed:
        return _wait(receipt, WaitingReason.TICKET_REFUSED)
    return receipt


def _wait(receipt: FaxReceipt, reason: str) -> FaxReceipt:
    receipt.waiting_reason = reason
    receipt.save(update_fields=["waiting_reason"])
    return receipt


def _contact_with_number(customer: Customer, e164: str) -> Contact | None:
    if not e164:
        return None
    return Contact.objects.filter(customer=customer, phone=e164).select_related("site").order_by("pk").first()


def _title(receipt: FaxReceipt) -> str:
    first_line = receipt.summary.splitlines()[0].strip() if receipt.summary else ""
    if first_line:
        return first_line[:200]
    if receipt.fax_number_e164:
        return _("Fax from %(number)s") % {"number": display(receipt.fax_number_e164)}
    return _("Fax %(number)s") % {"number": receipt.number}


def _open_ticket(
    *, actor, receipt: FaxReceipt, content: bytes, contact, name: str, phone, title: str = "", kind=Kind.GENERAL_FAULT
) -> Ticket:
    """The fax's ticket with the scan attached, linked both ways; the receipt stops waiting."""
    ticket = ticket_create(
        actor=actor,
        customer=receipt.customer,
        site=contact.site if contact is not None and contact.site_id else None,
        title=title.strip()[:200] or _title(receipt),
        description=receipt.summary or _("See the scanned fax %(number)s attached.") % {"number": receipt.number},
        contact_name=name[:100],
        contact_phone=phone,
        kind=kind,
        channel=Channel.FAX,
        received_at=receipt.received_at,
    )
    attachment_add(actor=actor, ticket=ticket, upload=ContentFile(content, name=receipt.file_name), is_public=True)
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.UPDATED,
        data={"fax_receipt": receipt.pk, "fax_register_number": receipt.number, "public": False},
    )
    receipt.ticket = ticket
    receipt.waiting_reason = ""
    receipt.save(update_fields=["ticket", "waiting_reason", "customer"])
    return ticket


def _locked_waiting(receipt: FaxReceipt) -> FaxReceipt:
    locked = FaxReceipt.objects.select_for_update().get(pk=receipt.pk)
    if locked.ticket_id is not None:
        raise InvalidTransition(_("This fax already has a ticket."))
    if locked.dismissed_at is not None:
        raise InvalidTransition(_("This fax was set aside."))
    return locked


@transaction.atomic
def fax_assign(
    *,
    actor,
    receipt: FaxReceipt,
    customer: Customer,
    contact_name: str,
    contact_phone,
    title: str = "",
    kind: str = Kind.GENERAL_FAULT,
    remember_number: bool = True,
) -> Ticket:
    """An agent files a waiting fax under its customer: the ticket is registered as received by fax.

    With `remember_number`, later faxes from the same number go to this customer by themselves.
    """
    if not actor.has_perm(roles.LOG):
        raise NotFound() if actor.is_customer_user else PermissionDenied()
    locked = _locked_waiting(receipt)
    if not customer.is_active:
        raise ValidationFailed(detail={"customer": [_("This customer is no longer active.")]})
    if not locked.summary and title.strip():
        locked.summary = title.strip()  # the register's summary column should not stay empty
    locked.customer = customer
    locked.assigned_by, locked.assigned_at = actor, timezone.now()
    locked.save(update_fields=["customer", "assigned_by", "assigned_at", "summary"])
    with locked.file.open("rb") as scan:
        content = scan.read()
    contact = _contact_with_number(customer, normalise(str(contact_phone or "")))
    ticket = _open_ticket(
        actor=actor,
        receipt=locked,
        content=content,
        contact=contact,
        name=contact_name,
        phone=contact_phone,
        title=title,
        kind=kind,
    )
    if remember_number and locked.fax_number_e164:
        FaxSender.objects.update_or_create(
            number=locked.fax_number_e164, defaults={"customer": customer, "remembered_by": actor}
        )
    return ticket


@transaction.atomic
def fax_dismiss(*, actor, receipt: FaxReceipt, reason: str) -> FaxReceipt:
    """Set aside a fax that is no service request (an advertisement, a blank page); it stays in the register."""
    if not actor.has_perm(roles.LOG):
        raise NotFound() if actor.is_customer_user else PermissionDenied()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(detail={"reason": [_("Say why this fax needs no ticket.")]})
    locked = _locked_waiting(receipt)
    locked.dismissed_by, locked.dismissed_at, locked.dismiss_reason = actor, timezone.now(), reason[:200]
    locked.save(update_fields=["dismissed_by", "dismissed_at", "dismiss_reason"])
    return locked
