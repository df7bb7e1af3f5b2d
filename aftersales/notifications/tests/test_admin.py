"""The admin: delivery log and channel configurations for administrators only, secrets write-only and encrypted."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.notifications.choices import ConfigKind, OutboxStatus
from aftersales.notifications.models import ChannelConfig
from aftersales.notifications.tests.conftest import SMTP_PASSWORD
from aftersales.notifications.tests.factories import ChannelConfigFactory, OutboxFactory

pytestmark = pytest.mark.django_db
CHANGELISTS = ["outbox", "channelconfig", "notificationpreference", "inappnotification"]


@pytest.fixture
def administrator(client):
    user = UserFactory(role=Role.ADMIN, is_staff=True, email="admin@example.com", phone="+8613800138000")
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the flashed messages are compared in English
    return user


def stored_secret_column(config) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_token FROM notifications_channelconfig WHERE id = %s", [config.pk])
        return cursor.fetchone()[0]


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_administrators_see_the_delivery_log_and_other_staff_do_not(client, administrator):
    OutboxFactory(status=OutboxStatus.FAILED, last_error="HTTP 503")
    for name in CHANGELISTS:
        assert client.get(reverse(f"admin:notifications_{name}_changelist")).status_code == 200, name
    assert "HTTP 503" not in client.get(reverse("admin:notifications_outbox_changelist")).content.decode()
    log = client.get(reverse("admin:notifications_outbox_changelist"), {"status__exact": "failed", "q": "test:"})
    assert log.status_code == 200 and log.context["cl"].result_count == 1

    client.force_login(UserFactory(role=Role.MANAGER, is_staff=True, is_superuser=False))
    for name in CHANGELISTS:
        assert client.get(reverse(f"admin:notifications_{name}_changelist")).status_code == 403, name
    assert "notifications" not in client.get(reverse("admin:index")).content.decode().lower()


def test_the_delivery_log_is_read_only(client, administrator):
    row = OutboxFactory()
    assert client.get(reverse("admin:notifications_outbox_add")).status_code == 403
    client.post(reverse("admin:notifications_outbox_change", args=[row.pk]), {"recipient": "someone@else.example"})
    row.refresh_from_db()
    assert row.recipient != "someone@else.example"


def test_retry_now_gives_failed_messages_another_attempt(client, administrator):
    failed = OutboxFactory(status=OutboxStatus.FAILED, attempts=6, last_error="HTTP 503")
    sent = OutboxFactory(status=OutboxStatus.SENT)
    response = client.post(
        reverse("admin:notifications_outbox_changelist"),
        {"action": "retry_now", ACTION_CHECKBOX_NAME: [failed.pk, sent.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == (OutboxStatus.PENDING, OutboxStatus.SENT)
    assert len(flashed(response)) == 2  # how many go again, and that the sent one was left alone


def test_a_new_secret_is_stored_encrypted_and_never_shown_back(client, administrator):
    response = client.post(
        reverse("admin:notifications_channelconfig_add"),
        {
            "kind": ConfigKind.EMAIL,
            "name": "公司邮件服务器",
            "enabled": "on",
            "settings": '{"host": "smtp.example.com", "port": 465, "use_ssl": true, "username": "alerts"}',
            "secret": "smtp-密码-42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    config = ChannelConfig.objects.get()
    column = stored_secret_column(config)
    assert "smtp-密码-42" not in column and column.startswith("gAAAAA")  # a Fernet token (random base64 may hold "42")
    assert config.secret() == "smtp-密码-42"

    page = client.get(reverse("admin:notifications_channelconfig_change", args=[config.pk])).content.decode()
    assert "smtp-密码-42" not in page and column not in page

    keep = client.post(
        reverse("admin:notifications_channelconfig_change", args=[config.pk]),
        {"kind": "email", "name": "公司邮件服务器", "enabled": "on", "settings": '{"host": "smtp.example.com"}'},
    )
    assert keep.status_code == 302
    config.refresh_from_db()
    assert config.secret() == "smtp-密码-42"  # an empty secret field keeps the stored one

    client.post(
        reverse("admin:notifications_channelconfig_change", args=[config.pk]),
        {"kind": "email", "name": "公司邮件服务器", "settings": '{"host": "smtp.example.com"}', "clear_secret": "on"},
    )
    config.refresh_from_db()
    assert (config.secret_token, config.enabled) == ("", False)


def test_settings_are_checked_for_their_kind(client, administrator):
    response = client.post(
        reverse("admin:notifications_channelconfig_add"),
        {"kind": ConfigKind.SMS_ALIYUN, "name": "阿里云短信", "settings": '{"access_key_id": "LTAI", "colour": "red"}'},
    )
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"settings", "secret"}
    assert len(errors["settings"]) == 3  # sign_name, template_code missing; colour unknown
    assert not ChannelConfig.objects.exists()


def test_send_test_message_asks_for_a_recipient_then_shows_the_providers_answer(client, administrator, provider):
    robot = ChannelConfigFactory(
        kind=ConfigKind.DINGTALK, settings={"webhook_url": provider.url("/send?access_token=t")}
    )
    changelist = reverse("admin:notifications_channelconfig_changelist")

    form = client.post(changelist, {"action": "send_test_message", ACTION_CHECKBOX_NAME: [robot.pk]})
    assert form.status_code == 200 and robot.name in form.content.decode()
    assert provider.requests == []

    done = client.post(
        changelist, {"action": "send_test_message", ACTION_CHECKBOX_NAME: [robot.pk], "apply": "1", "recipient": ""}
    )

    assert done.status_code == 302
    (request,) = provider.requests
    assert request.json()["msgtype"] == "markdown"
    assert flashed(done) == [f'{robot.name} sent it: {{"errcode": 0, "errmsg": "ok"}}']


def test_a_failed_test_message_shows_the_providers_error(client, administrator, provider):
    robot = ChannelConfigFactory(
        kind=ConfigKind.DINGTALK, settings={"webhook_url": provider.url("/send?access_token=t")}
    )
    provider.answer((200, {"errcode": 300001, "errmsg": "token is not exist"}))
    done = client.post(
        reverse("admin:notifications_channelconfig_changelist"),
        {"action": "send_test_message", ACTION_CHECKBOX_NAME: [robot.pk], "apply": "1"},
    )
    assert flashed(done) == [f"{robot.name} failed: DingTalk errcode 300001: token is not exist"]


def test_a_test_email_goes_to_the_administrators_own_address_by_default(client, administrator, smtp_server):
    config = ChannelConfigFactory(
        kind=ConfigKind.EMAIL,
        settings={"host": smtp_server.host, "port": smtp_server.port, "username": "aftersales", "timeout": 5},
        secret=SMTP_PASSWORD,
    )
    client.post(
        reverse("admin:notifications_channelconfig_changelist"),
        {"action": "send_test_message", ACTION_CHECKBOX_NAME: [config.pk], "apply": "1"},
    )
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["admin@example.com"]
    assert config.name in smtp_server.messages()[0].get_content()
