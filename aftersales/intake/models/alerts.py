"""Monitoring alerts: sources that may post them, host names mapped to assets, and each alert with its ticket."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.roles import LOG, VIEW_INTERNAL
from aftersales.assets.models import Asset
from aftersales.customers.models import Contact, Customer
from aftersales.intake.models.fax import StaffOnlyQuerySet
from aftersales.tickets.choices import Kind, Level
from aftersales.tickets.models import Ticket


class SourceKind(models.TextChoices):
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    ZABBIX = "zabbix", _("Zabbix")
    GENERIC = "generic", _("Generic JSON")


HIGH, MEDIUM, LOW = Level.HIGH.value, Level.MEDIUM.value, Level.LOW.value
# Severity (Zabbix's names and Alertmanager's usual labels, lower case) → [urgency, impact].
DEFAULT_SEVERITY_LEVELS = {
    "disaster": [HIGH, HIGH],
    "critical": [HIGH, HIGH],
    "page": [HIGH, HIGH],
    "high": [HIGH, MEDIUM],
    "error": [HIGH, MEDIUM],
    "major": [HIGH, MEDIUM],
    "average": [MEDIUM, MEDIUM],
    "warning": [MEDIUM, MEDIUM],
    "minor": [MEDIUM, LOW],
    "information": [LOW, LOW],
    "info": [LOW, LOW],
    "not classified": [LOW, LOW],
}


def default_severity_levels() -> dict:
    return {severity: list(levels) for severity, levels in DEFAULT_SEVERITY_LEVELS.items()}


class AlertSource(models.Model):
    """A monitoring system of one customer that may open tickets, with its own secret."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="alert_sources"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact for its tickets"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the customer's first contact."),
    )
    run_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registers tickets as"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A member of staff who may log requests; the tickets' timeline names them."),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    token_hint = models.CharField(
        _("token starts with"), max_length=10, editable=False, help_text=_("The token itself is shown only once.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    asset_labels = models.CharField(
        _("labels naming the asset"),
        max_length=200,
        default="serial,host,instance",
        help_text=_(
            "Alert labels tried in order, separated by commas. A value is looked up among the host names "
            "below, then as an asset's serial number (an instance's port is ignored)."
        ),
    )
    ticket_kind = models.CharField(_("ticket kind"), max_length=30, choices=Kind.choices, default=Kind.GENERAL_FAULT)
    severity_levels = models.JSONField(
        _("urgency and impact by severity"),
        default=default_severity_levels,
        help_text=_('Severity → [urgency, impact], 1 high to 3 low, e.g. {"critical": [1, 1]}. Others are 2, 2.'),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_received_at = models.DateTimeField(_("last alert received at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("alert source")
        verbose_name_plural = _("alert sources")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = _("The contact belongs to another customer.")
        if self.run_as_id and not (
            self.run_as.is_active and self.run_as.has_perm(LOG) and self.run_as.has_perm(VIEW_INTERNAL)
        ):
            errors["run_as"] = _("Choose an active member of staff who may log requests and see internal notes.")
        levels = self.severity_levels
        valid_levels = set(Level.values)
        if not isinstance(levels, dict) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(level in valid_levels for level in pair)
            for pair in levels.values()
        ):
            errors["severity_levels"] = _("Give each severity a list of two levels from 1 to 3.")
        if not self.label_names:
            errors["asset_labels"] = _("Name at least one label.")
        if errors:
            raise ValidationError(errors)

    @property
    def label_names(self) -> list[str]:
        return [name.strip() for name in self.asset_labels.split(",") if name.strip()]

    def levels_for(self, severity: str) -> tuple[int, int]:
        levels = {key.lower(): value for key, value in (self.severity_levels or {}).items()}
        urgency, impact = levels.get((severity or "").strip().lower(), [MEDIUM, MEDIUM])
        return urgency, impact


class AlertHost(models.Model):
    """A host name or instance as the monitoring system calls it, and the asset it is."""

    source = models.ForeignKey(
        AlertSource, verbose_name=_("alert source"), on_delete=models.CASCADE, related_name="hosts"
    )
    name = models.CharField(_("host or instance"), max_length=200)
    asset = models.ForeignKey(Asset, verbose_name=_("asset"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("monitored host")
        verbose_name_plural = _("monitored hosts")
        ordering = ["source", "name"]
        constraints = [models.UniqueConstraint(fields=["source", "name"], name="alert_host_unique_per_source")]

    def __str__(self):
        return f"{self.name} → {self.asset}"

    def clean(self):
        if self.asset_id and self.source_id and self.asset.customer_id != self.source.customer_id:
            raise ValidationError({"asset": _("The asset belongs to another customer.")})


class AlertStatus(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Recovered")


class Alert(models.Model):
    """One alert of a source (by fingerprint or trigger) and the ticket it opened.

    While its ticket is not closed the alert is current: repeats and the recovery are recorded on that
    ticket. The constraint allows one current alert per fingerprint, so two deliveries of the same new alert
    at the same time cannot open two tickets. After the ticket is closed, a new firing is a new alert.
    """

    source = models.ForeignKey(
        AlertSource, verbose_name=_("alert source"), on_delete=models.PROTECT, related_name="alerts"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=200)
    is_current = models.BooleanField(_("current"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.FIRING)
    severity = models.CharField(_("severity"), max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=200)
    host = models.CharField(_("host or instance"), max_length=200, blank=True)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    started_at = models.DateTimeField(_("started at"))
    resolved_at = models.DateTimeField(_("recovered at"), null=True, blank=True)
    first_received_at = models.DateTimeField(_("first received at"))
    last_received_at = models.DateTimeField(_("last received at"))
    repeat_count = models.PositiveIntegerField(_("repeats"), default=0)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitoring alert")
        verbose_name_plural = _("monitoring alerts")
        ordering = ["-last_received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "fingerprint"],
                condition=models.Q(is_current=True),
                name="alert_one_current_per_fingerprint",
            ),
        ]
        indexes = [models.Index(fields=["-last_received_at", "-id"], name="alert_recent_idx")]

    def __str__(self):
        return f"{self.source} {self.fingerprint}"
