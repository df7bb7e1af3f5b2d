"""What a webhook says: codes and values only — never a note's or comment's text, never translated words.

    {
      "event": "ticket.status_changed",       # see choices.EVENT_CODES; "webhook.test" for the test button
      "event_id": 4711,                        # the timeline entry's id (with the event's source, unique)
      "at": "2026-11-22T02:15:00Z",            # when it happened, UTC
      "ticket": {"number": "SR202611220001", "status": "resolved", "priority": 2,
                 "kind": "general_fault", "customer_id": 12},
      "change": {"from_status": "in_progress", "to_status": "resolved"},    # status changes only
      "work_order": {"number": "WO202611220001-1", "status": "on_site", "kind": "on_site"}  # work-order events
    }

The ticket's and work order's status and priority are as they were when the sweep picked the event up
(within about a minute of it); `change` is exactly what the event recorded.
"""

import datetime as dt
import json

from aftersales.webhooks.choices import TEST_EVENT, SourceKind, event_code


def body_bytes(payload: dict) -> bytes:
    """The exact bytes POSTed (and signed): compact UTF-8 JSON with sorted keys."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _ticket(ticket) -> dict:
    return {
        "number": ticket.number,
        "status": ticket.status,
        "priority": ticket.priority,
        "kind": ticket.kind,
        "customer_id": ticket.customer_id,
    }


def _change(event) -> dict:
    if not (event.from_status or event.to_status):
        return {}
    return {"change": {"from_status": event.from_status, "to_status": event.to_status}}


def ticket_event_payload(event) -> dict:
    return {
        "event": event_code(SourceKind.TICKET, event.kind),
        "event_id": event.pk,
        "at": _utc(event.at),
        "ticket": _ticket(event.ticket),
        **_change(event),
    }


def work_order_event_payload(event) -> dict:
    order = event.work_order
    return {
        "event": event_code(SourceKind.WORK_ORDER, event.kind),
        "event_id": event.pk,
        "at": _utc(event.at),
        "ticket": _ticket(order.ticket),
        "work_order": {"number": order.number, "status": order.status, "kind": order.kind},
        **_change(event),
    }


def ping_payload(*, subscription, audit_event) -> dict:
    return {
        "event": TEST_EVENT,
        "event_id": audit_event.pk,
        "at": _utc(audit_event.at),
        "subscription": {"id": subscription.pk, "name": subscription.name},
    }
