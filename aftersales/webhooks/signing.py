"""How a delivery is signed, and how a receiver checks it.

Every POST carries these headers:

    X-Aftersales-Event:      the event, e.g. ticket.status_changed
    X-Aftersales-Delivery:   the delivery's id (the same on every retry: use it to ignore repeats)
    X-Aftersales-Timestamp:  when this attempt was signed, in Unix seconds
    X-Aftersales-Signature:  sha256=<hex HMAC-SHA256 of  timestamp + "." + raw body, keyed with the secret>

A receiver verifies a request like this (Python; any language with HMAC-SHA256 works the same way):

    import hashlib, hmac, time

    def verify(secret: str, headers, raw_body: bytes, tolerance=300) -> bool:
        timestamp = headers["X-Aftersales-Timestamp"]
        if abs(time.time() - int(timestamp)) > tolerance:
            return False  # too old (or from the future): a replayed request
        expected = hmac.new(secret.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
        return hmac.compare_digest("sha256=" + expected, headers["X-Aftersales-Signature"])

Use the body exactly as received (before any JSON parsing), compare in constant time, refuse old
timestamps, and treat a delivery id seen before as already handled: delivery is at least once.
"""

import hashlib
import hmac
import time

EVENT_HEADER = "X-Aftersales-Event"
DELIVERY_HEADER = "X-Aftersales-Delivery"
TIMESTAMP_HEADER = "X-Aftersales-Timestamp"
SIGNATURE_HEADER = "X-Aftersales-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Aftersales-Signature value: `sha256=` and the hex HMAC-SHA256 of `timestamp.body`."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(*, secret: str, body: bytes, event: str, delivery_id: int, timestamp: int) -> dict[str, str]:
    return {
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(secret: str, *, timestamp: str, signature_header: str, body: bytes, now: float | None = None) -> bool:
    """What a receiver does (see the module's docstring); our own tests' receiver uses it too."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    if age > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), signature_header)
