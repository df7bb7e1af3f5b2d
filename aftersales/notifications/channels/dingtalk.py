"""DingTalk group robot: a markdown message, signed with `timestamp` and `sign` in the query string."""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from aftersales.notifications.channels.base import DeliveryError, markdown_text, post_json


def signature(timestamp_ms: int, secret: str) -> str:
    """Base64 of HMAC-SHA256 over "timestamp\\nsecret" keyed with the secret (URL-encode it for the query)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send(config, row, *, mention_phones: list[str] = ()) -> str:
    url = config.setting("webhook_url")
    if secret := config.secret():
        timestamp = int(time.time() * 1000)
        url += f"&timestamp={timestamp}&sign={quote_plus(signature(timestamp, secret))}"
    text = markdown_text(row)
    if mention_phones:  # DingTalk shows an @-mention only when the text names the number too
        text += "\n\n" + " ".join(f"@{phone}" for phone in mention_phones)
    payload = {
        "msgtype": "markdown",
        "markdown": {"title": row.subject, "text": text},
        "at": {"atMobiles": list(mention_phones), "isAtAll": False},
    }
    _body, answer, raw = post_json(url, payload)
    if answer.get("errcode") != 0:
        raise DeliveryError(f"DingTalk errcode {answer.get('errcode')}: {answer.get('errmsg', raw)}")
    return raw
