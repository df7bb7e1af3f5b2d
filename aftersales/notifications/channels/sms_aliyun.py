"""SMS through Alibaba Cloud (dysmsapi SendSms), RPC-style request signed with HMAC-SHA1 (signature version 1.0)."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from urllib.parse import quote

from aftersales.notifications.channels.base import DeliveryError, answer_json, post


def percent_encode(text) -> str:
    """RFC 3986 encoding, as Alibaba Cloud wants it: space is %20, * is %2A, ~ stays."""
    return quote(str(text), safe="~")


def canonical_query(params: dict) -> str:
    return "&".join(f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params))


def string_to_sign(method: str, params: dict) -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def signature(access_key_secret: str, text: str) -> str:
    digest = hmac.new(f"{access_key_secret}&".encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def send(config, row) -> str:
    if not row.recipient:
        raise DeliveryError("An SMS needs a phone number.")
    params = {
        "AccessKeyId": config.setting("access_key_id"),
        "Action": "SendSms",
        "Format": "JSON",
        "RegionId": config.setting("region"),
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
        "PhoneNumbers": row.recipient,
        "SignName": config.setting("sign_name"),
        "TemplateCode": config.setting("template_code"),
        "TemplateParam": json.dumps({config.setting("template_param"): row.body}, ensure_ascii=False),
    }
    signed = {**params, "Signature": signature(config.secret(), string_to_sign("POST", params))}
    _status, raw = post(
        config.setting("endpoint"),
        canonical_query(signed).encode(),
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    answer = answer_json(raw)
    if answer.get("Code") != "OK":
        raise DeliveryError(f"Alibaba Cloud {answer.get('Code')}: {answer.get('Message', raw)}")
    return raw
