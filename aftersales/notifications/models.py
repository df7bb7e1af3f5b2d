"""The outbox (one row per message, delivered by a task), in-app notifications, preferences and channel settings."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core import crypto
from aftersales.core.models import TimeStampedModel
from aftersales.notifications.choices import CHANNEL_OF_CONFIG_KIND, ChannelKind, ConfigKind, Language, OutboxStatus
from aftersales.notifications.config_settings import SETTINGS_HELP, default_for, validate_config


class Outbox(models.Model):
    """One message to one recipient on one channel. `key` names its cause, so a cause is queued once only."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelKind.choices)
    recipient = models.CharField(
        _("recipient"), max_length=254, blank=True, help_text=_("Email address or phone number; empty for robots.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"))
    url = models.CharField(_("link"), max_length=1000, blank=True)
    headers = models.JSONField(
        _("headers"),
        default=dict,
        blank=True,
        help_text=_("Extra email headers, e.g. Message-ID, In-Reply-To, References, From, Reply-To."),
    )
    urgent = models.BooleanField(_("urgent"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), default=timezone.now, help_text=_("While sending: when the worker's lease runs out.")
    )
    not_before = models.DateTimeField(
        _("not before"), default=timezone.now, help_text=_("Held until then for quiet hours or a digest.")
    )
    last_error = models.TextField(_("last error"), blank=True)
    provider_response = models.TextField(_("provider response"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    digest = models.ForeignKey(
        "self",
        verbose_name=_("digest"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bundled",
        help_text=_("The digest message this one was sent in."),
    )

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("delivery log")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The delivery query; only unfinished rows are indexed, so the log can grow without slowing it.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="outbox_due_idx",
                condition=Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]),
            ),
        ]

    def __str__(self):
        return self.key


class NotificationPreference(models.Model):
    """How one person wants to be told: language, and quiet hours when only urgent messages go out."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    quiet_hours_start = models.TimeField(
        _("quiet hours start"), null=True, blank=True, help_text=_("Local time, e.g. 22:00.")
    )
    quiet_hours_end = models.TimeField(
        _("quiet hours end"), null=True, blank=True, help_text=_("Local time, e.g. 07:00 (the next morning).")
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)

    def clean(self):
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if (start is None) != (end is None):
            raise ValidationError(_("Give both the start and the end of the quiet hours, or neither."))
        if start is not None and start == end:
            raise ValidationError({"quiet_hours_end": _("Quiet hours must end at another time than they start.")})

    @property
    def has_quiet_hours(self) -> bool:
        return self.quiet_hours_start is not None and self.quiet_hours_end is not None


class InAppNotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class InAppNotification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="in_app_notifications",
    )
    title = models.TextField(_("title"))
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    outbox = models.OneToOneField(
        Outbox,
        verbose_name=_("outbox message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="in_app_notification",
        help_text=_("The message that created it: a message delivered twice still shows once."),
    )

    objects = InAppNotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("in-app notification")
        verbose_name_plural = _("in-app notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="in_app_user_read_idx")]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ChannelConfig(TimeStampedModel):
    """Where one channel is delivered: an SMTP server, an SMS provider account or a group robot.

    Non-secret settings are JSON (validated per kind in `clean`); the secret is stored only as a
    Fernet token and never shown back. When several are enabled for one channel, the oldest is used.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ConfigKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    settings = models.JSONField(_("settings"), default=dict, blank=True, help_text=SETTINGS_HELP)
    secret_token = models.TextField(_("encrypted secret"), blank=True, editable=False)

    class Meta:
        verbose_name = _("channel configuration")
        verbose_name_plural = _("channel configurations")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        validate_config(self.kind, self.settings, has_secret=self.has_secret)

    @property
    def channel(self) -> str:
        return CHANNEL_OF_CONFIG_KIND[self.kind]

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_token)

    def set_secret(self, plaintext: str) -> None:
        self.secret_token = crypto.encrypt(plaintext) if plaintext else ""

    def secret(self) -> str:
        """The decrypted secret ("" when none); raises crypto.DecryptionError when the keys changed."""
        return crypto.decrypt(self.secret_token) if self.secret_token else ""

    def setting(self, name: str):
        value = (self.settings or {}).get(name)
        return default_for(self.kind, name) if value in (None, "") else value
