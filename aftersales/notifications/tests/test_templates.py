"""The message texts: English from the msgids, any language's values and times the same way, SMS-sized bodies."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation

from aftersales.notifications.services import render
from aftersales.notifications.templatetags.notification_text import local_minute, time_left

CONTEXT = {
    "ticket_number": "T-20260601-0007",
    "customer": "华东数据中心",
    "title": "存储阵列黄灯告警，业务系统访问缓慢需要尽快处理并回复客户",
    "clock": "Response",
    "percent": 80,
    "due_at": dt.datetime(2026, 6, 1, 2, 30, tzinfo=dt.UTC),  # 10:30 in Shanghai
    "remaining": dt.timedelta(minutes=25),
    "url": "http://127.0.0.1:8000/tickets/7/",
}
OVERDUE = {**CONTEXT, "remaining": dt.timedelta(hours=-1, minutes=-5)}


@pytest.mark.parametrize(
    ("template", "context", "subject", "body"),
    [
        (
            "sla_warning",
            CONTEXT,
            "[T-20260601-0007] Response: 80% of the time used",
            'T-20260601-0007 华东数据中心 "存储阵列黄灯告警，业务系统访问缓慢需要…": Response has used 80% of its time, '
            "due 2026-06-01 10:30 (25 min left).",
        ),
        (
            "sla_breach",
            OVERDUE,
            "[T-20260601-0007] Response target missed",
            'T-20260601-0007 华东数据中心 "存储阵列黄灯告警，业务系统访问缓慢需要…": Response target missed, '
            "due 2026-06-01 10:30 (1 h 5 min overdue).",
        ),
        (
            "emergency_plan",
            OVERDUE,
            "[T-20260601-0007] Emergency plan started",
            'T-20260601-0007 华东数据中心 "存储阵列黄灯告警，业务系统访问缓慢需要…": not resolved by 2026-06-01 10:30 '
            "(1 h 5 min overdue). Start the emergency plan now.",
        ),
    ],
)
def test_the_sla_messages_in_english(template, context, subject, body):
    assert render(template, "en", context) == (subject, body)


@pytest.mark.parametrize("template", ["sla_warning", "sla_breach", "emergency_plan"])
def test_every_language_shows_the_values_the_local_time_and_stays_short_for_sms(template):
    subject, body = render(template, "zh-hans", {**OVERDUE, "clock": "响应"})
    assert "\n" not in subject and "T-20260601-0007" in subject
    assert "华东数据中心" in body and "存储阵列黄灯告警" in body and "2026-06-01 10:30" in body
    assert "<" not in body and "&" not in body  # plain text, not HTML-escaped
    assert len(body) <= 140  # about two text messages (67 characters each once Chinese is in them)


def test_text_is_not_html_escaped():
    subject, body = render("sla_warning", "en", {**CONTEXT, "customer": "A&B <Co>", "clock": "Response & fix"})
    assert "A&B <Co>" in body and subject.endswith("Response & fix: 80% of the time used")


def test_render_does_not_change_the_active_language():
    with translation.override("en"):
        render("sla_warning", "zh-hans", CONTEXT)
        assert translation.get_language() == "en"


def test_a_digest_lists_its_notices_with_their_links():
    notices = [
        SimpleNamespace(subject="[T-1] Response: 80%", url="http://s/1"),
        SimpleNamespace(subject="[T-2]", url=""),
    ]
    assert render("digest", "en", {"count": 2, "notices": notices}) == (
        "2 service notices",
        "2 notices since the last message:\n- [T-1] Response: 80%\n  http://s/1\n- [T-2]",
    )
    assert render("digest", "en", {"count": 1, "notices": notices[:1]})[0] == "1 service notice"


@pytest.mark.parametrize(
    ("remaining", "text"),
    [
        (dt.timedelta(minutes=25), "25 min left"),
        (dt.timedelta(seconds=30), "1 min left"),
        (dt.timedelta(0), "0 min left"),
        (dt.timedelta(minutes=60), "1 h 0 min left"),
        (dt.timedelta(hours=2, minutes=5), "2 h 5 min left"),
        (dt.timedelta(seconds=-30), "1 min overdue"),
        (dt.timedelta(minutes=-59), "59 min overdue"),
        (dt.timedelta(hours=-26, minutes=-1), "26 h 1 min overdue"),
    ],
)
def test_time_left_in_words(remaining, text):
    with translation.override("en"):
        assert time_left(remaining) == text


def test_times_are_shown_in_the_installations_zone_to_the_minute():
    assert local_minute(dt.datetime(2026, 12, 31, 16, 5, 59, tzinfo=dt.UTC)) == "2027-01-01 00:05"
    assert local_minute(None) == ""
