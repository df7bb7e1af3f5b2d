"""Deliver the outbox: claim the due rows, bundle digests, send each one, record what the provider said.

Claiming is one short transaction (rows locked with SKIP LOCKED where the database has it, so several
workers share the work; SQLite's IMMEDIATE transactions serialise them instead). A claimed row is
`sending` with a lease in `next_attempt_at`: when a worker dies mid-send, the row is due again once the
lease runs out. Sending happens outside any transaction, so a slow provider holds no locks. Delivery is
at least once: a worker that dies after the provider accepted a message but before recording it makes
the message go twice (in-app notifications are created once per row whatever happens).
"""

import datetime as dt
import logging
from collections import Counter, defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone

from aftersales.notifications.channels import DeliveryError, Router
from aftersales.notifications.channels.base import ANSWER_LIMIT
from aftersales.notifications.choices import ChannelKind, OutboxStatus
from aftersales.notifications.models import Outbox
from aftersales.notifications.services import preferred_languages, render

logger = logging.getLogger(__name__)


def deliver_due(now: dt.datetime | None = None, limit: int = 200) -> dict:
    """Send what is due at `now` (default: the current time); returns how many rows went which way."""
    clock = (lambda: now) if now is not None else timezone.now
    rows, bundled = _claim(clock(), limit)
    if not rows:
        return {"claimed": 0, "bundled": 0, "sent": 0, "retrying": 0, "failed": 0}
    router = Router()
    outcomes = Counter({"sent": 0, "retrying": 0, "failed": 0})
    for row in rows:
        outcomes[_send(row, router, clock)] += 1
    return {"claimed": len(rows), "bundled": bundled, **outcomes}


def _locked(queryset):
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset  # SQLite: an IMMEDIATE transaction already holds the write lock


@transaction.atomic
def _claim(now: dt.datetime, limit: int) -> tuple[list[Outbox], int]:
    """Due rows (and their digest companions) marked `sending` under a lease; returns (rows to send, bundled)."""
    due = list(
        _locked(
            Outbox.objects.filter(
                Q(status=OutboxStatus.PENDING, not_before__lte=now) | Q(status=OutboxStatus.SENDING),
                next_attempt_at__lte=now,
            ).order_by("next_attempt_at", "pk")[:limit]
        )
    )
    if not due:
        return [], 0
    rows, groups = _digest_groups(due, now)
    digests = _make_digests(groups, now)
    lease_until = now + dt.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS)
    Outbox.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=OutboxStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_until
    )
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = OutboxStatus.SENDING, row.attempts + 1, lease_until
    for digest in digests:
        digest.next_attempt_at = lease_until
    Outbox.objects.bulk_create(digests)
    for digest, members in zip(digests, groups, strict=True):
        Outbox.objects.filter(pk__in=[member.pk for member in members]).update(
            status=OutboxStatus.BUNDLED, digest=digest
        )
    rows += digests
    prefetch_related_objects(rows, "user")  # robots @-mention the user's phone
    return rows, sum(len(members) for members in groups)


def _digest_groups(due: list[Outbox], now: dt.datetime) -> tuple[list[Outbox], list[list[Outbox]]]:
    """Split due rows into those sent alone and groups (same user, channel and recipient) sent as one digest.

    Only non-urgent messages for a user that were never tried are bundled. Their pending companions held
    for the digest window are pulled in early, so the user gets one message, not one per window.
    """

    def bundleable(row):
        return not row.urgent and row.user_id is not None and row.attempts == 0 and row.status == OutboxStatus.PENDING

    candidates = [row for row in due if bundleable(row)]
    if not candidates:
        return due, []
    window = dt.timedelta(minutes=settings.NOTIFICATIONS_DIGEST_MINUTES)
    companions = _locked(
        Outbox.objects.filter(
            status=OutboxStatus.PENDING,
            urgent=False,
            attempts=0,
            user_id__in={row.user_id for row in candidates},
            channel__in={row.channel for row in candidates},
            next_attempt_at__lte=now,
            not_before__lte=now + window,
        )
        .exclude(pk__in=[row.pk for row in due])
        .order_by("pk")
    )
    by_recipient = defaultdict(list)
    for row in candidates:
        by_recipient[(row.user_id, row.channel, row.recipient)].append(row)
    for row in companions:  # the query matched users and channels separately: keep only companions of a due row
        if (key := (row.user_id, row.channel, row.recipient)) in by_recipient:
            by_recipient[key].append(row)
    groups = [sorted(members, key=lambda row: row.pk) for members in by_recipient.values() if len(members) > 1]
    in_groups = {row.pk for members in groups for row in members}
    return [row for row in due if row.pk not in in_groups], groups


def _make_digests(groups: list[list[Outbox]], now: dt.datetime) -> list[Outbox]:
    digests = []
    languages = preferred_languages() if groups else {}
    for members in groups:
        first = members[0]
        subject, body = render(
            "digest",
            languages.get(first.user_id, settings.LANGUAGE_CODE),
            {"count": len(members), "notices": members, "in_app": first.channel == ChannelKind.IN_APP},
        )
        digests.append(
            Outbox(
                key=f"digest:{first.pk}",  # a row is bundled once only, so its first member names the digest
                channel=first.channel,
                recipient=first.recipient,
                user_id=first.user_id,
                subject=subject,
                body=body,
                urgent=False,
                status=OutboxStatus.SENDING,
                attempts=1,
                not_before=now,
                created_at=now,
            )
        )
    return digests


def _send(row: Outbox, router: Router, clock) -> str:
    try:
        if row.channel == ChannelKind.IN_APP:
            with transaction.atomic():  # the notification and the "sent" mark commit together: shown once
                answer = router.send(row)
                return _record_sent(row, answer, clock())
        answer = router.send(row)
    except DeliveryError as error:
        problem = str(error.message)
    except Exception as error:
        logger.exception("Delivering outbox message %s failed", row.pk)
        problem = f"{type(error).__name__}: {error}"
    else:
        return _record_sent(row, answer, clock())
    return _record_failure(row, problem, clock())


def _record_sent(row: Outbox, answer: str, at: dt.datetime) -> str:
    # Only if the lease is still ours: a row another worker re-claimed is that worker's to record.
    Outbox.objects.filter(pk=row.pk, status=OutboxStatus.SENDING, attempts=row.attempts).update(
        status=OutboxStatus.SENT, sent_at=at, provider_response=str(answer)[:ANSWER_LIMIT], last_error=""
    )
    return "sent"


def _record_failure(row: Outbox, problem: str, at: dt.datetime) -> str:
    given_up = row.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    delay = dt.timedelta(seconds=settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** (row.attempts - 1))
    Outbox.objects.filter(pk=row.pk, status=OutboxStatus.SENDING, attempts=row.attempts).update(
        status=OutboxStatus.FAILED if given_up else OutboxStatus.PENDING,
        next_attempt_at=at if given_up else at + delay,
        last_error=problem[:ANSWER_LIMIT],
    )
    if given_up:
        logger.warning("Gave up on outbox message %s after %s attempts: %s", row.pk, row.attempts, problem)
    return "failed" if given_up else "retrying"
