"""The sweep: turn new ticket and work-order events into deliveries, once per event and subscription.

Run every minute (tasks.sweep_webhook_events). For each active subscription and each source it reads
the events after the subscription's cursor that the subscription asked for, and inserts their
deliveries with INSERT ... ON CONFLICT DO NOTHING on (subscription, source, event id): two sweeps at
the same time, a sweep repeated after a crash, or a window read twice never make a second delivery.
The cursor trails by a lookback window (see WebhookCursor) so that an event committed late — after an
event with a higher id was already swept — is still picked up.

Internal notes' and internal files' events are not sent; a customer-filtered subscription does not
hear about declined work orders either (the customer does not see those).
"""

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from aftersales.dispatch.choices import WorkOrderStatus
from aftersales.dispatch.models import WorkOrderEvent
from aftersales.tickets.models import TicketEvent
from aftersales.webhooks.choices import SourceKind, kinds_of
from aftersales.webhooks.models import WebhookCursor, WebhookDelivery, WebhookSubscription
from aftersales.webhooks.payloads import ticket_event_payload, work_order_event_payload

BATCH = 500
SWEPT_SOURCES = (SourceKind.TICKET, SourceKind.WORK_ORDER)
TICKET_FIELDS = ("number", "status", "priority", "kind", "customer")


def lookback() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "WEBHOOKS_LOOKBACK_MINUTES", 10))


def _ticket_events(subscription: WebhookSubscription, kinds: list[str]):
    events = TicketEvent.objects.filter(kind__in=kinds).filter(Q(data__public=True) | ~Q(data__has_key="public"))
    if subscription.customer_id:
        events = events.filter(ticket__customer_id=subscription.customer_id)
    return events.select_related("ticket").only(
        "id", "kind", "at", "from_status", "to_status", *(f"ticket__{name}" for name in TICKET_FIELDS)
    )


def _work_order_events(subscription: WebhookSubscription, kinds: list[str]):
    events = WorkOrderEvent.objects.filter(kind__in=kinds)
    if subscription.customer_id:
        events = events.filter(work_order__customer_id=subscription.customer_id).exclude(
            to_status=WorkOrderStatus.DECLINED
        )
    return events.select_related("work_order__ticket").only(
        "id",
        "kind",
        "at",
        "from_status",
        "to_status",
        "work_order__number",
        "work_order__status",
        "work_order__kind",
        *(f"work_order__ticket__{name}" for name in TICKET_FIELDS),
    )


SOURCES = {
    SourceKind.TICKET: (TicketEvent, _ticket_events, ticket_event_payload),
    SourceKind.WORK_ORDER: (WorkOrderEvent, _work_order_events, work_order_event_payload),
}


def latest_event_id(source: str) -> int:
    model = SOURCES[source][0]
    return model.objects.aggregate(latest=Max("id"))["latest"] or 0


def cursors_start(subscription: WebhookSubscription, now: dt.datetime) -> None:
    """Start (or restart) the subscription's cursors at the newest events: history is not replayed."""
    for source in SWEPT_SOURCES:
        latest = latest_event_id(source)
        WebhookCursor.objects.update_or_create(
            subscription=subscription,
            source=source,
            defaults={"scan_from": latest, "checkpoint": latest, "checkpoint_at": now},
        )


def events_sweep(now: dt.datetime | None = None) -> int:
    """Make the deliveries of every active subscription's new events; returns how many rows were offered."""
    now = now or timezone.now()
    offered = 0
    for subscription_id in WebhookSubscription.objects.filter(is_active=True).values_list("pk", flat=True):
        offered += _sweep_subscription(subscription_id, now)
    return offered


def _locked(queryset):
    if connection.features.has_select_for_update_skip_locked:
        # Another sweeper holding this subscription is doing its work; skip it rather than wait.
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset  # SQLite: the IMMEDIATE transaction already holds the write lock


@transaction.atomic
def _sweep_subscription(subscription_id: int, now: dt.datetime) -> int:
    cursors = list(
        _locked(
            WebhookCursor.objects.filter(subscription_id=subscription_id, subscription__is_active=True)
            .select_related("subscription")
            .order_by("source")
        )
    )
    offered = 0
    for cursor in cursors:
        offered += _sweep_source(cursor, now)
    return offered


def _sweep_source(cursor: WebhookCursor, now: dt.datetime) -> int:
    subscription = cursor.subscription
    _model, events_for, build = SOURCES[cursor.source]
    latest = latest_event_id(cursor.source)  # read first: events beyond it wait for the next sweep
    kinds = kinds_of(cursor.source, subscription.event_kinds)
    events = []
    if kinds and latest > cursor.scan_from:
        delivered = WebhookDelivery.objects.filter(
            subscription=subscription, source_kind=cursor.source, source_event_id__gt=cursor.scan_from
        ).values("source_event_id")
        events = list(
            events_for(subscription, kinds)
            .filter(id__gt=cursor.scan_from, id__lte=latest)
            .exclude(id__in=delivered)
            .order_by("id")[:BATCH]
        )
    insert_deliveries(
        [
            WebhookDelivery(
                subscription=subscription,
                source_kind=cursor.source,
                source_event_id=event.pk,
                event=payload["event"],
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
            for event in events
            for payload in [build(event)]
        ]
    )
    handled_up_to = events[-1].pk if len(events) == BATCH else latest
    _advance(cursor, handled_up_to, now)
    return len(events)


def insert_deliveries(rows: list[WebhookDelivery]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: a delivery another sweep made first stays the only one."""
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)


def _advance(cursor: WebhookCursor, handled_up_to: int, now: dt.datetime) -> None:
    if now - cursor.checkpoint_at < lookback():
        return
    # Everything up to the checkpoint was visible a whole window ago: nothing below it can still appear.
    cursor.scan_from = max(cursor.scan_from, cursor.checkpoint)
    cursor.checkpoint = max(cursor.checkpoint, handled_up_to)
    cursor.checkpoint_at = now
    cursor.save(update_fields=["scan_from", "checkpoint", "checkpoint_at"])
