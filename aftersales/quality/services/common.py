"""What every quality service shares: who may do what, the system's actor, and telling people."""

import hashlib

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from aftersales.accounts import roles
from aftersales.accounts.models import User, system_user
from aftersales.accounts.roles import Role
from aftersales.notifications.choices import ChannelKind
from aftersales.notifications.services import Message, language_for

QC_ROLES = frozenset({Role.QUALITY, Role.MANAGER, Role.ADMIN})


def may_follow_up(user) -> bool:
    """Call or visit customers and record what they said: staff who supervise tickets (QC, desk, managers)."""
    return bool(user and user.is_authenticated and user.is_staff_member and user.has_perm(roles.SUPERVISE))


def may_review(user) -> bool:
    """Quality controllers and managers review closed tickets and read every review."""
    return bool(user and user.is_authenticated and user.is_active and (user.role in QC_ROLES or user.is_superuser))


def may_register_complaint(user) -> bool:
    """Staff who log requests register complaints for customers; customer users complain for themselves."""
    return bool(
        user and user.is_authenticated and user.is_active and (user.is_customer_user or user.has_perm(roles.LOG))
    )


def may_handle_complaint(user) -> bool:
    """Link tickets and people to a complaint and conclude it: supervisors."""
    return bool(user and user.is_authenticated and user.is_staff_member and user.has_perm(roles.SUPERVISE))


def may_configure(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(roles.EDIT_MASTER_DATA))


def acting_system():
    """The system's account, allowed to log and dispatch for what the quality loop opens by itself.

    The row stays inactive (it cannot sign in); only this in-memory copy acts, with its administrator role,
    so a customer's survey answer can open and dispatch a re-service ticket the customer could not.
    """
    actor = system_user()
    actor.is_active = True
    return actor


def stable_percentile(*parts) -> int:
    """0–99 from a hash of `parts`: the same ticket always falls on the same side of a sampling share."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).hexdigest()
    return int(digest[:8], 16) % 100


def render(template: str, language: str, context: dict) -> tuple[str, str]:
    """(subject, body) from templates/quality/notifications/<template>_subject.txt and _body.txt."""
    with translation.override(language):
        subject = render_to_string(f"quality/notifications/{template}_subject.txt", context)
        body = render_to_string(f"quality/notifications/{template}_body.txt", context)
    return " ".join(subject.split()), body.strip()


def staff_messages(*, users, key: str, template: str, context: dict, path: str, urgent: bool = True) -> list[Message]:
    """In-app and SMS (when they have a phone) for each staff user, in their language; `key` is the cause."""
    url = settings.AFTERSALES_BASE_URL + path
    messages = []
    for user in users:
        subject, body = render(template, language_for(user.pk), context)
        channels = [ChannelKind.IN_APP] + ([ChannelKind.SMS] if user.phone else [])
        for channel in channels:
            recipient = str(user.phone) if channel == ChannelKind.SMS else ""
            messages.append(
                Message(
                    key=f"{key}:user:{user.pk}:{channel}",
                    channel=channel,
                    recipient=recipient,
                    user_id=user.pk,
                    subject=subject,
                    body=body,
                    url=url,
                    urgent=urgent,
                )
            )
    return messages


def active_with_role(*role_names) -> list[User]:
    return list(User.objects.filter(is_active=True, role__in=role_names).order_by("pk"))
