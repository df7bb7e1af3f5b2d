"""Channel configurations are checked per kind; preferences refuse half-set quiet hours."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from aftersales.core import crypto
from aftersales.notifications.choices import ConfigKind
from aftersales.notifications.models import ChannelConfig, NotificationPreference
from aftersales.notifications.tests.factories import ChannelConfigFactory

GOOD = {
    ConfigKind.EMAIL: {"host": "smtp.exmail.qq.com", "port": 465, "use_ssl": True, "username": "alerts@example.com"},
    ConfigKind.SMS_ALIYUN: {"access_key_id": "LTAI5t", "sign_name": "售后服务平台", "template_code": "SMS_1"},
    ConfigKind.SMS_TENCENT: {
        "access_key_id": "AKID",
        "sdk_app_id": "1400",
        "sign_name": "售后",
        "template_id": "449739",
    },
    ConfigKind.SMS_HTTP: {"endpoint": "https://sms.example.com/send"},
    ConfigKind.DINGTALK: {"webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc"},
    ConfigKind.WECOM: {"webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"},
    ConfigKind.FEISHU: {"webhook_url": "https://open.feishu.cn/open-apis/bot/v2/hook/abc"},
}
NEEDS_SECRET = {ConfigKind.SMS_ALIYUN, ConfigKind.SMS_TENCENT, ConfigKind.SMS_HTTP}


def errors(kind, values, *, secret=""):
    config = ChannelConfig(kind=kind, name="x", settings=values)
    config.set_secret(secret)
    try:
        config.clean()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.parametrize("kind", list(GOOD))
def test_each_kind_accepts_its_settings(kind):
    secret = "s" if kind in NEEDS_SECRET else ""
    assert errors(kind, GOOD[kind], secret=secret) == {}


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        (ConfigKind.EMAIL, {}, "Give the setting “host”."),
        (ConfigKind.EMAIL, {"host": "h", "port": 70000}, "The setting “port” must be a whole number from 1 to 65535."),
        (ConfigKind.EMAIL, {"host": "h", "port": "25"}, "The setting “port” must be a whole number from 1 to 65535."),
        (ConfigKind.EMAIL, {"host": "h", "use_tls": "yes"}, "The setting “use_tls” must be true or false."),
        (
            ConfigKind.EMAIL,
            {"host": "h", "use_tls": True, "use_ssl": True},
            "Use either TLS (use_tls) or SSL (use_ssl), not both.",
        ),
        (ConfigKind.EMAIL, {"host": "h", "from_email": "nobody"}, "The setting “from_email” must be an email address."),
        (
            ConfigKind.EMAIL,
            {"host": "h", "password": "p"},
            "Unknown setting “password”; this kind takes: from_email, host, port, timeout, use_ssl, use_tls, username.",
        ),
        (
            ConfigKind.SMS_HTTP,
            {"endpoint": "ftp://x.example"},
            "The setting “endpoint” must be a web address starting with http:// or https://.",
        ),
        (
            ConfigKind.DINGTALK,
            {"webhook_url": "https://oapi.dingtalk.com/robot/send"},
            "A DingTalk webhook address carries its access_token, e.g. https://oapi.dingtalk.com/robot/send?access_token=…",
        ),
        (
            ConfigKind.WECOM,
            {"webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"},
            "A WeCom webhook address carries its key, e.g. https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        ),
    ],
)
def test_settings_errors_say_what_is_wrong(kind, values, message):
    with translation.override("en"):
        assert errors(kind, values, secret="s" if kind in NEEDS_SECRET else "") == {"settings": [message]}


def test_settings_must_be_an_object():
    with translation.override("en"):
        assert errors(ConfigKind.EMAIL, ["host"]) == {
            "settings": ['Settings must be a JSON object, such as {"host": "smtp.example.com"}.']
        }


def test_providers_need_their_secret_and_wecom_takes_none():
    with translation.override("en"):
        assert errors(ConfigKind.SMS_ALIYUN, GOOD[ConfigKind.SMS_ALIYUN]) == {"secret": ["Enter the AccessKey secret."]}
        assert errors(ConfigKind.WECOM, GOOD[ConfigKind.WECOM], secret="s") == {
            "secret": ["This kind of channel takes no secret; its key is part of the webhook address."]
        }


@pytest.mark.django_db
def test_the_secret_is_stored_as_a_token_and_read_back(settings):
    config = ChannelConfigFactory(kind=ConfigKind.SMS_HTTP, settings=GOOD[ConfigKind.SMS_HTTP], secret="网关密钥-123")
    stored = ChannelConfig.objects.values_list("secret_token", flat=True).get(pk=config.pk)
    assert "网关密钥" not in stored and "123" not in stored
    assert ChannelConfig.objects.get(pk=config.pk).secret() == "网关密钥-123"
    settings.ENCRYPTION_KEYS = [crypto.generate_key()]  # the key was changed without keeping the old one
    with pytest.raises(crypto.DecryptionError):
        config.secret()


def test_defaults_fill_unset_settings():
    config = ChannelConfig(kind=ConfigKind.SMS_ALIYUN, settings={"region": ""})
    assert (config.setting("region"), config.setting("endpoint")) == ("cn-hangzhou", "https://dysmsapi.aliyuncs.com/")


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [(dt.time(22), None, "__all__"), (None, dt.time(7), "__all__"), (dt.time(7), dt.time(7), "quiet_hours_end")],
)
def test_quiet_hours_need_a_start_and_a_different_end(start, end, problem):
    with pytest.raises(ValidationError) as refused:
        NotificationPreference(quiet_hours_start=start, quiet_hours_end=end).full_clean(exclude=["user"])
    assert list(refused.value.message_dict) == [problem]
