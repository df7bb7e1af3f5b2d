"""Preventive maintenance (巡检): checklists, plans that generate inspections, their results; the weekly plan
agreed with the customer and the resident engineer's weekly report; training sessions with their sign-in."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.accounts.models import Team
from aftersales.assets.models import Asset
from aftersales.contracts.models import Contract
from aftersales.core.choices import Weekday
from aftersales.core.models import TimeStampedModel, VisibleQuerySet
from aftersales.customers.models import Customer, Site
from aftersales.maintenance.choices import DocumentStatus, InspectionStatus, ItemKind, Outcome, Recurrence, SignedVia
from aftersales.tickets.models import Ticket


class ChecklistTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(pgettext_lazy("checklist", "description"), blank=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("item"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.PASS_FAIL)
    expected = models.CharField(_("expected"), max_length=200, blank=True, help_text=_("E.g. 'all green', '< 40 °C'."))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    minimum = models.DecimalField(_("lowest good reading"), max_digits=12, decimal_places=3, null=True, blank=True)
    maximum = models.DecimalField(_("highest good reading"), max_digits=12, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "position", "id"]

    def __str__(self):
        return self.label


class PlanQuerySet(VisibleQuerySet):
    customer_path = "contract__customer_id"


class MaintenancePlan(TimeStampedModel):
    """What is inspected at a site under a contract, how often, with which checklist, by whom."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="maintenance_plans"
    )
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="maintenance_plans")
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(
        _("what is inspected"), blank=True, help_text=_("Systems or areas, when not single assets.")
    )
    assets = models.ManyToManyField(Asset, verbose_name=_("assets"), blank=True, related_name="maintenance_plans")
    checklist = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="plans"
    )
    recurrence = models.CharField(
        _("how often"), max_length=20, choices=Recurrence.choices, default=Recurrence.MONTHLY_DAY
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Days past the month's end fall on its last day."),
    )
    week_of_month = models.SmallIntegerField(
        _("week of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-1), MaxValueValidator(5)],
        help_text=_("1 for the first, 2 for the second … -1 for the last (with a weekday)."),
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(_("first period from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(
        _("generate ahead (days)"), default=30, help_text=_("How far ahead inspections are planned.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["contract", "title"]

    def __str__(self):
        return self.title


class InspectionQuerySet(VisibleQuerySet):
    customer_path = "plan__contract__customer_id"


class Inspection(TimeStampedModel):
    """One visit of a plan: at most one per plan and period (generation is idempotent)."""

    plan = models.ForeignKey(
        MaintenancePlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="inspections"
    )
    scheduled_for = models.DateField(_("scheduled for"))
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["scheduled_for", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "scheduled_for"], name="one_inspection_per_plan_and_day")
        ]
        indexes = [models.Index(fields=["engineer", "status", "scheduled_for"], name="inspection_engineer_idx")]

    def __str__(self):
        return f"{self.plan} {self.scheduled_for}"


class ResultQuerySet(VisibleQuerySet):
    customer_path = "inspection__plan__contract__customer_id"


def inspection_photo_path(instance, filename: str) -> str:
    return f"inspections/{instance.inspection_id}/{filename}"


class InspectionResult(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=4, choices=Outcome.choices)
    reading = models.DecimalField(_("reading"), max_digits=12, decimal_places=3, null=True, blank=True)
    text = models.TextField(_("remark"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=inspection_photo_path, blank=True)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket raised"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspection_findings",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["item__position", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="one_result_per_item")]

    def __str__(self):
        return f"{self.inspection} {self.item}: {self.outcome}"


class WeeklyPlan(TimeStampedModel):
    """The week's work agreed between the resident engineer and the customer's lead, signed by both."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="weekly_plans"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resident engineer"), on_delete=models.PROTECT, related_name="+"
    )
    week_start = models.DateField(_("week of"), help_text=_("The Monday the week starts on."))
    content = models.TextField(_("planned work"))
    customer_lead = models.CharField(_("customer's lead"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly plan")
        verbose_name_plural = _("weekly plans")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "engineer", "week_start"], name="one_weekly_plan_per_engineer_and_week"
            )
        ]

    def __str__(self):
        return f"{self.customer} {self.week_start}"


class PlanSignatureQuerySet(VisibleQuerySet):
    customer_path = "plan__customer_id"


class WeeklyPlanSignature(models.Model):
    plan = models.ForeignKey(
        WeeklyPlan, verbose_name=_("weekly plan"), on_delete=models.CASCADE, related_name="signatures"
    )
    role = models.CharField(
        _("signed as"), max_length=10, choices=[("engineer", _("Engineer")), ("customer", _("Customer"))]
    )
    signer_name = models.CharField(_("name of the signer"), max_length=100)
    signed_at = models.DateTimeField(_("signed at"))
    image_png = models.BinaryField(_("signature image"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PlanSignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly plan signature")
        verbose_name_plural = _("weekly plan signatures")
        constraints = [models.UniqueConstraint(fields=["plan", "role"], name="one_weekly_plan_signature_per_role")]

    def __str__(self):
        return f"{self.plan} {self.role} {self.signer_name}"


class WeeklyReport(TimeStampedModel):
    """A resident engineer's week: drafted from their work logs, edited, then sent to headquarters."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="weekly_reports"
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resident engineer"), on_delete=models.PROTECT, related_name="+"
    )
    week_start = models.DateField(_("week of"))
    work_done = models.TextField(_("work done"), blank=True)
    problems = models.TextField(_("problems found"), blank=True)
    next_week = models.TextField(_("next week's plan"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "engineer", "week_start"], name="one_weekly_report_per_engineer_and_week"
            )
        ]

    def __str__(self):
        return f"{self.engineer} {self.week_start}"


class TrainingSession(TimeStampedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="training_sessions"
    )
    topic = models.CharField(_("topic"), max_length=200)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    trainer_name = models.CharField(
        _("trainer's name"), max_length=100, blank=True, help_text=_("When the trainer is not a user.")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    feedback = models.TextField(_("feedback"), blank=True)
    trainer_signed_at = models.DateTimeField(_("trainer signed at"), null=True, blank=True)
    trainer_signature_png = models.BinaryField(_("trainer's signature"), null=True, blank=True)
    printed_sheet = models.FileField(_("signed paper sheet"), upload_to="training/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                name="training_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))
            )
        ]

    def __str__(self):
        return self.topic


class TrainingChildQuerySet(VisibleQuerySet):
    customer_path = "session__customer_id"


class TrainingMaterial(models.Model):
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("training session"), on_delete=models.CASCADE, related_name="materials"
    )
    file = models.FileField(_("file"), upload_to="training/materials/%Y/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = TrainingChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("training material")
        verbose_name_plural = _("training materials")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TrainingAttendee(models.Model):
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("training session"), on_delete=models.CASCADE, related_name="attendees"
    )
    name = models.CharField(_("name"), max_length=100)
    department = models.CharField(_("department"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    signed_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    signed_via = models.CharField(_("signed"), max_length=10, choices=SignedVia.choices, blank=True)
    signature_png = models.BinaryField(_("signature"), null=True, blank=True)

    objects = TrainingChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("training attendee")
        verbose_name_plural = _("training attendees")
        ordering = ["id"]

    def __str__(self):
        return self.name
