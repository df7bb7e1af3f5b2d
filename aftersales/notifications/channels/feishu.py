"""Feishu (飞书) group robot: a rich-text "post" message, signed with `timestamp` and `sign` in the body."""

import base64
import hashlib
import hmac
import time

from aftersales.notifications.channels.base import DeliveryError, post_json


def signature(timestamp_s: int, secret: str) -> str:
    """Base64 of HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty message (Feishu's scheme)."""
    return base64.b64encode(hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()


def send(config, row, *, mention_phones: list[str] = ()) -> str:
    # Feishu mentions need the person's open_id, which Aftersales does not know: no mentions.
    lines = [[{"tag": "text", "text": line}] for line in row.body.splitlines() if line.strip()]
    if row.url:
        lines.append([{"tag": "a", "text": row.url, "href": row.url}])
    payload = {"msg_type": "post", "content": {"post": {"zh_cn": {"title": row.subject, "content": lines}}}}
    if secret := config.secret():
        timestamp = int(time.time())
        payload = {"timestamp": str(timestamp), "sign": signature(timestamp, secret), **payload}
    _body, answer, raw = post_json(config.setting("webhook_url"), payload)
    code = answer.get("code", answer.get("StatusCode"))
    if code != 0:
        raise DeliveryError(f"Feishu code {code}: {answer.get('msg', answer.get('StatusMessage', raw))}")
    return raw
