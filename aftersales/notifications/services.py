"""Queue messages (in the caller's transaction), render their texts, and the small writes users make.

The SLA sweep and any other producer call `enqueue([...Message...])`; the delivery task sends them.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed, validation_failed_from
from aftersales.core.time import local_zone
from aftersales.notifications.channels import send_with_config
from aftersales.notifications.choices import ChannelKind, Language, OutboxStatus
from aftersales.notifications.models import ChannelConfig, InAppNotification, NotificationPreference, Outbox


@dataclass(frozen=True)
class Message:
    key: str  # unique cause key, e.g. "sla:42:resolution:100:user:7:email"; a key already queued is never queued again
    channel: str  # ChannelKind
    recipient: str  # email address, phone number (E.164), or "" for group robots (the configured robot of that kind)
    user_id: int | None  # the staff user it is for (in-app needs it; quiet hours and language follow their preference)
    subject: str
    body: str
    url: str = ""
    urgent: bool = True
    headers: dict[str, str] = dataclasses.field(
        default_factory=dict
    )  # email only: Message-ID, In-Reply-To, References, From…


def enqueue(messages: Iterable[Message], *, now: dt.datetime | None = None) -> int:
    """Queue messages in the caller's transaction; keys already queued are skipped. Returns how many were new.

    At most three queries whatever the number of messages (the users' quiet hours, the keys already queued, and
    INSERT ... ON CONFLICT DO NOTHING, which the database may split into batches). A message queued by a
    concurrent transaction between the second and third query is still inserted once only, but counted here.
    Non-urgent messages for a user are held: until their quiet hours end, else for the digest window.
    When something new can go at once, a delivery task is scheduled for when the transaction commits.
    """
    now = now or timezone.now()
    unique, problems = {}, {}
    for message in messages:
        for field, problem in _problems(message):
            problems.setdefault(field, []).append(problem)
        unique.setdefault(message.key, message)
    if problems:
        raise ValidationFailed(detail=problems)  # the caller's programming error: not translated
    if not unique:
        return 0
    held_user_ids = {m.user_id for m in unique.values() if not m.urgent and m.user_id is not None}
    quiet_hours = _quiet_hours(held_user_ids)
    existing = set(Outbox.objects.filter(key__in=list(unique)).values_list("key", flat=True))
    rows = [
        Outbox(
            key=message.key,
            channel=message.channel,
            recipient=message.recipient,
            user_id=message.user_id,
            subject=" ".join(message.subject.split()),  # one line: it becomes an email header
            body=message.body,
            url=message.url,
            headers=dict(message.headers),
            urgent=message.urgent,
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
            not_before=_not_before(message, quiet_hours, now),
            created_at=now,
        )
        for key, message in unique.items()
        if key not in existing
    ]
    if not rows:
        return 0
    Outbox.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.not_before <= now for row in rows):
        schedule_delivery()
    return len(rows)


def user_messages(
    *, user, key: str, template: str, context: dict, url: str = "", channels=None, urgent: bool = True
) -> list[Message]:
    """Messages telling one user something, in their language, on each channel they can be reached by.

    `channels` defaults to in-app and SMS; email and SMS are skipped when the user has no address for them.
    `key` is the cause (e.g. "work_order:12:dispatched"); the channel is appended to it.
    """
    channels = channels or (ChannelKind.IN_APP, ChannelKind.SMS)
    addresses = {ChannelKind.IN_APP: "", ChannelKind.SMS: str(user.phone or ""), ChannelKind.EMAIL: user.email}
    subject, body = render(template, language_for(user.pk), context)
    return [
        Message(
            key=f"{key}:{channel}",
            channel=channel,
            recipient=addresses[channel],
            user_id=user.pk,
            subject=subject,
            body=body,
            url=url,
            urgent=urgent,
        )
        for channel in channels
        if channel == ChannelKind.IN_APP or addresses.get(channel)
    ]


ID_HEADERS = frozenset({"message-id", "in-reply-to", "references"})
# What str.splitlines() breaks a line at, and NUL.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00")


def _problems(message: Message):
    if not message.key or len(message.key) > Outbox._meta.get_field("key").max_length:
        yield "key", f"A message key must have 1 to 255 characters: {message.key[:40]!r}..."
    if message.channel not in ChannelKind.values:
        yield "channel", f"Unknown channel {message.channel!r}."
    if message.channel == ChannelKind.IN_APP and message.user_id is None:
        yield "user_id", f"The in-app message {message.key!r} needs the user it is for."
    if message.headers and message.channel != ChannelKind.EMAIL:
        yield "headers", f"Only email carries headers: {message.key!r} is {message.channel!r}."
    for name, value in message.headers.items():
        # A line break would start a header (or the body) of the caller's choosing; Python's email refuses every
        # break str.splitlines() knows (U+2028, \x85, ...) only when sending, and then every retry fails.
        if not isinstance(value, str) or not name.isascii() or any(char in LINE_BREAKS for char in name + value):
            yield "headers", f"The header {name[:40]!r} of {message.key!r} must be one line of text."
        elif name.lower() in ID_HEADERS and not value.isascii():
            # Never encoded (clients would no longer find the ids): a non-ASCII one could not be sent at all.
            yield "headers", f"The header {name!r} of {message.key!r} must hold ASCII message ids."


def _quiet_hours(user_ids: set[int]) -> dict[int, tuple[dt.time, dt.time]]:
    if not user_ids:
        return {}
    rows = NotificationPreference.objects.filter(
        user_id__in=user_ids, quiet_hours_start__isnull=False, quiet_hours_end__isnull=False
    ).values_list("user_id", "quiet_hours_start", "quiet_hours_end")
    return {user_id: (start, end) for user_id, start, end in rows if start != end}


def _not_before(message: Message, quiet_hours: dict, now: dt.datetime) -> dt.datetime:
    if message.urgent or message.user_id is None:
        return now
    held = now + dt.timedelta(minutes=settings.NOTIFICATIONS_DIGEST_MINUTES)
    if message.user_id in quiet_hours:
        start, end = quiet_hours[message.user_id]
        # Quiet now: until they end. A digest window that runs into them waits for their end too.
        for moment in (now, held):
            if (quiet_end := quiet_hours_end_after(moment, start, end)) is not None:
                return max(quiet_end, held)
    return held


def quiet_hours_end_after(now: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime | None:
    """When the quiet hours around `now` end (local times in settings.TIME_ZONE), or None outside them."""
    local = timezone.localtime(now, local_zone())
    time = local.time()
    if start < end:
        inside, end_date = start <= time < end, local.date()
    else:  # crosses midnight, e.g. 22:00-07:00
        inside = time >= start or time < end
        end_date = local.date() + dt.timedelta(days=1) if time >= start else local.date()
    if not inside:
        return None
    return dt.datetime.combine(end_date, end, tzinfo=local_zone())


def schedule_delivery() -> None:
    """Run a delivery as soon as the current transaction commits (once per transaction, however many enqueues)."""
    pending = getattr(connection, "run_on_commit", [])
    if any(callback is _enqueue_delivery_task for _savepoints, callback, *_rest in pending):
        return
    transaction.on_commit(_enqueue_delivery_task, robust=True)


def _enqueue_delivery_task() -> None:
    from aftersales.notifications.tasks import deliver_notifications  # the task module imports this one

    deliver_notifications.enqueue()


def render(template: str, language: str, context: dict) -> tuple[str, str]:
    """(subject, body) from templates/notifications/<template>_subject.txt and _body.txt in `language`.

    The subject is one line; the body is plain text (SMS sends it as it is) and does not carry the link:
    each channel adds Message.url in its own way.
    """
    with translation.override(language):
        subject = render_to_string(f"notifications/{template}_subject.txt", context)
        body = render_to_string(f"notifications/{template}_body.txt", context)
    return " ".join(subject.split()), body.strip()


def preferred_languages() -> dict[int, str]:
    """Every user's chosen language, in one query (for senders that address many people at once)."""
    return dict(NotificationPreference.objects.exclude(language="").values_list("user_id", "language"))


def language_for(user_id: int | None) -> str:
    """The user's preferred language (one indexed query), else settings.LANGUAGE_CODE."""
    if user_id is None:
        return settings.LANGUAGE_CODE
    language = NotificationPreference.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    return language or settings.LANGUAGE_CODE


# Users' own writes ---------------------------------------------------------------------------------


@transaction.atomic
def preference_update(
    *, user, language: str, quiet_hours_start: dt.time | None, quiet_hours_end: dt.time | None
) -> NotificationPreference:
    if user is None or not user.is_authenticated:
        raise PermissionDenied()
    preference = NotificationPreference.objects.select_for_update().filter(user=user).first()
    preference = preference or NotificationPreference(user=user)
    preference.language = language if language in Language.values else settings.LANGUAGE_CODE
    preference.quiet_hours_start, preference.quiet_hours_end = quiet_hours_start, quiet_hours_end
    try:
        preference.full_clean()
    except ValidationError as error:
        raise validation_failed_from(error) from error
    preference.save()
    return preference


def notification_mark_read(*, user, notification_id: int, now: dt.datetime | None = None) -> InAppNotification:
    """Mark one of the user's own notifications read; someone else's is NotFound, exactly like a missing one."""
    notification = InAppNotification.objects.for_user(user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        InAppNotification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user, now: dt.datetime | None = None) -> int:
    return InAppNotification.objects.for_user(user).unread().update(read_at=now or timezone.now())


# Administrators' actions -----------------------------------------------------------------------------


def _require_administrator(actor) -> None:
    if not is_administrator(actor):
        raise PermissionDenied()


def is_administrator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN))


@transaction.atomic
def outbox_retry(*, actor, ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Give failed messages one more attempt now (a further failure marks them failed again at once)."""
    _require_administrator(actor)
    now = now or timezone.now()
    count = Outbox.objects.filter(pk__in=list(ids), status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, next_attempt_at=now, not_before=now
    )
    if count:
        schedule_delivery()
    return count


def channel_config_send_test(*, actor, config: ChannelConfig, recipient: str) -> str:
    """Send a test message through `config` now; the provider's answer, or DeliveryError with its message."""
    _require_administrator(actor)
    language = language_for(actor.pk)
    subject, body = render("test_message", language, {"config": config, "user": actor})
    message = Outbox(
        key=f"test:{config.pk}",
        channel=config.channel,
        recipient=recipient.strip(),
        user=actor,
        subject=subject,
        body=body,
        urgent=True,
    )
    return send_with_config(config, message)


def default_test_recipient(*, actor, config: ChannelConfig) -> str:
    """The administrator's own address for this kind of channel ("" for robots)."""
    if config.channel == ChannelKind.EMAIL:
        return actor.email
    if config.channel == ChannelKind.SMS:
        return str(actor.phone or "")
    return ""
