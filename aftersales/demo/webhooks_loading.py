"""The demo's webhooks: two subscriptions made by the administrator before the recent weeks are replayed, the
sweep turning what happened since into deliveries, and those deliveries' outcomes.

The subscriptions go through `subscription_create`; the demo has no receiver, so they point at an integration
gateway on this machine (loopback, allowed as a private network address): nothing leaves the host, and a
delivery the worker attempts later fails to connect. `events_sweep` makes the deliveries once the tickets are
replayed. Their outcomes are then written as rows (the one place the demo writes rows the services would have
written), dated at their events: delivered, except a night when the customer's receiver was down.
"""

import datetime as dt

from django.db.models import F, OuterRef, Subquery

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
    events and record how they went (a few UPDATE statements). Returns how many deliveries were made."""
    made = events_sweep(now=now)
    deliveries = WebhookDelivery.objects.filter(subscription__in=subscriptions.values())
    for source, model in ((SourceKind.TICKET, TicketEvent), (SourceKind.WORK_ORDER, WorkOrderEvent)):
        moment = model.objects.filter(pk=OuterRef("source_event_id")).values("at")[:1]
        deliveries.filter(source_kind=source).update(created_at=Subquery(moment))
    failing = _failing(subscriptions["customer"], now)
    answered = F("created_at") + dt.timedelta(seconds=4)
    deliveries.exclude(pk__in=failing).update(
        status=DeliveryStatus.DELIVERED,
        attempts=1,
        last_attempt_at=answered,
        next_attempt_at=answered,
        delivered_at=answered,
        last_http_status=200,
        response_excerpt='{"accepted": true}',
    )
    given_up = F("created_at") + dt.timedelta(hours=11)
    deliveries.filter(pk__in=failing).update(
        status=DeliveryStatus.FAILED,
        attempts=max_attempts(),
        last_attempt_at=given_up,
        next_attempt_at=given_up,
        last_http_status=502,
        last_problem=DeliveryProblem.HTTP_STATUS,
        last_error="HTTP 502",
        response_excerpt="<html><body><h1>502 Bad Gateway</h1></body></html>",
    )
    return made


def _failing(subscription: WebhookSubscription, now: dt.datetime) -> list[int]:
    """The customer's first deliveries of the night three days ago (its receiver was being upgraded); the last
    ones when nothing happened since then."""
    own = WebhookDelivery.objects.filter(subscription=subscription).order_by("created_at", "pk")
    night = now - dt.timedelta(days=3)
    chosen = list(own.filter(created_at__gte=night).values_list("pk", flat=True)[:FAILED_RUN])
    return chosen or list(own.reverse().values_list("pk", flat=True)[:FAILED_RUN])
