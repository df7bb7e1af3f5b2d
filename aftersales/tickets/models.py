from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from aftersales.accounts.models import Team
from aftersales.assets.models import Asset
from aftersales.contracts.choices import Entitlement
from aftersales.contracts.entitlement import describe_entitlement
from aftersales.contracts.models import Contract, ServiceLevel
from aftersales.core.models import VisibleQuerySet
from aftersales.customers.models import Customer, Site
from aftersales.sla.choices import Clock
from aftersales.sla.models import SlaPolicy
from aftersales.tickets.choices import (
    OPEN_STATUSES,
    Channel,
    EventKind,
    Kind,
    Level,
    Priority,
    ResolutionMethod,
    SlaHealth,
    Status,
    Tier,
)


class PriorityRule(models.Model):
    """One cell of the priority matrix: urgency x impact under a service level (or the default)."""

    service_level = models.ForeignKey(
        ServiceLevel,
        verbose_name=_("service level"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Leave empty for the default matrix."),
    )
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Level.choices)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority rules")
        constraints = [
            models.UniqueConstraint(
                fields=["service_level", "urgency", "impact"],
                condition=models.Q(service_level__isnull=False),
                name="priority_rule_unique_per_level",
            ),
            models.UniqueConstraint(
                fields=["urgency", "impact"],
                condition=models.Q(service_level__isnull=True),
                name="priority_rule_unique_default",
            ),
        ]

    def __str__(self):
        return (
            f"{self.service_level or '-'} {self.get_urgency_display()}/{self.get_impact_display()} → P{self.priority}"
        )


class TicketSequence(models.Model):
    """The last ticket number handed out on a day, so numbers are gapless per day."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.last}"


class TicketQuerySet(VisibleQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Level.choices, default=Level.MEDIUM)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices, default=Level.MEDIUM)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets")
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = PhoneNumberField(_("contact phone"))
    assets = models.ManyToManyField(Asset, verbose_name=_("assets"), blank=True, related_name="tickets")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))

    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.L1)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="created_tickets",
    )

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    service_level = models.ForeignKey(
        ServiceLevel, verbose_name=_("service level"), on_delete=models.PROTECT, null=True, blank=True
    )
    entitlement = models.CharField(_("entitlement"), max_length=20, choices=Entitlement.choices)
    entitlement_facts = models.JSONField(
        _("entitlement facts"),
        default=dict,
        blank=True,
        help_text=_("Why the entitlement was given, as codes and values."),
    )

    resolution_method = models.CharField(
        _("resolution method"), max_length=20, choices=ResolutionMethod.choices, blank=True
    )
    resolution = models.TextField(_("resolution"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    corrective_action = models.TextField(
        _("corrective action"), blank=True, help_text=_("What was changed so that it does not happen again.")
    )

    received_at = models.DateTimeField(_("received at"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    on_site_required = models.BooleanField(
        _("on-site visit needed"), default=False, help_text=_("Starts the on-site arrival clock.")
    )
    arrived_at = models.DateTimeField(_("arrived on site at"), null=True, blank=True)
    emergency_declared_at = models.DateTimeField(_("emergency plan started at"), null=True, blank=True)

    # A cache of the SLA clocks, recomputed from the events by `tickets.sla`; never edited by hand.
    sla_health = models.CharField(_("SLA"), max_length=10, choices=SlaHealth.choices, default=SlaHealth.NONE)
    sla_due_at = models.DateTimeField(_("next SLA due time"), null=True, blank=True)
    sla_clocks = models.JSONField(_("SLA clocks"), default=list, blank=True, editable=False)
    next_check_at = models.DateTimeField(_("next SLA check"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["priority", "received_at"]
        permissions = [
            ("log_ticket", _("Can log requests for customers")),
            ("dispatch_ticket", _("Can assign tickets")),
            ("work_ticket", _("Can work on and resolve tickets")),
            ("supervise_ticket", _("Can close, cancel and reprioritise tickets")),
            ("archive_ticket", _("Can archive closed tickets")),
            ("view_internal", _("Can see internal notes and every customer")),
        ]
        indexes = [
            # The agent queue: filter by status, order by priority then age.
            models.Index(fields=["status", "priority", "received_at", "id"], name="ticket_queue_idx"),
            # The default queue ("all open"): few rows among millions, already in display order.
            models.Index(
                fields=["priority", "received_at", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_open_queue_idx",
            ),
            # Every status ("all"): the queue's order without a filter on status.
            models.Index(fields=["priority", "received_at", "id"], name="ticket_priority_idx"),
            models.Index(fields=["customer", "status", "priority", "received_at"], name="ticket_customer_queue_idx"),
            models.Index(fields=["assignee", "status", "priority", "received_at"], name="ticket_assignee_queue_idx"),
            models.Index(fields=["-received_at"], name="ticket_received_idx"),
            # The SLA sweep reads only the tickets whose next level is due.
            models.Index(
                fields=["next_check_at"], condition=models.Q(next_check_at__isnull=False), name="ticket_sla_check_idx"
            ),
            # The SLA board: open tickets by time to the next breach.
            models.Index(
                fields=["sla_due_at", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="ticket_sla_board_idx",
            ),
            # Outages for a service report's availability: a contract's major and catastrophic faults still
            # unresolved or resolved after the period's start (no lower bound on when they were received).
            models.Index(
                fields=["customer", "contract", "resolved_at"],
                condition=models.Q(kind__in=[Kind.MAJOR_FAULT, Kind.CATASTROPHIC_FAULT]),
                name="ticket_outage_idx",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("ticket_detail", args=[self.pk])

    @property
    def entitlement_reason(self) -> str:
        return describe_entitlement(self.entitlement_facts)

    @property
    def is_editable(self) -> bool:
        """Descriptive fields may be corrected until the ticket is closed."""
        return self.status not in (Status.CLOSED, Status.ARCHIVED, Status.CANCELLED)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketEventQuerySet(VisibleQuerySet):
    customer_path = "ticket__customer_id"

    def visible_to(self, user):
        events = super().visible_to(user)
        if user is not None and not user.has_perm("tickets.view_internal"):
            # The events of internal notes and files would reveal them (an attachment's event names the file).
            events = events.filter(models.Q(data__public=True) | ~models.Q(data__has_key="public"))
        return events


# Events whose notes only staff read; the event itself (who, when, which status) stays on the customer's timeline.
INTERNAL_NOTE_KINDS = frozenset({EventKind.ASSIGNED})


class TicketEvent(models.Model):
    """Append-only timeline of a ticket: codes and values, never translated text."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from status"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_timeline_idx")]

    def __str__(self):
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ticket events are append-only.")
        super().save(*args, **kwargs)

    def note_for(self, user) -> str:
        """The note as `user` may read it: a dispatcher's instructions to the engineer are internal."""
        if self.kind in INTERNAL_NOTE_KINDS and not user.has_perm("tickets.view_internal"):
            return ""
        return self.note


class CommentQuerySet(VisibleQuerySet):
    customer_path = "ticket__customer_id"

    def visible_to(self, user):
        comments = super().visible_to(user)
        if user is not None and not user.has_perm("tickets.view_internal"):
            comments = comments.filter(is_public=True)
        return comments


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT)
    body = models.TextField(_("text"))
    is_public = models.BooleanField(
        _("visible to the customer"), default=True, help_text=_("Internal notes are seen by staff only.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.ticket_id}: {self.body[:40]}"


class AttachmentQuerySet(CommentQuerySet):
    pass


def attachment_path(instance, filename: str) -> str:
    return f"tickets/{instance.ticket_id}/{PurePath(filename).name}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT)
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    is_public = models.BooleanField(_("visible to the customer"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class SlaPauseRule(models.Model):
    """Policy data: while a ticket is in `status`, `clock` stands still (e.g. pending customer pauses resolution)."""

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="pause_rules"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    clock = models.CharField(_("clock"), max_length=20, choices=Clock.choices)

    class Meta:
        verbose_name = _("pause rule")
        verbose_name_plural = _("pause rules")
        ordering = ["policy", "clock", "status"]
        constraints = [models.UniqueConstraint(fields=["policy", "status", "clock"], name="sla_pause_rule_unique")]

    def __str__(self):
        return f"{self.get_status_display()} → {self.get_clock_display()}"


class SlaEscalationQuerySet(VisibleQuerySet):
    customer_path = "ticket__customer_id"

    def visible_to(self, user):
        """Escalations are internal: who was chased, and when, is not the customer's business."""
        if user is None or not user.has_perm("tickets.view_internal"):
            return self.none()
        return super().visible_to(user)


class SlaEscalation(models.Model):
    """One rung of a ladder reached by one clock of one ticket; unique, so it is acted on exactly once."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="escalations")
    clock = models.CharField(_("clock"), max_length=20, choices=Clock.choices)
    percent = models.PositiveSmallIntegerField(_("share of the target (%)"))
    reached_at = models.DateTimeField(_("reached at"))
    fired_at = models.DateTimeField(_("fired at"))
    notified = models.BooleanField(
        _("notified"), default=True, help_text=_("False when an earlier rung was acknowledged: the ladder stopped.")
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = SlaEscalationQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA escalation")
        verbose_name_plural = _("SLA escalations")
        ordering = ["reached_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "clock", "percent"], name="sla_escalation_once_per_level")
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.clock} {self.percent}%"
