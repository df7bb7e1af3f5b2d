"""Monitoring payloads read into one shape: Prometheus Alertmanager's webhook, a Zabbix webhook, a generic one.

Pure functions: they raise ValidationFailed with the path of each problem ("alerts[0].labels"), so a sender
sees what to fix, and nothing is saved from a payload with any problem.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.errors import ValidationFailed
from aftersales.intake.models import SourceKind

MAX_ALERTS = 200
MAX_TEXT = 4000
ZABBIX_PROBLEM = {"problem", "1"}
ZABBIX_RECOVERY = {"ok", "resolved", "0"}

# Django's own words (and translation) for it; PostgreSQL cannot store NUL in text.
NUL_REFUSED = gettext_lazy("Null characters are not allowed.")


@dataclass(frozen=True)
class IncomingAlert:
    fingerprint: str
    firing: bool
    title: str
    severity: str = ""
    description: str = ""
    labels: dict = field(default_factory=dict)
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None


class Problems:
    def __init__(self):
        self.detail: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.detail.setdefault(path, []).append(str(message))

    def raise_any(self) -> None:
        if self.detail:
            raise ValidationFailed(_("The alert payload is not valid."), detail=self.detail)


def parse(kind: str, payload) -> list[IncomingAlert]:
    if not isinstance(payload, dict):
        raise ValidationFailed(_("The alert payload is not valid."), detail={"payload": [_("Send a JSON object.")]})
    reader = {SourceKind.ALERTMANAGER: _alertmanager, SourceKind.ZABBIX: _zabbix, SourceKind.GENERIC: _generic}[kind]
    problems = Problems()
    alerts = reader(payload, problems)
    problems.raise_any()
    return alerts


def _text(value, path: str, problems: Problems, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if value is None or value == "":
        if required:
            problems.add(path, _("This field is required."))
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.add(path, _("Expected a string."))
        return ""
    text = str(value).strip()
    if "\x00" in text:
        problems.add(path, NUL_REFUSED)
        return ""
    if required and not text:
        problems.add(path, _("This field is required."))
    if len(text) > limit:
        problems.add(path, _("At most %(limit)s characters.") % {"limit": limit})
    return text


def _string_map(value, path: str, problems: Problems) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        problems.add(path, _("Expected an object of string values."))
        return {}
    if any("\x00" in key or "\x00" in item for key, item in value.items()):
        problems.add(path, NUL_REFUSED)
        return {}
    return value


def _moment(value, path: str, problems: Problems) -> dt.datetime | None:
    """An ISO 8601 time with its zone; Alertmanager's zero time (0001-01-01) means none."""
    if value in (None, ""):
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed but impossible: month 13, an offset of a day or more
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        problems.add(path, _("Expected an ISO 8601 time with a time zone."))
        return None
    if parsed.year < 2000:
        return None
    return parsed


def _alertmanager(payload: dict, problems: Problems) -> list[IncomingAlert]:
    items = payload.get("alerts")
    if not isinstance(items, list) or not items:
        problems.add("alerts", _("Expected a non-empty list of alerts (an Alertmanager webhook payload)."))
        return []
    if len(items) > MAX_ALERTS:
        problems.add("alerts", _("At most %(limit)s alerts per request.") % {"limit": MAX_ALERTS})
        return []
    alerts = []
    for index, item in enumerate(items):
        path = f"alerts[{index}]"
        if not isinstance(item, dict):
            problems.add(path, _("Expected an object."))
            continue
        status = item.get("status")
        if status not in ("firing", "resolved"):
            problems.add(f"{path}.status", _('Expected "firing" or "resolved".'))
        labels = _string_map(item.get("labels"), f"{path}.labels", problems)
        annotations = _string_map(item.get("annotations"), f"{path}.annotations", problems)
        if not labels.get("alertname") and f"{path}.labels" not in problems.detail:
            problems.add(f"{path}.labels", _("An alert needs the label alertname."))
        fingerprint = _text(item.get("fingerprint"), f"{path}.fingerprint", problems, limit=200)
        started_at = _moment(item.get("startsAt"), f"{path}.startsAt", problems)
        ended_at = _moment(item.get("endsAt"), f"{path}.endsAt", problems)
        host = labels.get("instance") or labels.get("host") or ""
        name = annotations.get("summary") or " ".join(part for part in (labels.get("alertname"), host) if part)
        alerts.append(
            IncomingAlert(
                # Alertmanager before 0.19 sends no fingerprint: the labels identify the alert just as well.
                fingerprint=fingerprint or _labels_fingerprint(labels),
                firing=status == "firing",
                title=name[:200],
                severity=labels.get("severity", "")[:30],
                description=annotations.get("description", "")[:MAX_TEXT],
                labels=labels,
                started_at=started_at,
                ended_at=ended_at,
            )
        )
    return alerts


def _labels_fingerprint(labels: dict) -> str:
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:32]


def _zabbix(payload: dict, problems: Problems) -> list[IncomingAlert]:
    trigger_id = _text(payload.get("trigger_id"), "trigger_id", problems, required=True, limit=100)
    _text(payload.get("event_id"), "event_id", problems, required=True, limit=100)
    host = _text(payload.get("host"), "host", problems, required=True, limit=200)
    status = _text(payload.get("status"), "status", problems, required=True, limit=20).lower()
    if status and status not in ZABBIX_PROBLEM | ZABBIX_RECOVERY:
        problems.add("status", _('Expected "PROBLEM", "OK" or "RESOLVED".'))
    subject = _text(payload.get("subject"), "subject", problems, limit=200)
    message = _text(payload.get("message"), "message", problems)
    severity = _text(payload.get("severity"), "severity", problems, limit=30)
    event_time = _moment(payload.get("event_time"), "event_time", problems)
    firing = status in ZABBIX_PROBLEM
    return [
        IncomingAlert(
            fingerprint=f"trigger:{trigger_id}",
            firing=firing,
            title=(subject or host)[:200],
            severity=severity,
            description=message,
            labels={"host": host, "trigger_id": trigger_id},
            started_at=event_time if firing else None,
            ended_at=None if firing else event_time,
        )
    ]


def _generic(payload: dict, problems: Problems) -> list[IncomingAlert]:
    fingerprint = _text(payload.get("fingerprint"), "fingerprint", problems, required=True, limit=200)
    status = payload.get("status")
    if status not in ("firing", "resolved"):
        problems.add("status", _('Expected "firing" or "resolved".'))
    title = _text(payload.get("title"), "title", problems, required=status == "firing", limit=200)
    labels = _string_map(payload.get("labels"), "labels", problems)
    started_at = _moment(payload.get("started_at"), "started_at", problems)
    return [
        IncomingAlert(
            fingerprint=fingerprint,
            firing=status == "firing",
            title=title or fingerprint[:200],
            severity=_text(payload.get("severity"), "severity", problems, limit=30),
            description=_text(payload.get("description"), "description", problems),
            labels=labels,
            started_at=started_at,
            ended_at=_moment(payload.get("ended_at"), "ended_at", problems),
        )
    ]
