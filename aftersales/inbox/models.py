"""Support mailboxes (IMAP), every message received through them, and the mail sent back about tickets."""

import ssl

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts import roles
from aftersales.accounts.models import Team
from aftersales.core import crypto
from aftersales.core.models import TimeStampedModel
from aftersales.customers.models import Customer
from aftersales.inbox.choices import WAITING_OUTCOMES, AfterProcessing, Outcome, OutgoingKind
from aftersales.tickets.choices import Kind
from aftersales.tickets.models import Comment, Ticket


def may_log_mail(user) -> bool:
    """Active staff who may log requests: who may check a mailbox (tickets are logged in their name) and sort
    its mail into tickets."""
    return user.is_active and not user.is_customer_user and user.has_perm(roles.LOG)


class StaffOnlyQuerySet(models.QuerySet):
    """Mail is the service desk's working material: staff who see internal notes see it, nobody else."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_customer_user or not user.has_perm(roles.VIEW_INTERNAL):
            return self.none()
        return self


class Mailbox(TimeStampedModel):
    """A support mailbox of one team, read over IMAPS (the server's certificate is always verified).

    Seed 002's dedicated technical-support mailbox: a named person checks it, so tickets opened from it
    are logged in that person's name. The password is stored only as a Fernet token and never shown back.
    """

    address = models.EmailField(_("address"), unique=True, help_text=_("Customers write to it; replies come from it."))
    display_name = models.CharField(
        _("display name"), max_length=100, blank=True, help_text=_("Shown as the sender of mail, e.g. 华东技术支持.")
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="mailboxes")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The person named to check this mailbox; tickets opened from it are logged in their name."),
    )
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("IMAPS port"), default=993)
    username = models.CharField(_("user name"), max_length=255)
    password_token = models.TextField(_("encrypted password"), blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    ca_certificate = models.TextField(
        _("CA certificate (PEM)"),
        blank=True,
        help_text=_("Only for a server whose certificate is signed by a private CA; otherwise the system's CAs."),
    )
    after_processing = models.CharField(
        _("after processing"), max_length=10, choices=AfterProcessing.choices, default=AfterProcessing.EXPUNGE
    )
    processed_folder = models.CharField(
        _("folder for processed mail"), max_length=255, blank=True, help_text=_("Needed when mail is moved.")
    )
    default_customer = models.ForeignKey(
        Customer,
        verbose_name=_("default customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A mailbox dedicated to one customer: mail from unknown senders opens tickets for it."),
    )
    ticket_kind = models.CharField(
        _("kind of ticket opened"), max_length=30, choices=Kind.choices, default=Kind.GENERAL_FAULT
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_fax_gateway = models.BooleanField(
        _("fax gateway"),
        default=False,
        help_text=_("Mail from a fax server: its PDF or TIFF attachments are registered as received faxes."),
    )
    last_polled_at = models.DateTimeField(_("last checked at"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["address"]

    def __str__(self):
        return self.address

    def clean(self):
        errors = {}
        if self.after_processing == AfterProcessing.MOVE:
            if not self.processed_folder.strip():
                errors["processed_folder"] = _("Name the folder processed mail is moved to.")
            elif self.processed_folder.strip() == self.folder.strip():
                errors["processed_folder"] = _("Processed mail must go to another folder than the one read.")
        if self.ca_certificate.strip():
            try:
                ssl.create_default_context(cadata=self.ca_certificate.strip())
            except (ssl.SSLError, ValueError):
                errors["ca_certificate"] = _("This is not a PEM certificate.")
        if self.owner_id is not None and not may_log_mail(self.owner):
            errors["owner"] = _("Choose an active member of staff who may log requests.")
        if errors:
            raise ValidationError(errors)

    @property
    def has_password(self) -> bool:
        return bool(self.password_token)

    def set_password(self, plaintext: str) -> None:
        self.password_token = crypto.encrypt(plaintext) if plaintext else ""

    def password(self) -> str:
        """The decrypted password ("" when none); raises crypto.DecryptionError when the keys changed."""
        return crypto.decrypt(self.password_token) if self.password_token else ""

    def ssl_context(self) -> ssl.SSLContext:
        """Certificate and host name always verified: against the private CA when one is given."""
        return ssl.create_default_context(cadata=self.ca_certificate.strip() or None)

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


def raw_path(instance, filename: str) -> str:
    day = timezone.localdate()
    return f"inbox/{instance.mailbox_id or 0}/{day:%Y/%m}/{filename}"


class InboundMessageQuerySet(StaffOnlyQuerySet):
    def waiting(self):
        return self.filter(outcome__in=sorted(WAITING_OUTCOMES))


class InboundMessage(models.Model):
    """One message as received, recorded exactly once (by `key`) before the server is told to drop it.

    The raw .eml is always kept, whatever the parser made of it, so nothing received is ever lost.
    """

    key = models.CharField(
        _("key"), max_length=80, unique=True, help_text=_("SHA-256 of the Message-ID, or of the raw message without.")
    )
    mailbox = models.ForeignKey(Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT, related_name="messages")
    raw = models.FileField(_("raw message"), upload_to=raw_path, max_length=300)
    raw_sha256 = models.CharField(_("SHA-256 of the raw message"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True, db_index=True)
    in_reply_to = models.TextField(_("In-Reply-To"), blank=True)
    references = models.TextField(_("References"), blank=True)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    sender_address = models.CharField(_("sender address"), max_length=254, blank=True)
    reply_to_address = models.CharField(_("reply-to address"), max_length=254, blank=True)
    subject = models.TextField(_("subject"), blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML (sanitised)"), blank=True)
    received_at = models.DateTimeField(_("received at"), help_text=_("When the mail server received it."))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.RECEIVED)
    error = models.TextField(_("error"), blank=True)
    notes = models.JSONField(
        _("notes"), default=list, blank=True, help_text=_("What processing noticed, as codes and values.")
    )
    sender_verified = models.BooleanField(
        _("sender verified"),
        default=False,
        help_text=_("The sender is a contact of the ticket's customer (or an agent said so): replies go to them."),
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    needs_review = models.BooleanField(_("needs review"), default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agent who sorted, dismissed or reviewed it."),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound mail")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["mailbox", "-recorded_at", "-id"], name="inbound_mailbox_log_idx"),
            models.Index(fields=["-recorded_at", "-id"], name="inbound_log_idx"),
            # "Mail to sort": few rows among many.
            models.Index(
                fields=["-recorded_at", "-id"],
                condition=Q(outcome__in=sorted(WAITING_OUTCOMES)),
                name="inbound_waiting_idx",
            ),
            # Loop guard: one sender's messages on one ticket within a window.
            models.Index(fields=["ticket", "sender_address", "recorded_at"], name="inbound_ticket_sender_idx"),
        ]

    def __str__(self):
        return f"{self.sender_address}: {self.subject[:60]}"

    def get_absolute_url(self):
        return reverse("inbox_message", args=[self.pk])

    @property
    def is_waiting(self) -> bool:
        return self.outcome in WAITING_OUTCOMES


class OutgoingMail(models.Model):
    """A mail queued to a customer about a ticket; its Message-ID threads their replies back to the ticket."""

    mailbox = models.ForeignKey(Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutgoingKind.choices)
    outbox_key = models.CharField(_("outbox key"), max_length=255, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    recipient = models.CharField(_("recipient"), max_length=254)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=500, blank=True)
    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="outgoing_ticket_idx"),
            # Loop guard: acknowledgements sent to one address within a window.
            models.Index(fields=["recipient", "kind", "created_at"], name="outgoing_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.kind} → {self.recipient}"


class SweepCursor(models.Model):
    """How far a periodic sweep has read an append-only table (the ticket timeline)."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    position = models.BigIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("sweep cursor")
        verbose_name_plural = _("sweep cursors")

    def __str__(self):
        return f"{self.name}: {self.position}"
