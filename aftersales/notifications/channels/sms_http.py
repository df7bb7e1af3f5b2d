"""SMS through a generic HTTP gateway: POST {"phone", "text"} as JSON with `X-Signature: sha256=<hex HMAC>`."""

import hashlib
import hmac
import json

from aftersales.notifications.channels.base import DeliveryError, post, text_with_link


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(config, row) -> str:
    if not row.recipient:
        raise DeliveryError("An SMS needs a phone number.")
    body = json.dumps({"phone": row.recipient, "text": text_with_link(row)}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Signature": signature(config.secret(), body)}
    status, raw = post(config.setting("endpoint"), body, headers)  # any 2xx is accepted; errors raise in post()
    return raw or f"HTTP {status}"
