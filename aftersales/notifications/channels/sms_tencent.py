"""SMS through Tencent Cloud (SendSms, API version 2021-01-11), signed with TC3-HMAC-SHA256."""

import datetime as dt
import hashlib
import hmac
import json
import time
from urllib.parse import urlsplit

from aftersales.notifications.channels.base import DeliveryError, answer_json, post

SERVICE = "sms"
ACTION = "SendSms"
VERSION = "2021-01-11"
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = "content-type;host;x-tc-action"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(*, secret_id: str, secret_key: str, host: str, body: bytes, timestamp: int) -> str:
    """The Authorization header of a POST to `host` with a JSON `body`, per Tencent Cloud's signature v3."""
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical_headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{ACTION.lower()}\n"
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, SIGNED_HEADERS, hashlib.sha256(body).hexdigest()]
    )
    scope = f"{date}/{SERVICE}/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    signing_key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={SIGNED_HEADERS}, Signature={signature}"


def send(config, row) -> str:
    if not row.recipient:
        raise DeliveryError("An SMS needs a phone number.")
    endpoint = config.setting("endpoint")
    payload = {
        "PhoneNumberSet": [row.recipient],
        "SmsSdkAppId": str(config.setting("sdk_app_id")),
        "SignName": config.setting("sign_name"),
        "TemplateId": str(config.setting("template_id")),
        "TemplateParamSet": [row.body],
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": CONTENT_TYPE,
        "Authorization": authorization(
            secret_id=config.setting("access_key_id"),
            secret_key=config.secret(),
            host=urlsplit(endpoint).netloc,
            body=body,
            timestamp=timestamp,
        ),
        "X-TC-Action": ACTION,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": VERSION,
        "X-TC-Region": config.setting("region"),
    }
    _status, raw = post(endpoint, body, headers)
    response = answer_json(raw).get("Response") or {}
    if error := response.get("Error"):
        raise DeliveryError(f"Tencent Cloud {error.get('Code')}: {error.get('Message')}")
    refused = [status for status in response.get("SendStatusSet") or [] if status.get("Code") != "Ok"]
    if refused or not response.get("SendStatusSet"):
        detail = "; ".join(f"{s.get('PhoneNumber')}: {s.get('Code')} {s.get('Message')}" for s in refused)
        raise DeliveryError(f"Tencent Cloud did not send: {detail or raw}")
    return raw
