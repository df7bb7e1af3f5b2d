"""The demo's webhooks: two subscriptions made by the administrator before the recent weeks are replayed, the
sweep turning what happened since into deliveries, and those deliveries' outcomes.

The subscriptions go through `subscription_create`; the demo has no receiver, so they point at an integration
gateway on this machine (loopback, allowed as a private network address): nothing leaves the host, and a
delivery the worker attempts later fails to connect. `events_sweep` makes the deliveries once the tickets are
replayed. Their outcomes are then written as rows (the one place the demo writes rows the services would have
written), dated at their events: delivered, except a night when the customer's receiver was down.
"""

import datetime as dt

from aftersales.accounts.models import User
from aftersales.demo.clock import SimulatedClock, simulated_time
from aftersales.dispatch.models import WorkOrderEvent
from aftersales.tickets.models import TicketEvent
from aftersales.webhooks.choices import DeliveryProblem, DeliveryStatus, SourceKind
from aftersales.webhooks.delivery import max_attempts
from aftersales.webhooks.models import WebhookDelivery, WebhookSubscription
from aftersales.webhooks.services import subscription_create
from aftersales.webhooks.sweep import events_sweep

GATEWAY = "http://127.0.0.1:9080"
SUBSCRIPTIONS = (
    {
        "key": "status",
        "name": "集成总线：全部客户工单状态变更",
        "url": f"{GATEWAY}/aftersales/ticket-status",
        "event_kinds": ["ticket.status_changed"],
        "customer": None,
    },
    {
        "key": "customer",
        "name": "杭州公积金运维平台对接（工单与派工）",
        "url": f"{GATEWAY}/hzgjj/itsm/events",
        "event_kinds": [
            "ticket.created",
            "ticket.status_changed",
            "ticket.assigned",
            "ticket.commented",
            "work_order.status_changed",
            "work_order.signed",
        ],
        "customer": "HZGJJ",
    },
)
FAILED_RUN = 4  # deliveries in a row that failed while the customer's receiver was down


def create_subscriptions(*, users: dict[str, User], customers: dict, at: dt.datetime) -> dict:
    subscriptions = {}
    with simulated_time(SimulatedClock(at)) as clock:
        for index, spec in enumerate(SUBSCRIPTIONS):
            clock.move_to(at + dt.timedelta(minutes=7 * index))
            subscriptions[spec["key"]], _secret = subscription_create(
                actor=users["admin"],
                name=spec["name"],
                url=spec["url"],
                event_kinds=spec["event_kinds"],
                customer=customers[spec["customer"]] if spec["customer"] else None,
                allow_private_network=True,
            )
    return subscriptions


def sweep_and_settle(subscriptions: dict, now: dt.datetime) -> int:
    """Make the deliveries of everything that happened since the subscriptions began, then date them at their
    events and record how they went. Returns how many deliveries were made."""
    made = events_sweep(now=now)
    deliveries = list(
        WebhookDelivery.objects.filter(subscription__in=subscriptions.values()).order_by("subscription_id", "pk")
    )
    moments = {
        SourceKind.TICKET: dict(
            TicketEvent.objects.filter(
                pk__in=[d.source_event_id for d in deliveries if d.source_kind == SourceKind.TICKET]
            ).values_list("pk", "at")
        ),
        SourceKind.WORK_ORDER: dict(
            WorkOrderEvent.objects.filter(
                pk__in=[d.source_event_id for d in deliveries if d.source_kind == SourceKind.WORK_ORDER]
            ).values_list("pk", "at")
        ),
    }
    failing = _failing(subscriptions["customer"], deliveries, moments, now)
    for delivery in deliveries:
        at = moments[delivery.source_kind][delivery.source_event_id]
        delivery.created_at = at
        delivery.last_attempt_at = at + dt.timedelta(seconds=4)
        if delivery.pk in failing:
            delivery.status, delivery.attempts = DeliveryStatus.FAILED, max_attempts()
            delivery.last_attempt_at = at + dt.timedelta(hours=11)
            delivery.next_attempt_at = delivery.last_attempt_at
            delivery.last_http_status, delivery.last_problem = 502, DeliveryProblem.HTTP_STATUS
            delivery.last_error = "HTTP 502"
            delivery.response_excerpt = "<html><body><h1>502 Bad Gateway</h1></body></html>"
        else:
            delivery.status, delivery.attempts = DeliveryStatus.DELIVERED, 1
            delivery.next_attempt_at = delivery.delivered_at = delivery.last_attempt_at
            delivery.last_http_status, delivery.response_excerpt = 200, '{"accepted": true}'
    WebhookDelivery.objects.bulk_update(
        deliveries,
        [
            "created_at",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_http_status",
            "last_problem",
            "last_error",
            "response_excerpt",
            "delivered_at",
        ],
        batch_size=500,
    )
    return made


def _failing(subscription: WebhookSubscription, deliveries, moments, now) -> set[int]:
    """The customer's first deliveries of the night three days ago (the receiver was being upgraded)."""
    night = now - dt.timedelta(days=3)
    own = sorted(
        (moments[d.source_kind][d.source_event_id], d.pk) for d in deliveries if d.subscription_id == subscription.pk
    )
    later = [pk for at, pk in own if at >= night]
    chosen = later[:FAILED_RUN] or [pk for _at, pk in own[-FAILED_RUN:]]
    return set(chosen)
