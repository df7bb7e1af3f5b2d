"""The sweep: one delivery per event and subscription, only the events and customers asked for."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.dispatch.choices import WorkOrderEventKind
from aftersales.dispatch.services.common import record_event as work_order_event
from aftersales.dispatch.tests.factories import WorkOrderFactory
from aftersales.tickets import services as tickets
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.webhooks import sweep, tasks
from aftersales.webhooks.models import WebhookCursor, WebhookDelivery
from aftersales.webhooks.services import subscription_set_active
from aftersales.webhooks.sweep import events_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return UserFactory(username="sweep-agent", role=Role.AGENT)


def delivered(subscription=None) -> list[tuple]:
    rows = WebhookDelivery.objects.order_by("subscription_id", "source_kind", "source_event_id")
    if subscription is not None:
        rows = rows.filter(subscription=subscription)
    return list(rows.values_list("subscription_id", "source_kind", "source_event_id", "event"))


def comment_events(agent, ticket, count) -> list[int]:
    """The ids of `count` new comment events on the ticket."""
    before = set(ticket.events.values_list("id", flat=True))
    for n in range(count):
        tickets.comment_add(actor=agent, ticket=ticket, body=f"回复{n}")
    return sorted(set(ticket.events.filter(kind="commented").values_list("id", flat=True)) - before)


def test_running_the_sweep_twice_makes_one_delivery_per_event_and_subscription(subscribe, agent):
    first, _secret = subscribe(events=["ticket.commented"], name="甲")
    second, _secret = subscribe(events=["ticket.commented"], name="乙")
    ids = comment_events(agent, TicketFactory(), 3)

    assert events_sweep() == 6
    assert events_sweep() == 0

    assert delivered() == [
        *[(first.pk, "ticket", event_id, "ticket.commented") for event_id in ids],
        *[(second.pk, "ticket", event_id, "ticket.commented") for event_id in ids],
    ]


def test_only_the_chosen_events_are_sent(subscribe, agent):
    engineer = UserFactory(role=Role.ENGINEER)
    subscription, _secret = subscribe(events=["ticket.status_changed"])
    ticket = TicketFactory(status="assigned", assignee=engineer)
    tickets.comment_add(actor=agent, ticket=ticket, body="收到")
    tickets.ticket_transition(actor=engineer, ticket=ticket, action="accept", version=1)

    events_sweep()

    (row,) = delivered(subscription)
    assert row[3] == "ticket.status_changed"
    assert row[2] == ticket.events.get(kind="status_changed").pk


def test_a_customer_filter_sends_only_that_customers_tickets_and_work_orders(subscribe, agent):
    ours, theirs = CustomerFactory(name="甲单位"), CustomerFactory(name="乙单位")
    subscription, _secret = subscribe(events=["ticket.commented", "work_order.work_logged"], customer=ours)
    everyone, _secret = subscribe(events=["ticket.commented", "work_order.work_logged"], name="全部")
    our_ticket, their_ticket = TicketFactory(customer=ours), TicketFactory(customer=theirs)
    our_comment = comment_events(agent, our_ticket, 1)[0]
    comment_events(agent, their_ticket, 1)
    our_order, their_order = WorkOrderFactory(ticket=our_ticket), WorkOrderFactory(ticket=their_ticket)
    our_log = work_order_event(work_order=our_order, actor=agent, kind=WorkOrderEventKind.WORK_LOGGED)
    work_order_event(work_order=their_order, actor=agent, kind=WorkOrderEventKind.WORK_LOGGED)

    events_sweep()

    assert delivered(subscription) == [
        (subscription.pk, "ticket", our_comment, "ticket.commented"),
        (subscription.pk, "work_order", our_log.pk, "work_order.work_logged"),
    ]
    assert len(delivered(everyone)) == 4
    payloads = WebhookDelivery.objects.filter(subscription=subscription).values_list("payload", flat=True)
    assert {payload["ticket"]["customer_id"] for payload in payloads} == {ours.pk}


def test_internal_notes_are_never_sent_and_no_text_is(subscribe, agent):
    subscription, _secret = subscribe(events=["ticket.commented", "ticket.assigned"])
    ticket = TicketFactory()
    tickets.comment_add(actor=agent, ticket=ticket, body="内部备注：客户欠款。", is_public=False)
    tickets.comment_add(actor=agent, ticket=ticket, body="公开回复：已派工程师。", is_public=True)

    events_sweep()

    (delivery,) = WebhookDelivery.objects.filter(subscription=subscription)
    assert delivery.source_event_id == ticket.events.get(kind="commented", data__public=True).pk
    assert "欠款" not in str(delivery.payload) and "工程师" not in str(delivery.payload)


def test_a_work_order_event_carries_the_order_and_its_ticket(subscribe, agent):
    subscription, _secret = subscribe(events=["work_order.status_changed"])
    order = WorkOrderFactory(number="WO202611220001-1", status="on_site")
    event = work_order_event(
        work_order=order,
        actor=agent,
        kind=WorkOrderEventKind.STATUS_CHANGED,
        from_status="travelling",
        to_status="on_site",
        note="工程师到达，客户要求保密",
    )

    events_sweep()

    payload = WebhookDelivery.objects.get(subscription=subscription).payload
    assert payload == {
        "event": "work_order.status_changed",
        "event_id": event.pk,
        "at": event.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "ticket": {
            "number": order.ticket.number,
            "status": order.ticket.status,
            "priority": order.ticket.priority,
            "kind": order.ticket.kind,
            "customer_id": order.customer_id,
        },
        "work_order": {"number": "WO202611220001-1", "status": "on_site", "kind": "on_site"},
        "change": {"from_status": "travelling", "to_status": "on_site"},
    }


def test_a_customer_does_not_hear_of_a_declined_work_order(subscribe, agent):
    customer = CustomerFactory()
    subscription, _secret = subscribe(events=["work_order.status_changed"], customer=customer)
    order = WorkOrderFactory(ticket=TicketFactory(customer=customer), status="declined")
    work_order_event(
        work_order=order, actor=agent, kind="status_changed", from_status="dispatched", to_status="declined"
    )

    events_sweep()

    assert delivered(subscription) == []


def test_a_new_subscription_does_not_replay_what_happened_before_it(subscribe, agent):
    ticket = TicketFactory()
    comment_events(agent, ticket, 2)
    subscription, _secret = subscribe(events=["ticket.commented"])
    after = comment_events(agent, ticket, 3)

    events_sweep()

    assert [row[2] for row in delivered(subscription)] == after


def test_events_while_a_subscription_was_disabled_are_not_sent_when_it_is_enabled_again(subscribe, agent, admin):
    subscription, _secret = subscribe(events=["ticket.commented"])
    ticket = TicketFactory()
    subscription_set_active(actor=admin, subscription=subscription, active=False)
    comment_events(agent, ticket, 2)
    events_sweep()
    subscription_set_active(actor=admin, subscription=subscription, active=True)
    events_sweep()
    later = comment_events(agent, ticket, 3)

    events_sweep()

    assert [row[2] for row in delivered(subscription)] == later


def test_an_event_that_appears_late_below_ids_already_swept_is_still_sent(subscribe, agent):
    """An event's id is handed out before its transaction commits: a lower id can become visible later."""
    subscription, _secret = subscribe(events=["ticket.commented"])
    ticket = TicketFactory()
    early, late = comment_events(agent, ticket, 2)
    row = TicketEvent.objects.get(pk=early)
    TicketEvent.objects.filter(pk=early).delete()  # "not committed yet"
    start = timezone.now()
    events_sweep(now=start)
    assert [r[2] for r in delivered(subscription)] == [late]

    TicketEvent.objects.bulk_create([row])  # "committed now", with its old, lower id
    events_sweep(now=start + dt.timedelta(minutes=3))

    assert [r[2] for r in delivered(subscription)] == [early, late]


def test_the_cursor_moves_past_ids_once_the_lookback_window_has_passed(subscribe, agent, settings):
    settings.WEBHOOKS_LOOKBACK_MINUTES = 10
    subscription, _secret = subscribe(events=["ticket.commented"])
    created = WebhookCursor.objects.get(subscription=subscription, source="ticket")
    ids = comment_events(agent, TicketFactory(), 2)
    start = created.checkpoint_at

    events_sweep(now=start + dt.timedelta(minutes=5))  # within the window: nothing moves
    cursor = WebhookCursor.objects.get(pk=created.pk)
    assert (cursor.scan_from, cursor.checkpoint) == (created.scan_from, created.checkpoint)

    events_sweep(now=start + dt.timedelta(minutes=10))  # a window on: the checkpoint becomes what was seen
    cursor = WebhookCursor.objects.get(pk=created.pk)
    assert (cursor.scan_from, cursor.checkpoint) == (created.checkpoint, ids[-1])

    events_sweep(now=start + dt.timedelta(minutes=20))  # another window on: reading starts after those ids
    cursor = WebhookCursor.objects.get(pk=created.pk)
    assert cursor.scan_from == ids[-1]
    assert len(delivered(subscription)) == 2


def test_a_backlog_larger_than_a_batch_drains_over_sweeps_without_duplicates(subscribe, agent, monkeypatch):
    monkeypatch.setattr(sweep, "BATCH", 3)
    subscription, _secret = subscribe(events=["ticket.commented"])
    ids = comment_events(agent, TicketFactory(), 7)

    counts = [events_sweep() for _run in range(4)]

    assert counts == [3, 3, 1, 0]
    assert [row[2] for row in delivered(subscription)] == ids


def test_the_periodic_task_sweeps_and_then_asks_for_a_delivery_run(subscribe, agent):
    subscribe(events=["ticket.commented"])
    comment_events(agent, TicketFactory(), 2)

    assert tasks.sweep_webhook_events.call() == 2
    assert tasks.sweep_webhook_events.call() == 0

    assert DBTaskResult.objects.filter(task_path="aftersales.webhooks.tasks.deliver_webhooks").count() == 1
