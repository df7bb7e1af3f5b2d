"""Outgoing webhooks: subscriptions, a cursor per subscription and source, deliveries and the audit trail.

Services never call a webhook. A periodic sweep reads the ticket and work-order timelines after each
subscription's cursor and inserts one delivery per event and subscription (unique, so a second sweep
or a crash in between makes no duplicate); a task POSTs the deliveries, signed, with retries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core import crypto
from aftersales.core.models import TimeStampedModel
from aftersales.customers.models import Customer
from aftersales.notifications.services import is_administrator
from aftersales.webhooks.choices import AuditKind, DeliveryProblem, DeliveryStatus, SourceKind


class AdministratorsQuerySet(models.QuerySet):
    """Configuration of the installation: administrators see all of it, anyone else none."""

    def visible_to(self, user):
        return self if is_administrator(user) else self.none()


class WebhookSubscription(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("address"),
        max_length=1000,
        help_text=_("The receiver's http:// or https:// address; events are POSTed to it as JSON."),
    )
    secret_token = models.TextField(_("signing secret (encrypted)"), editable=False)
    event_kinds = models.JSONField(_("events"), default=list, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only this customer's tickets and work orders; empty for all customers."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    allow_private_network = models.BooleanField(
        _("allow private network addresses"),
        default=False,
        help_text=_(
            "Allow a receiver on a private, loopback or link-local address (an internal system). "
            "Off, such addresses are refused, so that the subscription cannot reach internal services."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = AdministratorsQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def set_secret(self, plaintext: str) -> None:
        self.secret_token = crypto.encrypt(plaintext)

    def secret(self) -> str:
        """The signing secret; raises crypto.DecryptionError when the keys changed."""
        return crypto.decrypt(self.secret_token)


class WebhookCursor(models.Model):
    """How far the sweep has read one source's timeline for one subscription.

    Event ids are handed out when a transaction inserts the row, not when it commits, so an event can
    become visible after one with a higher id was swept. The sweep therefore reads from `scan_from`,
    which trails the ids it has seen by at least the lookback window: `checkpoint` is the highest id
    handled at `checkpoint_at`, and becomes `scan_from` once the window has passed. Events read twice
    are skipped by the deliveries' unique key.
    """

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="cursors"
    )
    source = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    scan_from = models.BigIntegerField(_("read after event id"), default=0)
    checkpoint = models.BigIntegerField(_("checkpoint event id"), default=0)
    checkpoint_at = models.DateTimeField(_("checkpoint at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook cursor")
        verbose_name_plural = _("webhook cursors")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "source"], name="webhook_cursor_per_source"),
        ]

    def __str__(self):
        return f"{self.subscription_id} {self.source} > {self.scan_from}"


class WebhookDelivery(models.Model):
    """One event POSTed (or to be POSTed) to one subscription; the row is the delivery log."""

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("subscription"), on_delete=models.PROTECT, related_name="deliveries"
    )
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    source_event_id = models.BigIntegerField(_("source event id"))
    event = models.CharField(_("event"), max_length=60)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), default=timezone.now, help_text=_("While sending: when the worker's lease runs out.")
    )
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_http_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_problem = models.CharField(_("last problem"), max_length=20, choices=DeliveryProblem.choices, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = AdministratorsQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One delivery per event and subscription, whatever the sweeps do: INSERT ... ON CONFLICT DO NOTHING.
            models.UniqueConstraint(
                fields=["subscription", "source_kind", "source_event_id"], name="webhook_delivery_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
            ),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self):
        return f"{self.subscription_id} {self.event} #{self.source_event_id}"


class WebhookAuditEvent(models.Model):
    """Who changed a subscription, sent a test or retried a delivery, and what changed (codes and values)."""

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AuditKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AdministratorsQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook audit event")
        verbose_name_plural = _("webhook audit events")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.subscription_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Webhook audit events are append-only.")
        super().save(*args, **kwargs)
