"""What every channel shares: the error a failed delivery raises, and HTTP with a timeout over urllib."""

import json
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from django.conf import settings

from aftersales.core.errors import DomainError

ANSWER_LIMIT = 2000  # characters of a provider's answer kept in the delivery log


class DeliveryError(DomainError):
    """The provider refused the message or could not be reached; `message` is its own words where it gave any."""

    code = "delivery_failed"
    status = 502


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST `body` and return (status, answer text); an unreachable server or an HTTP error is a DeliveryError."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError(f"Not a web address: {url!r}")
    request = Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked above)
    try:
        with urlopen(request, timeout=settings.NOTIFICATIONS_HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8", errors="replace")[:ANSWER_LIMIT]
    except HTTPError as error:
        answer = error.read().decode("utf-8", errors="replace")[:ANSWER_LIMIT]
        raise DeliveryError(f"HTTP {error.code} {error.reason}: {answer}".strip()) from error
    except (URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"{urlsplit(url).netloc} could not be reached: {reason}") from error


def post_json(url: str, payload: dict, headers: dict[str, str] | None = None) -> tuple[bytes, dict, str]:
    """POST `payload` as UTF-8 JSON; returns (the body sent, the answer as JSON, the answer as text)."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    _status, text = post(url, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    return body, answer_json(text), text


def answer_json(text: str) -> dict:
    try:
        answer = json.loads(text)
    except ValueError as error:
        raise DeliveryError(f"The provider's answer is not JSON: {text[:200]}") from error
    if not isinstance(answer, dict):
        raise DeliveryError(f"Unexpected answer from the provider: {text[:200]}")
    return answer


def markdown_text(row) -> str:
    """Subject, body and link as Markdown for the group robots."""
    parts = [f"#### {row.subject}", row.body.replace("\n", "\n\n")]
    if row.url:
        parts.append(f"[{row.url}]({row.url})")
    return "\n\n".join(part for part in parts if part)


def text_with_link(row) -> str:
    return f"{row.body}\n{row.url}" if row.url else row.body
