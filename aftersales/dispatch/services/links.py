"""One-time links (signing a task sheet, approving a change): only a hash of the token is stored."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import InvalidTransition, NotFound
from aftersales.dispatch.models import SigningLink, WorkOrder


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
