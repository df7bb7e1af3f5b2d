from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.dispatch.choices import WorkOrderEventKind
from aftersales.tickets.choices import EventKind


class SourceKind(models.TextChoices):
    """Where a delivery's event comes from: a ticket's timeline, a work order's, or the test button."""

    TICKET = "ticket", _("Ticket")
    WORK_ORDER = "work_order", _("Work order")
    TEST = "test", pgettext_lazy("webhook event", "Test")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class DeliveryProblem(models.TextChoices):
    """Why the last attempt failed; the technical detail (exception text, status) is kept beside it."""

    INVALID_URL = "invalid_url", _("The address must start with http:// or https:// and hold no user name or password.")
    REFUSED_ADDRESS = "refused_address", _("The address is not allowed (a private or local network).")
    UNRESOLVABLE = "unresolvable", _("The host name could not be resolved.")
    CONNECTION = "connection", _("The receiver could not be reached.")
    TIMEOUT = "timeout", _("The receiver did not answer in time.")
    TLS = "tls", _("The receiver's TLS certificate could not be verified.")
    REDIRECT = "redirect", _("The receiver answered with a redirect, which is not followed.")
    HTTP_STATUS = "http_status", _("The receiver answered with an error status.")
    SECRET = "secret", _("The signing secret cannot be decrypted with the current keys.")
    DISABLED = "disabled", _("The subscription was disabled.")


class AuditKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Changed")
    DISABLED = "disabled", _("Disabled")
    ENABLED = "enabled", _("Enabled")
    SECRET_ROTATED = "secret_rotated", _("New secret made")
    TEST_SENT = "test_sent", _("Test event sent")
    DELIVERY_RETRIED = "delivery_retried", _("Delivery retried")


TEST_EVENT = "webhook.test"
PREFIXES = {SourceKind.TICKET: "ticket", SourceKind.WORK_ORDER: "work_order"}


def event_code(source: str, kind: str) -> str:
    """The event's name in payloads and subscriptions: `ticket.status_changed`, `work_order.signed`."""
    return f"{PREFIXES[source]}.{kind}"


TICKET_EVENTS = [(event_code(SourceKind.TICKET, value), label) for value, label in EventKind.choices]
WORK_ORDER_EVENTS = [(event_code(SourceKind.WORK_ORDER, value), label) for value, label in WorkOrderEventKind.choices]
EVENT_CHOICES = [(_("Ticket events"), TICKET_EVENTS), (_("Work-order events"), WORK_ORDER_EVENTS)]
EVENT_CODES = frozenset(code for code, _label in TICKET_EVENTS + WORK_ORDER_EVENTS)


def kinds_of(source: str, event_codes) -> list[str]:
    """The source's own event kinds among a subscription's codes (`ticket.created` → `created`)."""
    prefix = f"{PREFIXES[source]}."
    return sorted(code.removeprefix(prefix) for code in event_codes if code.startswith(prefix))
