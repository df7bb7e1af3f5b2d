"""Reads: a user sees their own in-app notifications only."""

from django.db.models import QuerySet

from aftersales.notifications.models import InAppNotification, NotificationPreference


def notification_list(*, user) -> QuerySet[InAppNotification]:
    return InAppNotification.objects.for_user(user).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    """One COUNT over the (user, read_at) index."""
    return InAppNotification.objects.for_user(user).unread().count()


def preference_of(*, user) -> NotificationPreference:
    """The user's preference, or an unsaved one with the defaults (reading the page writes nothing)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
