"""The hotline: telephone systems that report incoming calls, agents' extensions, and the calls themselves."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.intake.models.fax import StaffOnlyQuerySet
from aftersales.tickets.models import Ticket


class TelephoneSystem(models.Model):
    """A PBX or call-centre system that tells Aftersales about incoming calls, with its own secret."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    token_hint = models.CharField(
        _("token starts with"), max_length=10, editable=False, help_text=_("The token itself is shown only once.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_call_at = models.DateTimeField(_("last call reported at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("telephone system")
        verbose_name_plural = _("telephone systems")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PhoneExtension(models.Model):
    """Which agent answers on an extension of a telephone system (the call event may name either)."""

    system = models.ForeignKey(
        TelephoneSystem, verbose_name=_("telephone system"), on_delete=models.CASCADE, related_name="extensions"
    )
    extension = models.CharField(_("extension"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="phone_extensions"
    )

    class Meta:
        verbose_name = _("phone extension")
        verbose_name_plural = _("phone extensions")
        ordering = ["system", "extension"]
        constraints = [models.UniqueConstraint(fields=["system", "extension"], name="phone_extension_unique")]

    def __str__(self):
        return f"{self.extension} → {self.user}"


class CallOutcome(models.TextChoices):
    LOGGED = "logged", _("Logged on a ticket")
    NEW_TICKET = "new_ticket", _("New ticket registered")
    DISMISSED = "dismissed", _("Closed without a ticket")


class IncomingCall(models.Model):
    """A call the telephone system reported ringing at an agent; it pops on that agent's screen until handled."""

    system = models.ForeignKey(
        TelephoneSystem, verbose_name=_("telephone system"), on_delete=models.PROTECT, related_name="calls"
    )
    call_id = models.CharField(_("call id"), max_length=100, help_text=_("The telephone system's own id."))
    caller = models.CharField(_("caller number"), max_length=50, blank=True)
    caller_e164 = models.CharField(_("caller number (normalised)"), max_length=20, blank=True)
    called = models.CharField(_("number called"), max_length=50, blank=True)
    agent_ref = models.CharField(
        _("agent or extension"), max_length=150, help_text=_("As the telephone system sent it.")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_calls",
    )
    rang_at = models.DateTimeField(_("rang at"))
    received_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_calls",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("incoming call")
        verbose_name_plural = _("incoming calls")
        ordering = ["-rang_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["system", "call_id"], name="incoming_call_once_per_call_id"),
            models.CheckConstraint(
                name="incoming_call_handled_with_outcome",
                condition=models.Q(handled_at__isnull=True, outcome="")
                | (models.Q(handled_at__isnull=False) & ~models.Q(outcome="")),
            ),
        ]
        indexes = [
            # An agent's screen asks every few seconds for the calls still ringing at them.
            models.Index(
                fields=["agent", "id"], condition=models.Q(handled_at__isnull=True), name="incoming_call_popup_idx"
            ),
            models.Index(fields=["caller_e164"], name="incoming_call_caller_idx"),
        ]

    def __str__(self):
        return f"{self.caller or '?'} → {self.agent_ref} ({self.call_id})"

    @property
    def is_handled(self) -> bool:
        return self.handled_at is not None
