"""In-app notifications: a row the bell counts; one per outbox message, however often it is delivered."""

from aftersales.notifications.channels.base import DeliveryError
from aftersales.notifications.models import InAppNotification


def send(config, row) -> str:
    if row.user_id is None:
        raise DeliveryError("An in-app notification needs the user it is for.")
    values = {"user_id": row.user_id, "title": row.subject, "body": row.body, "url": row.url}
    if row.pk is None:  # not from the outbox (nothing to de-duplicate against)
        notification = InAppNotification.objects.create(**values)
    else:
        notification, _created = InAppNotification.objects.get_or_create(outbox=row, defaults=values)
    return f"In-app notification {notification.pk}."
