"""The fax register (维护请求收件登记表): every fax received, numbered, and the ticket it became."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import Customer
from aftersales.tickets.models import Ticket


class StaffOnlyQuerySet(models.QuerySet):
    """Intake registers are the service desk's own books: staff read them, customers never do."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active or not user.is_staff_member:
            return self.none()
        return self


class WaitingReason(models.TextChoices):
    """Why a registered fax has no ticket yet; an agent resolves it by choosing the customer."""

    UNKNOWN_SENDER = "unknown_sender", _("No customer has this fax number.")
    AMBIGUOUS_SENDER = "ambiguous_sender", _("Several customers have this fax number.")
    NEEDS_AGENT = "needs_agent", _("Received automatically; an agent registers the ticket.")
    NO_CONTACT_PHONE = "no_contact_phone", _("No contact phone for the ticket.")
    TICKET_REFUSED = "ticket_refused", _("The ticket could not be registered automatically.")


class FaxSequence(models.Model):
    """The last register number handed out in a month, so numbers are gapless per month."""

    month = models.DateField(primary_key=True, help_text=_("The first day of the month."))
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.last}"


def fax_file_path(instance, filename: str) -> str:
    return f"fax/{instance.received_at:%Y/%m}/{instance.number}{_extension(filename)}"


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


class FaxReceipt(models.Model):
    """One line of the register: received when, from which fax number, about what, signed for by whom."""

    number = models.CharField(_("register number"), max_length=20, unique=True, editable=False)
    received_at = models.DateTimeField(_("received at"))
    fax_number = models.CharField(
        _("fax number"), max_length=50, blank=True, help_text=_("As the sender's fax showed it.")
    )
    fax_number_e164 = models.CharField(_("fax number (normalised)"), max_length=20, blank=True, editable=False)
    summary = models.TextField(_("summary of the problem"), blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who in the technical department took the fax over."),
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fax_receipts",
    )
    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, null=True, blank=True, related_name="fax_receipt"
    )
    waiting_reason = models.CharField(_("waiting because"), max_length=20, choices=WaitingReason.choices, blank=True)
    file = models.FileField(_("scanned fax"), upload_to=fax_file_path)
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer chosen by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("customer chosen at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set aside by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(_("set aside at"), null=True, blank=True)
    dismiss_reason = models.CharField(_("why it was set aside"), max_length=200, blank=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("fax receipt")
        verbose_name_plural = _("fax register")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at", "id"], name="fax_register_month_idx"),
            models.Index(
                fields=["received_at"],
                condition=models.Q(ticket__isnull=True, dismissed_at__isnull=True),
                name="fax_waiting_idx",
            ),
            models.Index(fields=["fax_number_e164"], name="fax_sender_number_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="fax_ticket_or_waiting_or_dismissed",
                condition=models.Q(ticket__isnull=False, dismissed_at__isnull=True, waiting_reason="")
                | models.Q(ticket__isnull=True, dismissed_at__isnull=False)
                | (models.Q(ticket__isnull=True, dismissed_at__isnull=True) & ~models.Q(waiting_reason="")),
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("fax_detail", args=[self.pk])

    @property
    def is_waiting(self) -> bool:
        return self.ticket_id is None and self.dismissed_at is None


class FaxSender(models.Model):
    """A fax number known to belong to a customer, remembered when an agent files a fax from it."""

    number = models.CharField(_("fax number"), max_length=20, unique=True, help_text=_("In international form."))
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="fax_senders"
    )
    remembered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("remembered by"), on_delete=models.PROTECT, related_name="+"
    )
    remembered_at = models.DateTimeField(_("remembered at"), auto_now=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("known fax number")
        verbose_name_plural = _("known fax numbers")
        ordering = ["number"]

    def __str__(self):
        return self.number
