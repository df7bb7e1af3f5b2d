"""Robots and SMS providers over loopback HTTP. Each test recomputes the provider's signature from the request
it received, written here from the providers' documentation rather than imported from the channel modules."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qsl, quote

import pytest

from aftersales.accounts.tests.factories import UserFactory
from aftersales.notifications.choices import ConfigKind, OutboxStatus
from aftersales.notifications.delivery import deliver_due
from aftersales.notifications.models import Outbox
from aftersales.notifications.services import Message, enqueue
from aftersales.notifications.tests.conftest import free_port
from aftersales.notifications.tests.factories import ChannelConfigFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
SUBJECT = "[T-20260601-0007] 解决: 目标已超时"
BODY = "T-20260601-0007 华东数据中心 “存储阵列黄灯告警”: 已超时 12 分钟。"
URL = "http://127.0.0.1:8000/tickets/7/"


def send(channel: str, recipient: str = "", user=None) -> Outbox:
    enqueue([Message(f"k:{channel}", channel, recipient, user.pk if user else None, SUBJECT, BODY, URL)], now=NOW)
    deliver_due(now=NOW)
    return Outbox.objects.get(key=f"k:{channel}")


def b64_hmac_sha256(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


# Group robots -----------------------------------------------------------------------------------


def test_dingtalk_gets_a_signed_markdown_message_that_mentions_the_engineer(provider):
    ChannelConfigFactory(
        kind=ConfigKind.DINGTALK,
        settings={"webhook_url": provider.url("/robot/send?access_token=tok")},
        secret="SECabc",
    )
    engineer = UserFactory(phone="+8613800138000")

    row = send("dingtalk", user=engineer)

    (request,) = provider.requests
    timestamp = request.query["timestamp"][0]
    assert abs(int(timestamp) - time.time() * 1000) < 60_000  # milliseconds
    assert request.query["access_token"] == ["tok"]
    assert request.query["sign"] == [b64_hmac_sha256(b"SECabc", f"{timestamp}\nSECabc".encode())]
    message = request.json()
    assert message["msgtype"] == "markdown" and message["markdown"]["title"] == SUBJECT
    assert BODY in message["markdown"]["text"] and URL in message["markdown"]["text"]
    assert message["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}
    assert "@13800138000" in message["markdown"]["text"]
    assert (row.status, row.provider_response) == (OutboxStatus.SENT, '{"errcode": 0, "errmsg": "ok"}')


def test_dingtalk_errcode_in_a_200_answer_is_a_failure_that_is_retried(provider):
    ChannelConfigFactory(kind=ConfigKind.DINGTALK, settings={"webhook_url": provider.url("/robot/send?access_token=t")})
    provider.answer((200, {"errcode": 310000, "errmsg": "sign not match"}))

    row = send("dingtalk")

    assert "sign" not in provider.requests[0].query  # no secret configured: unsigned
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.last_error == "DingTalk errcode 310000: sign not match"


def test_wecom_gets_markdown_at_the_webhook_key(provider):
    ChannelConfigFactory(kind=ConfigKind.WECOM, settings={"webhook_url": provider.url("/cgi-bin/webhook/send?key=K1")})
    row = send("wecom")
    (request,) = provider.requests
    assert (request.path, request.query) == ("/cgi-bin/webhook/send", {"key": ["K1"]})
    content = request.json()["markdown"]["content"]
    assert request.json()["msgtype"] == "markdown" and SUBJECT in content and BODY in content and URL in content
    assert row.status == OutboxStatus.SENT


def test_wecom_errcode_is_a_failure(provider):
    ChannelConfigFactory(kind=ConfigKind.WECOM, settings={"webhook_url": provider.url("/send?key=bad")})
    provider.answer((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    row = send("wecom")
    assert row.status == OutboxStatus.PENDING and row.last_error == "WeCom errcode 93000: invalid webhook url"


def test_feishu_gets_a_post_signed_in_its_body(provider):
    ChannelConfigFactory(
        kind=ConfigKind.FEISHU, settings={"webhook_url": provider.url("/open-apis/bot/v2/hook/abc")}, secret="fs-secret"
    )
    provider.default = (200, {"code": 0, "msg": "success", "data": {}})

    row = send("feishu")

    message = provider.requests[0].json()
    timestamp = message["timestamp"]
    assert abs(int(timestamp) - time.time()) < 60  # seconds
    assert message["sign"] == b64_hmac_sha256(f"{timestamp}\nfs-secret".encode(), b"")
    post = message["content"]["post"]["zh_cn"]
    assert message["msg_type"] == "post" and post["title"] == SUBJECT
    assert post["content"] == [[{"tag": "text", "text": BODY}], [{"tag": "a", "text": URL, "href": URL}]]
    assert row.status == OutboxStatus.SENT


def test_feishu_error_code_is_a_failure(provider):
    ChannelConfigFactory(kind=ConfigKind.FEISHU, settings={"webhook_url": provider.url("/hook/x")}, secret="s")
    provider.answer((200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}))
    row = send("feishu")
    assert row.last_error == "Feishu code 19021: sign match fail or timestamp is not within one hour"


# SMS --------------------------------------------------------------------------------------------


def aliyun_config(provider, **settings):
    values = {
        "endpoint": provider.url("/"),
        "access_key_id": "LTAI-test",
        "sign_name": "售后服务平台",
        "template_code": "SMS_123456",
    }
    return ChannelConfigFactory(kind=ConfigKind.SMS_ALIYUN, settings={**values, **settings}, secret="aliyun/secret+")


def test_alibaba_cloud_sendsms_is_signed_with_hmac_sha1_over_the_canonical_query(provider):
    aliyun_config(provider)
    provider.default = (200, {"Code": "OK", "Message": "OK", "BizId": "9006197469364984", "RequestId": "F655A8D5"})

    row = send("sms", recipient="+8613800138000")

    (request,) = provider.requests
    params = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    signature = params.pop("Signature")

    def encode(text):  # RFC 3986: only A-Z a-z 0-9 - _ . ~ stay as they are
        return quote(text, safe="~")

    canonical = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"POST&{encode('/')}&{encode(canonical)}"
    expected = base64.b64encode(hmac.new(b"aliyun/secret+&", string_to_sign.encode(), hashlib.sha1).digest()).decode()
    assert signature == expected
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25" and params["AccessKeyId"] == "LTAI-test"
    assert (params["PhoneNumbers"], params["SignName"], params["TemplateCode"]) == (
        "+8613800138000",
        "售后服务平台",
        "SMS_123456",
    )
    assert json.loads(params["TemplateParam"]) == {"content": BODY}
    assert row.status == OutboxStatus.SENT and "9006197469364984" in row.provider_response


def test_alibaba_cloud_code_other_than_ok_is_a_failure(provider):
    aliyun_config(provider)
    provider.answer((200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"}))
    row = send("sms", recipient="+8613800138000")
    assert row.last_error == "Alibaba Cloud isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控Permits:1"


def tencent_config(provider):
    values = {
        "endpoint": provider.url("/"),
        "access_key_id": "AKIDtest",
        "sdk_app_id": "1400006666",
        "sign_name": "售后服务平台",
        "template_id": "449739",
    }
    return ChannelConfigFactory(kind=ConfigKind.SMS_TENCENT, settings=values, secret="tencent-secret-key")


def tc3_authorization(request, secret_id: str, secret_key: str) -> str:
    """Tencent Cloud API signature v3, recomputed from what the server received."""
    timestamp = int(request.headers["x-tc-timestamp"])
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    headers = f"content-type:{request.headers['content-type']}\nhost:{request.headers['host']}\nx-tc-action:sendsms\n"
    canonical = f"POST\n/\n\n{headers}\ncontent-type;host;x-tc-action\n{hashlib.sha256(request.body).hexdigest()}"
    scope = f"{date}/sms/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"

    def sign(key, message):
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{secret_key}".encode(), date), "sms"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host;x-tc-action, Signature={signature}"


def test_tencent_cloud_sendsms_is_signed_with_tc3_hmac_sha256(provider):
    tencent_config(provider)
    provider.default = (
        200,
        {"Response": {"SendStatusSet": [{"PhoneNumber": "+8613800138000", "Code": "Ok"}], "RequestId": "r-1"}},
    )

    row = send("sms", recipient="+8613800138000")

    (request,) = provider.requests
    assert request.headers["authorization"] == tc3_authorization(request, "AKIDtest", "tencent-secret-key")
    assert request.headers["x-tc-action"] == "SendSms" and request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert request.json() == {
        "PhoneNumberSet": ["+8613800138000"],
        "SmsSdkAppId": "1400006666",
        "SignName": "售后服务平台",
        "TemplateId": "449739",
        "TemplateParamSet": [BODY],
    }
    assert row.status == OutboxStatus.SENT


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "签名错误"}, "RequestId": "r"}},
            "Tencent Cloud AuthFailure.SignatureFailure: 签名错误",
        ),
        (
            {
                "Response": {
                    "SendStatusSet": [{"PhoneNumber": "+8613800138000", "Code": "LimitExceeded", "Message": "日上限"}]
                }
            },
            "Tencent Cloud did not send: +8613800138000: LimitExceeded 日上限",
        ),
    ],
)
def test_tencent_cloud_errors_are_failures(provider, answer, error):
    tencent_config(provider)
    provider.answer((200, answer))
    assert send("sms", recipient="+8613800138000").last_error == error


def test_the_http_gateway_gets_phone_and_text_with_an_hmac_of_the_body(provider):
    ChannelConfigFactory(kind=ConfigKind.SMS_HTTP, settings={"endpoint": provider.url("/sms")}, secret="gateway-key")
    provider.default = (202, {"id": "m-1"})

    row = send("sms", recipient="+8613800138000")

    (request,) = provider.requests
    expected = "sha256=" + hmac.new(b"gateway-key", request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-signature"] == expected
    assert request.json() == {"phone": "+8613800138000", "text": f"{BODY}\n{URL}"}
    assert (row.status, row.provider_response) == (OutboxStatus.SENT, '{"id": "m-1"}')


def test_an_http_error_status_is_retried_and_after_the_last_attempt_the_message_fails(provider, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    ChannelConfigFactory(kind=ConfigKind.SMS_HTTP, settings={"endpoint": provider.url("/sms")}, secret="k")
    provider.default = (503, {"error": "upstream busy"})
    enqueue([Message("k", "sms", "+8613800138000", None, SUBJECT, BODY)], now=NOW)

    now = NOW
    for expected in ("retrying", "retrying", "failed"):
        assert deliver_due(now=now)[expected] == 1
        now = Outbox.objects.get().next_attempt_at

    row = Outbox.objects.get()
    assert (row.status, row.attempts, len(provider.requests)) == (OutboxStatus.FAILED, 3, 3)
    assert row.last_error == 'HTTP 503 Service Unavailable: {"error": "upstream busy"}'


def test_an_unreachable_provider_is_retried():
    ChannelConfigFactory(
        kind=ConfigKind.SMS_HTTP, settings={"endpoint": f"http://127.0.0.1:{free_port()}/sms"}, secret="k"
    )
    row = send("sms", recipient="+8613800138000")
    assert row.status == OutboxStatus.PENDING and "could not be reached" in row.last_error


def test_the_oldest_enabled_configuration_of_a_channel_is_used(provider):
    ChannelConfigFactory(
        kind=ConfigKind.SMS_HTTP, settings={"endpoint": provider.url("/disabled")}, secret="k", enabled=False
    )
    ChannelConfigFactory(kind=ConfigKind.SMS_HTTP, settings={"endpoint": provider.url("/first")}, secret="k")
    ChannelConfigFactory(kind=ConfigKind.SMS_HTTP, settings={"endpoint": provider.url("/second")}, secret="k")
    send("sms", recipient="+8613800138000")
    assert [request.path for request in provider.requests] == ["/first"]
