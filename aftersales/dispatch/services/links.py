"""One-time links (signing a task sheet, approving a change): only a hash of the token is stored."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import to_python as to_phone_number

from aftersales.core.errors import InvalidTransition, NotFound, ValidationFailed
from aftersales.customers.models import Contact
from aftersales.dispatch.models import SigningLink, WorkOrder
from aftersales.notifications.choices import ChannelKind


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_issue(*, work_order: WorkOrder, purpose: str, sent_to: str, actor, approval=None) -> str:
    """Create a link and return its raw token (to put in the message; it is never stored)."""
    token = secrets.token_urlsafe(32)
    lifetime = dt.timedelta(minutes=settings.AFTERSALES_ONE_TIME_LINK_MINUTES)
    SigningLink.objects.create(
        work_order=work_order,
        purpose=purpose,
        approval=approval,
        token_hash=token_hash(token),
        sent_to=sent_to,
        created_by=actor,
        expires_at=timezone.now() + lifetime,
    )
    return token


def link_find(token: str, *, purpose: str, lock: bool = False) -> SigningLink:
    """The usable link for `token`; NotFound for unknown tokens, InvalidTransition for used or expired ones."""
    links = SigningLink.objects.select_related("work_order", "approval")
    if lock:
        links = links.select_for_update(of=("self",))  # the approval is an outer join: lock only the link
    link = links.filter(token_hash=token_hash(token or ""), purpose=purpose).first()
    if link is None:
        raise NotFound(_("This link is not valid."))
    if link.used_at is not None:
        raise InvalidTransition(_("This link has already been used."))
    if link.expires_at <= timezone.now():
        raise InvalidTransition(_("This link has expired. Ask the engineer for a new one."))
    return link


def link_use(link: SigningLink) -> None:
    """Spend the link (call inside the transaction that did what it allowed, with the link locked)."""
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])


def link_address(send_to: str, *, work_order: WorkOrder) -> tuple[str, str]:
    """(channel, address) for a one-time link: a mobile number goes by SMS, an email address by email.

    The link is the customer's permission, so it may go only to the customer's people on record: the work
    order's or ticket's contact phone, or a contact of the customer (never an address the sender makes up).
    """
    send_to = (send_to or "").strip()
    invalid = ValidationFailed(detail={"send_to": [_("Enter a valid mobile number or email address.")]})
    if "@" in send_to:
        try:
            validate_email(send_to)
        except ValidationError:
            raise invalid from None
        channel, address = ChannelKind.EMAIL, send_to.lower()
    else:
        phone = to_phone_number(send_to, region="CN") if send_to else None
        if phone is None or not phone.is_valid():
            raise invalid
        channel, address = ChannelKind.SMS, phone.as_e164
    if address not in _addresses_on_record(work_order):
        raise ValidationFailed(detail={"send_to": [_("Send the link to one of the customer's contacts on record.")]})
    return channel, address


def _addresses_on_record(work_order: WorkOrder) -> set[str]:
    contacts = Contact.objects.filter(customer_id=work_order.customer_id).values_list("phone", "email")
    phones = [work_order.contact_phone, str(work_order.ticket.contact_phone or "")]
    addresses = {email.lower() for _phone, email in contacts if email}
    for phone in [*phones, *(str(phone) for phone, _email in contacts if phone)]:
        parsed = to_phone_number(phone, region="CN") if phone else None
        if parsed is not None and parsed.is_valid():
            addresses.add(parsed.as_e164)
    return addresses
