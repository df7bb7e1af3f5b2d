"""Email headers carried by an outbox row: stored by enqueue, refused when they could inject lines, sent over SMTP."""

import datetime as dt

import pytest
from django.core import mail

from aftersales.core.errors import ValidationFailed
from aftersales.notifications.delivery import deliver_due
from aftersales.notifications.models import Outbox
from aftersales.notifications.services import Message, enqueue
from aftersales.notifications.tests.test_delivery import outcome, smtp_config

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
THREAD = {
    "From": "华东服务台 <support@example.com>",
    "Reply-To": "support@example.com",
    "Message-ID": "<SR202606010007.reply.1@example.com>",
    "In-Reply-To": "<customer-1@mail.example.cn>",
    "References": "<customer-0@mail.example.cn> <customer-1@mail.example.cn>",
}


def test_a_message_without_headers_stores_none():
    enqueue([Message("k", "email", "li.na@example.com", None, "主题", "正文")], now=NOW)

    assert Outbox.objects.get().headers == {}


def test_enqueue_stores_the_headers_and_the_default_mailer_sends_them():
    enqueue([Message("k", "email", "li.na@example.com", None, "主题", "正文", headers=THREAD)], now=NOW)
    assert Outbox.objects.get().headers == THREAD

    assert deliver_due(now=NOW) == outcome(claimed=1, sent=1)

    sent = mail.outbox[0].message()
    assert sent["Message-ID"] == "<SR202606010007.reply.1@example.com>"
    assert sent["In-Reply-To"] == "<customer-1@mail.example.cn>"
    assert sent["References"] == "<customer-0@mail.example.cn> <customer-1@mail.example.cn>"
    assert sent["Reply-To"] == "support@example.com"
    assert str(sent["From"]) == "华东服务台 <support@example.com>"


def test_the_smtp_server_receives_the_threading_headers_and_the_configured_envelope_sender(smtp_server):
    smtp_config(smtp_server)
    enqueue([Message("k", "email", "li.na@example.com", None, "主题", "正文", headers=THREAD)], now=NOW)

    assert deliver_due(now=NOW) == outcome(claimed=1, sent=1)

    (envelope,) = smtp_server.envelopes
    (received,) = smtp_server.messages()
    assert envelope.mail_from == "alerts@example.com"
    assert received["Message-ID"] == "<SR202606010007.reply.1@example.com>"
    assert received["In-Reply-To"] == "<customer-1@mail.example.cn>"
    assert received["Reply-To"] == "support@example.com"
    assert received["From"].addresses[0].addr_spec == "support@example.com"


def test_long_message_ids_are_folded_between_ids_never_encoded(smtp_server):
    outlook_id = "<SEZPR06MB69583A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8@SEZPR06MB6958.apcprd06.prod.outlook.com>"
    references = f"<first@mail.example.cn> {outlook_id} <SR202606010007.reply.1@example.com>"
    smtp_config(smtp_server)
    headers = {"In-Reply-To": outlook_id, "References": references}
    enqueue([Message("k", "email", "li.na@example.com", None, "主题", "正文", headers=headers)], now=NOW)

    deliver_due(now=NOW)

    (envelope,) = smtp_server.envelopes
    header_lines = envelope.original_content.split(b"\r\n\r\n")[0].decode().split("\r\n")
    assert f"In-Reply-To: {outlook_id}" in header_lines
    start = next(n for n, line in enumerate(header_lines) if line.startswith("References:"))
    assert header_lines[start : start + 3] == [
        "References: <first@mail.example.cn>",
        f" {outlook_id}",
        " <SR202606010007.reply.1@example.com>",
    ]
    (received,) = smtp_server.messages()
    assert received["References"].split() == references.split()


@pytest.mark.parametrize(
    "headers",
    [
        {"Subject": "x\r\nBcc: victim@example.com"},
        {"In-Reply-To": "<a@b>\nBcc: victim@example.com"},
        {"X-Bad\nName": "value"},
        {"References": 42},
        {"References": "<a@b>\u2028Bcc: victim@example.com"},
        {"In-Reply-To": "<a\x85b@c>"},
        {"X-Tag": "one\x0btwo"},
        {"Message-ID": "<a@b>\x00"},
        {"In-Reply-To": "<0001@张三的电脑>"},
        {"references": "<a@b> <b@\ufffd>"},
    ],
)
def test_headers_that_would_add_lines_are_refused_and_nothing_is_queued(headers):
    with pytest.raises(ValidationFailed) as refused:
        enqueue([Message("k", "email", "li.na@example.com", None, "主题", "正文", headers=headers)], now=NOW)

    assert list(refused.value.detail) == ["headers"]
    assert not Outbox.objects.exists()


def test_only_email_carries_headers():
    with pytest.raises(ValidationFailed) as refused:
        enqueue([Message("k", "sms", "+8613800138000", None, "主题", "正文", headers={"Message-ID": "<a@b>"})])

    assert list(refused.value.detail) == ["headers"]
    assert not Outbox.objects.exists()
