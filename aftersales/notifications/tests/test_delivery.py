"""Delivery: real email over loopback SMTP, retries with backoff, giving up, leases, digests and quiet hours."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.tests.factories import UserFactory
from aftersales.notifications.choices import ChannelKind, ConfigKind, OutboxStatus
from aftersales.notifications.delivery import deliver_due
from aftersales.notifications.models import InAppNotification, Outbox
from aftersales.notifications.services import Message, enqueue, render
from aftersales.notifications.tests.conftest import SMTP_PASSWORD, free_port
from aftersales.notifications.tests.factories import (
    ChannelConfigFactory,
    NotificationPreferenceFactory,
    OutboxFactory,
)

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
CONTEXT = {
    "ticket_number": "T-20260601-0007",
    "customer": "华东数据中心",
    "title": "存储阵列黄灯告警",
    "clock": "响应",
    "percent": 80,
    "due_at": dt.datetime(2026, 6, 1, 2, 30, tzinfo=dt.UTC),
    "remaining": dt.timedelta(minutes=25),
    "url": "http://127.0.0.1:8000/tickets/7/",
}


def outcome(**counts) -> dict:
    return {"claimed": 0, "bundled": 0, "sent": 0, "retrying": 0, "failed": 0, **counts}


def smtp_config(server, **settings):
    values = {"host": server.host, "port": server.port, "username": "aftersales", "from_email": "alerts@example.com"}
    return ChannelConfigFactory(
        kind=ConfigKind.EMAIL, settings={**values, "timeout": 5, **settings}, secret=SMTP_PASSWORD
    )


def test_an_email_reaches_the_smtp_server_with_its_chinese_text(smtp_server):
    smtp_config(smtp_server)
    subject, body = render("sla_warning", "zh-hans", CONTEXT)
    enqueue(
        [Message("sla:7:response:80:email", "email", "li.na@example.com", None, subject, body, CONTEXT["url"])], now=NOW
    )

    assert deliver_due(now=NOW) == outcome(claimed=1, sent=1)

    (envelope,) = smtp_server.envelopes
    (received,) = smtp_server.messages()
    assert (envelope.mail_from, envelope.rcpt_tos) == ("alerts@example.com", ["li.na@example.com"])
    assert smtp_server.logins == [("aftersales", SMTP_PASSWORD)]
    assert received["Subject"] == subject and "响应" in subject and "T-20260601-0007" in subject
    text = received.get_content()
    assert "华东数据中心" in text and "存储阵列黄灯告警" in text and "2026-06-01 10:30" in text
    assert text.rstrip().endswith("http://127.0.0.1:8000/tickets/7/")
    row = Outbox.objects.get()
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (OutboxStatus.SENT, 1, NOW, "")
    assert row.provider_response == f"Accepted by 127.0.0.1:{smtp_server.port}."


def test_an_email_without_a_configured_server_goes_through_the_default_mailer():
    enqueue([Message("k", "email", "li.na@example.com", None, "主题", "正文", "http://x.example/1")], now=NOW)
    assert deliver_due(now=NOW) == outcome(claimed=1, sent=1)
    (sent,) = mail.outbox
    assert (sent.subject, sent.to, sent.body) == ("主题", ["li.na@example.com"], "正文\n\nhttp://x.example/1")


def test_a_refused_login_is_retried_with_the_servers_answer(smtp_server):
    config = smtp_config(smtp_server)
    config.set_secret("wrong-password")
    config.save()
    enqueue([Message("k", "email", "li.na@example.com", None, "主题", "正文")], now=NOW)

    assert deliver_due(now=NOW) == outcome(claimed=1, retrying=1)

    row = Outbox.objects.get()
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.PENDING, 1, NOW + dt.timedelta(seconds=30))
    assert "535" in row.last_error
    assert smtp_server.envelopes == []


def test_failures_back_off_exponentially_and_give_up_visibly_after_the_last_attempt(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 6
    closed_port = free_port()
    ChannelConfigFactory(kind=ConfigKind.EMAIL, settings={"host": "127.0.0.1", "port": closed_port, "timeout": 2})
    enqueue([Message("k", "email", "li.na@example.com", None, "主题", "正文")], now=NOW)

    now, waits = NOW, []
    for _attempt in range(5):
        assert deliver_due(now=now) == outcome(claimed=1, retrying=1)
        row = Outbox.objects.get()
        waits.append((row.next_attempt_at - now).total_seconds())
        assert deliver_due(now=row.next_attempt_at - dt.timedelta(seconds=1)) == outcome()  # not yet
        now = row.next_attempt_at
    assert waits == [30, 60, 120, 240, 480]

    assert deliver_due(now=now) == outcome(claimed=1, failed=1)
    row = Outbox.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 6)
    assert f"127.0.0.1:{closed_port}" in row.last_error
    assert deliver_due(now=now + dt.timedelta(days=1)) == outcome()  # given up: never tried again by itself


def test_a_message_left_sending_by_a_dead_worker_is_sent_again_after_its_lease():
    user = UserFactory()
    stuck = OutboxFactory(
        channel=ChannelKind.IN_APP, user=user, status=OutboxStatus.SENDING, attempts=1, next_attempt_at=NOW
    )
    leased = OutboxFactory(
        channel=ChannelKind.IN_APP,
        user=user,
        status=OutboxStatus.SENDING,
        attempts=1,
        next_attempt_at=NOW + dt.timedelta(minutes=3),  # another worker holds it
    )

    assert deliver_due(now=NOW) == outcome(claimed=1, sent=1)

    stuck.refresh_from_db()
    leased.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (OutboxStatus.SENT, 2)
    assert leased.status == OutboxStatus.SENDING


def test_an_in_app_message_delivered_twice_still_shows_once():
    user = UserFactory()
    enqueue([Message("k", "in_app", "", user.pk, "工单 T-0007 响应超时", "华东数据中心", "/tickets/7/")], now=NOW)
    deliver_due(now=NOW)
    Outbox.objects.update(status=OutboxStatus.SENDING, next_attempt_at=NOW)  # as if the worker died after sending

    deliver_due(now=NOW + dt.timedelta(minutes=6))

    notification = InAppNotification.objects.get()
    assert (notification.user, notification.title, notification.url) == (user, "工单 T-0007 响应超时", "/tickets/7/")
    assert notification.outbox == Outbox.objects.get()


def test_five_non_urgent_warnings_for_one_user_arrive_as_one_digest(settings):
    settings.NOTIFICATIONS_DIGEST_MINUTES = 10
    user = UserFactory(email="li.na@example.com")
    NotificationPreferenceFactory(user=user, language="en")
    other = UserFactory(email="wang.wu@example.com")

    def warning(key, recipient, subject, url=""):
        return Message(key, "email", recipient.email, recipient.pk, subject, "正文", url, urgent=False)

    enqueue(
        [warning(f"sla:{n}:response:80:email", user, f"[T-000{n}] 响应 80%", f"http://s/{n}") for n in range(1, 6)],
        now=NOW,
    )
    enqueue([warning("sla:6:response:80:email", user, "[T-0006] 响应 80%")], now=NOW + dt.timedelta(minutes=4))
    enqueue([warning("lone", other, "[T-0009] 响应 80%")], now=NOW)
    enqueue([Message("breach", "email", user.email, user.pk, "[T-0001] 响应超时", "正文", urgent=True)], now=NOW)

    assert deliver_due(now=NOW) == outcome(claimed=1, sent=1)  # the urgent breach, at once and alone
    assert deliver_due(now=NOW + dt.timedelta(minutes=9)) == outcome()
    # At 10:10 the first five are due; the sixth (held until 10:14) rides along in the same digest.
    assert deliver_due(now=NOW + dt.timedelta(minutes=10)) == outcome(claimed=2, bundled=6, sent=2)

    subjects = [message.subject for message in mail.outbox]
    assert sorted(subjects) == sorted(["[T-0001] 响应超时", "6 service notices", "[T-0009] 响应 80%"])
    digest_mail = mail.outbox[subjects.index("6 service notices")]
    assert digest_mail.to == ["li.na@example.com"]
    assert all(f"[T-000{n}] 响应 80%" in digest_mail.body for n in range(1, 7)) and "http://s/3" in digest_mail.body
    digest = Outbox.objects.get(key__startswith="digest:")
    assert (digest.status, digest.user, digest.urgent) == (OutboxStatus.SENT, user, False)
    assert sorted(digest.bundled.values_list("key", flat=True)) == sorted(
        [f"sla:{n}:response:80:email" for n in range(1, 7)]
    )
    assert set(digest.bundled.values_list("status", flat=True)) == {OutboxStatus.BUNDLED}


def test_only_companions_of_a_due_message_are_pulled_into_its_digest(settings):
    settings.NOTIFICATIONS_DIGEST_MINUTES = 10
    li, wang = UserFactory(email="li.na@example.com"), UserFactory(email="wang.wu@example.com")

    def warning(key, user, channel, address):
        return Message(key, channel, address, user.pk, key, "", urgent=False)

    enqueue([warning(f"li-mail{n}", li, "email", li.email) for n in (1, 2)], now=NOW)
    enqueue([warning(f"wang-sms{n}", wang, "sms", "+8613900139000") for n in (1, 2)], now=NOW)
    later = NOW + dt.timedelta(minutes=5)  # Li's text messages are not due at 10:10, and nothing of Li's by SMS is
    enqueue([warning(f"li-sms{n}", li, "sms", "+8613800138000") for n in (1, 2)], now=later)

    assert deliver_due(now=NOW + dt.timedelta(minutes=10))["bundled"] == 4

    held = Outbox.objects.filter(key__startswith="li-sms").values_list("status", flat=True)
    assert set(held) == {OutboxStatus.PENDING}


def test_a_warning_in_quiet_hours_waits_until_they_end_and_an_urgent_breach_goes_at_once():
    user = UserFactory()
    NotificationPreferenceFactory(user=user, quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7))
    night = dt.datetime(2026, 6, 1, 23, 0, tzinfo=SHANGHAI)
    enqueue(
        [
            Message("warning", "in_app", "", user.pk, "响应时限已用 80%", "", urgent=False),
            Message("breach", "in_app", "", user.pk, "响应超时", "", urgent=True),
        ],
        now=night,
    )

    assert deliver_due(now=night) == outcome(claimed=1, sent=1)
    assert list(InAppNotification.objects.values_list("title", flat=True)) == ["响应超时"]
    assert deliver_due(now=dt.datetime(2026, 6, 2, 6, 59, tzinfo=SHANGHAI)) == outcome()
    seven = dt.datetime(2026, 6, 2, 7, 0, tzinfo=SHANGHAI)
    assert deliver_due(now=seven) == outcome(claimed=1, sent=1)
    assert Outbox.objects.get(key="warning").sent_at == seven
    assert InAppNotification.objects.count() == 2


def test_a_robot_channel_without_configuration_is_an_error_in_the_log():
    enqueue([Message("k", "dingtalk", "", None, "主题", "正文")], now=NOW)
    deliver_due(now=NOW)
    row = Outbox.objects.get()
    assert row.status == OutboxStatus.PENDING and "No enabled channel configuration" in row.last_error


def test_rows_are_claimed_with_skip_locked_where_the_database_has_it():
    enqueue([Message("k", "in_app", "", UserFactory().pk, "主题", "正文")], now=NOW)
    with CaptureQueriesContext(connection) as queries:
        deliver_due(now=NOW)
    claim = next(query["sql"] for query in queries if 'FROM "notifications_outbox"' in query["sql"])
    if connection.features.has_select_for_update_skip_locked:
        assert "FOR UPDATE SKIP LOCKED" in claim
    else:
        assert "FOR UPDATE" not in claim
