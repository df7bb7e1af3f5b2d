"""POST the due deliveries: claim them under a lease, send each one signed, record the answer, back off.

As the notification outbox does: claiming is one short transaction (SKIP LOCKED where the database has
it, so several workers share the work); a claimed row is `sending` with a lease in `next_attempt_at`,
so a delivery whose worker died is due again once the lease runs out; sending happens outside any
transaction; the answer is recorded only while the lease is still this worker's. A failure is retried
after 1, 2, 4, ... minutes (WEBHOOKS_RETRY_BASE_SECONDS doubling, at most six hours apart); after
WEBHOOKS_MAX_ATTEMPTS attempts the delivery is `failed` and waits for an administrator's retry.

The address is checked again before every attempt (destinations.destination_for), and the request
goes to the address that was checked. Delivery is at least once: receivers ignore a delivery id they
have already handled.
"""

import datetime as dt
import logging
import time
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from aftersales.core.crypto import DecryptionError
from aftersales.webhooks import transport
from aftersales.webhooks.choices import DeliveryProblem, DeliveryStatus
from aftersales.webhooks.destinations import RefusedDestination, destination_for
from aftersales.webhooks.models import WebhookDelivery
from aftersales.webhooks.payloads import body_bytes
from aftersales.webhooks.signing import signed_headers

logger = logging.getLogger(__name__)

LEASE_SECONDS = 120  # longer than any one attempt can take (transport.TOTAL_TIMEOUT_SECONDS per address)
LONGEST_WAIT = dt.timedelta(hours=6)


def max_attempts() -> int:
    return getattr(settings, "WEBHOOKS_MAX_ATTEMPTS", 8)


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: the base, doubled each time, capped."""
    base = getattr(settings, "WEBHOOKS_RETRY_BASE_SECONDS", 60)
    return min(dt.timedelta(seconds=base * 2 ** (attempts - 1)), LONGEST_WAIT)


def deliver_due(now: dt.datetime | None = None, limit: int = 100) -> dict:
    """Send what is due at `now` (default: the current time); returns how many went which way."""
    clock = (lambda: now) if now is not None else timezone.now
    rows = _claim(clock(), limit)
    outcomes = Counter({"delivered": 0, "retrying": 0, "failed": 0})
    for row in rows:
        outcomes[_send(row, clock)] += 1
    return {"claimed": len(rows), **outcomes}


def _locked(queryset):
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset  # SQLite: the IMMEDIATE transaction already holds the write lock


@transaction.atomic
def _claim(now: dt.datetime, limit: int) -> list[WebhookDelivery]:
    due = list(
        _locked(
            WebhookDelivery.objects.filter(
                Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING),
                next_attempt_at__lte=now,
                subscription__is_active=True,
            )
            .select_related("subscription")
            .order_by("next_attempt_at", "pk")[:limit]
        )
    )
    if not due:
        return []
    lease_until = now + dt.timedelta(seconds=LEASE_SECONDS)
    WebhookDelivery.objects.filter(pk__in=[row.pk for row in due]).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_until, last_attempt_at=now
    )
    for row in due:
        row.status, row.attempts, row.next_attempt_at = DeliveryStatus.SENDING, row.attempts + 1, lease_until
    return due


def _send(row: WebhookDelivery, clock) -> str:
    subscription = row.subscription
    try:
        destination = destination_for(subscription.url, allow_private_network=subscription.allow_private_network)
        body = body_bytes(row.payload)
        headers = signed_headers(
            secret=subscription.secret(),
            body=body,
            event=row.event,
            delivery_id=row.pk,
            timestamp=int(time.time()),
        )
        answer = transport.post(destination, body, headers)
    except RefusedDestination as refused:
        return _record_failure(row, clock(), refused.problem, refused.detail)
    except transport.TransportError as error:
        return _record_failure(row, clock(), error.problem, error.detail)
    except DecryptionError as error:
        return _record_failure(row, clock(), DeliveryProblem.SECRET, str(error))
    except Exception as error:  # one broken row must not stop the batch; it is retried like any failure
        logger.exception("Sending webhook delivery %s failed", row.pk)
        return _record_failure(row, clock(), DeliveryProblem.CONNECTION, f"{type(error).__name__}: {error}")
    if 200 <= answer.status < 300:
        return _record_delivered(row, clock(), answer)
    if 300 <= answer.status < 400:
        problem, detail = DeliveryProblem.REDIRECT, f"HTTP {answer.status} to {answer.location or '?'}"
    else:
        problem, detail = DeliveryProblem.HTTP_STATUS, f"HTTP {answer.status}"
    return _record_failure(row, clock(), problem, detail, answer)


def _storable(text: str) -> str:
    """A receiver's words as PostgreSQL can keep them: NUL (a UTF-16 or binary answer has them) is replaced.

    Recording must not fail: a delivery whose answer cannot be written stays `sending`, and is POSTed again
    every time its lease runs out, for ever."""
    return text.replace("\x00", "\ufffd")


def _ours(row: WebhookDelivery):
    """The row while the lease is still this worker's: one another worker re-claimed is that worker's."""
    return WebhookDelivery.objects.filter(pk=row.pk, status=DeliveryStatus.SENDING, attempts=row.attempts)


def _record_delivered(row: WebhookDelivery, at: dt.datetime, answer: transport.Answer) -> str:
    _ours(row).update(
        status=DeliveryStatus.DELIVERED,
        delivered_at=at,
        last_http_status=answer.status,
        last_problem="",
        last_error="",
        response_excerpt=_storable(answer.excerpt),
    )
    return "delivered"


def _record_failure(
    row: WebhookDelivery, at: dt.datetime, problem: str, detail: str, answer: transport.Answer | None = None
) -> str:
    given_up = row.attempts >= max_attempts()
    _ours(row).update(
        status=DeliveryStatus.FAILED if given_up else DeliveryStatus.PENDING,
        next_attempt_at=at if given_up else at + retry_delay(row.attempts),
        last_http_status=answer.status if answer else None,
        last_problem=problem,
        last_error=_storable(detail[:1000]),
        response_excerpt=_storable(answer.excerpt) if answer else "",
    )
    if given_up:
        logger.warning("Gave up on webhook delivery %s after %s attempts: %s %s", row.pk, row.attempts, problem, detail)
    return "failed" if given_up else "retrying"
