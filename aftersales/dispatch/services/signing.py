"""Signatures on task sheets: the engineer signs, then the customer on the engineer's phone or through a
one-time link. The customer's signature closes the sheet: from then on nothing on it changes."""

import base64
import binascii

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.dispatch import transitions
from aftersales.dispatch.choices import SignedVia, SignerRole, WorkOrderEventKind, WorkOrderStatus
from aftersales.dispatch.models import Signature, WorkOrder
from aftersales.dispatch.services.common import locked_for_update, record_event, render_pdf_on_commit, save_new_version
from aftersales.dispatch.services.links import link_address, link_find, link_issue, link_use
from aftersales.notifications.services import Message, enqueue, render

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 300_000
MIN_PNG_BYTES = 67  # the smallest valid PNG: a header, IHDR, IDAT and IEND
SIGN_PURPOSE = "sign"


def signature_image(data_url: str) -> bytes:
    """The PNG bytes of a signature pad's data URL; refuses anything else (and blank pads)."""
    prefix = "data:image/png;base64,"
    error = ValidationFailed(detail={"signature": [_("Please sign in the box.")]})
    if not isinstance(data_url, str) or not data_url.startswith(prefix):
        raise error
    try:
        image = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise error from None
    if not image.startswith(PNG_MAGIC) or len(image) < MIN_PNG_BYTES:
        raise error
    if len(image) > MAX_SIGNATURE_BYTES:
        raise ValidationFailed(detail={"signature": [_("The signature image is too large.")]})
    return image


def may_sign_on_pad(user, work_order: WorkOrder) -> bool:
    """Only the order's engineer holds the pad: the engineer signs, and the customer signs in front of them."""
    return transitions.is_own_order(user, work_order)


# The engineer collects signatures on their phone; a dispatcher may send the link too: the rule for editing.
may_collect_signature = transitions.may_edit


@transaction.atomic
def work_order_sign(
    *, actor, work_order: WorkOrder, role: str, signer_name: str, signature: str, version: int | None = None
) -> Signature:
    """A signature drawn on the engineer's phone: the engineer's own, or the customer's in front of them."""
    work_order = locked_for_update(work_order, version)
    if not may_sign_on_pad(actor, work_order):
        # A dispatcher's screen is not the engineer's phone: the customer far away signs through a link.
        raise PermissionDenied(_("Signatures are drawn on the phone of the engineer on the work order."))
    return _sign(work_order, role=role, signer_name=signer_name, signature=signature, via=SignedVia.PAD, user=actor)


@transaction.atomic
def work_order_sign_by_link(*, token: str, signer_name: str, signature: str, ip_address=None) -> Signature:
    """The customer signs through the one-time link; the link is spent in the same transaction."""
    link = link_find(token, purpose=SIGN_PURPOSE, lock=True)
    work_order = locked_for_update(link.work_order, None)
    signed = _sign(
        work_order,
        role=SignerRole.CUSTOMER,
        signer_name=signer_name,
        signature=signature,
        via=SignedVia.LINK,
        ip_address=ip_address,
    )
    link_use(link)
    return signed


def _sign(work_order: WorkOrder, *, role, signer_name, signature, via, user=None, ip_address=None) -> Signature:
    if work_order.status != WorkOrderStatus.WORK_DONE:
        raise InvalidTransition(_("The task sheet can be signed once the work is done, and only once."))
    if role not in SignerRole.values:
        raise ValidationFailed(detail={"role": [_("Choose who signs.")]})
    signer_name = (signer_name or "").strip()
    if not signer_name or len(signer_name) > 100:
        raise ValidationFailed(detail={"signer_name": [_("Write the signer's name (up to 100 characters).")]})
    image = signature_image(signature)
    signatures = set(work_order.signatures.values_list("role", flat=True))
    if role in signatures:
        raise InvalidTransition(_("This signature is already on the sheet."))
    if role == SignerRole.CUSTOMER and SignerRole.ENGINEER not in signatures:
        raise InvalidTransition(_("The engineer signs the sheet before the customer."))
    now = timezone.now()
    signed = Signature.objects.create(
        work_order=work_order,
        role=role,
        signer_name=signer_name,
        signed_at=now,
        via=via,
        image_png=image,
        user=user,
        ip_address=ip_address,
    )
    record_event(
        work_order=work_order,
        actor=user,
        kind=WorkOrderEventKind.SIGNED,
        at=now,
        data={"role": role, "via": via, "signer_name": signer_name},
    )
    if role == SignerRole.CUSTOMER:
        row = transitions.find("sign", status=work_order.status, kind=work_order.kind)
        work_order.status = row.target
        save_new_version(work_order, ["status"])
        record_event(
            work_order=work_order,
            actor=user,
            kind=WorkOrderEventKind.STATUS_CHANGED,
            at=now,
            from_status=WorkOrderStatus.WORK_DONE,
            to_status=row.target,
            data={"action": "sign"},
        )
        render_pdf_on_commit(work_order)
    return signed


@transaction.atomic
def signing_link_send(*, actor, work_order: WorkOrder, send_to: str) -> str:
    """Send the customer a one-time signing link by SMS (a phone number) or email; returns the raw token."""
    work_order = locked_for_update(work_order, None)
    if not may_collect_signature(actor, work_order):
        raise PermissionDenied()
    if work_order.status != WorkOrderStatus.WORK_DONE:
        raise InvalidTransition(_("The task sheet can be signed once the work is done, and only once."))
    if not work_order.signatures.filter(role=SignerRole.ENGINEER).exists():
        raise InvalidTransition(_("The engineer signs the sheet before the customer."))
    channel, address = link_address(send_to, work_order=work_order)
    token = link_issue(work_order=work_order, purpose=SIGN_PURPOSE, sent_to=address, actor=actor)
    url = f"{settings.AFTERSALES_BASE_URL}/sign/{token}/"
    context = {
        "number": work_order.number,
        "customer": work_order.customer.name,
        "url": url,
        "minutes": settings.AFTERSALES_ONE_TIME_LINK_MINUTES,
    }
    subject, body = render("signing_link", settings.LANGUAGE_CODE, context)
    key = f"work_order:{work_order.pk}:signing_link:{work_order.signing_links.count()}"
    enqueue([Message(key=key, channel=channel, recipient=address, user_id=None, subject=subject, body=body, url=url)])
    record_event(
        work_order=work_order,
        actor=actor,
        kind=WorkOrderEventKind.SIGNING_LINK_SENT,
        data={"sent_to": address, "channel": channel},
    )
    return token
