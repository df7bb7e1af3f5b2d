"""Queueing: idempotent per key, a bounded number of queries, quiet hours and the digest window."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import ValidationFailed
from aftersales.notifications.choices import OutboxStatus
from aftersales.notifications.models import Outbox
from aftersales.notifications.services import Message, enqueue, quiet_hours_end_after
from aftersales.notifications.tests.factories import NotificationPreferenceFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=SHANGHAI)


def message(key="sla:1:response:80:user1:email", **overrides) -> Message:
    values = {
        "key": key,
        "channel": "email",
        "recipient": "li.na@example.com",
        "user_id": None,
        "subject": "[T-0001] 响应: 80% of the time used",
        "body": "T-0001 华东数据中心",
        "url": "http://127.0.0.1:8000/tickets/1/",
        "urgent": True,
    }
    return Message(**{**values, **overrides})


def test_a_key_is_queued_once_however_often_it_is_enqueued():
    assert enqueue([message(), message(), message(key="other")]) == 2
    assert enqueue([message(), message(key="third")]) == 1
    assert enqueue([message()]) == 0
    assert sorted(Outbox.objects.values_list("key", flat=True)) == ["other", "sla:1:response:80:user1:email", "third"]
    row = Outbox.objects.get(key="third")
    assert (row.status, row.attempts, row.channel, row.recipient) == (
        OutboxStatus.PENDING,
        0,
        "email",
        "li.na@example.com",
    )


def test_thousands_of_messages_take_a_bounded_number_of_queries(django_assert_max_num_queries):
    users = UserFactory.create_batch(3)
    NotificationPreferenceFactory(user=users[0], quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7))
    batch = [
        message(key=f"sla:{n}:resolution:80:user:{users[n % 3].pk}:email", user_id=users[n % 3].pk, urgent=n % 2 == 0)
        for n in range(3000)
    ]
    # Preferences, keys already queued, and the INSERT (SQLite splits it into batches of its variable limit).
    with django_assert_max_num_queries(8):
        assert enqueue(batch, now=at(10)) == 3000
    with django_assert_max_num_queries(3):
        assert enqueue(batch, now=at(10)) == 0
    assert Outbox.objects.count() == 3000


def test_enqueue_runs_in_the_callers_transaction_and_schedules_one_delivery_on_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue([message(key="a")])
        enqueue([message(key="b")])
        enqueue([message(key="a")])  # nothing new
    assert len(callbacks) == 1
    assert DBTaskResult.objects.filter(task_path="aftersales.notifications.tasks.deliver_notifications").count() == 1


def test_held_messages_do_not_schedule_an_immediate_delivery(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue([message(user_id=user.pk, urgent=False)])
    assert callbacks == []


def test_urgent_messages_go_at_once_and_non_urgent_wait_for_the_digest_window(settings):
    settings.NOTIFICATIONS_DIGEST_MINUTES = 10
    user = UserFactory()
    enqueue(
        [
            message(key="urgent", user_id=user.pk, urgent=True),
            message(key="warning", user_id=user.pk, urgent=False),
            message(key="contact", user_id=None, urgent=False),  # a customer contact has no preferences to wait for
        ],
        now=at(10),
    )
    held = dict(Outbox.objects.values_list("key", "not_before"))
    assert held == {"urgent": at(10), "warning": at(10, 10), "contact": at(10)}


def test_non_urgent_messages_wait_until_the_quiet_hours_end():
    user = UserFactory()
    NotificationPreferenceFactory(user=user, quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7))
    enqueue([message(key="late", user_id=user.pk, urgent=False)], now=at(23))
    enqueue([message(key="early", user_id=user.pk, urgent=False)], now=at(5, 30, day=2))
    enqueue([message(key="nearly", user_id=user.pk, urgent=False)], now=at(21, 55, day=2))  # window ends at 22:05
    enqueue([message(key="breach", user_id=user.pk, urgent=True)], now=at(23, day=2))
    held = dict(Outbox.objects.values_list("key", "not_before"))
    assert held == {"late": at(7, day=2), "early": at(7, day=2), "nearly": at(7, day=3), "breach": at(23, day=2)}


@pytest.mark.parametrize(
    ("start", "end", "now", "ends"),
    [
        (dt.time(22), dt.time(7), at(22), at(7, day=2)),
        (dt.time(22), dt.time(7), at(6, 59), at(7)),
        (dt.time(22), dt.time(7), at(7), None),
        (dt.time(22), dt.time(7), at(12), None),
        (dt.time(12), dt.time(14), at(13), at(14)),
        (dt.time(12), dt.time(14), at(14), None),
        (dt.time(0), dt.time(6), at(23, 59), None),
    ],
)
def test_quiet_hours_may_cross_midnight(start, end, now, ends):
    assert quiet_hours_end_after(now.astimezone(dt.UTC), start, end) == ends


def test_a_message_the_outbox_cannot_hold_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        enqueue([message(key="x" * 256), message(key="y", channel="pigeon"), message(key="z", channel="in_app")])
    assert set(refused.value.detail) == {"key", "channel", "user_id"}
    assert not Outbox.objects.exists()


def test_nothing_to_queue_costs_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert enqueue([]) == 0
    assert len(queries) == 0
