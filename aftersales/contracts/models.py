import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.contracts.choices import AssetClass, ContractStatus, Coverage
from aftersales.core.models import TimeStampedModel, VisibleQuerySet
from aftersales.customers.models import Customer, Site
from aftersales.sla.models import SlaPolicy


class ServiceLevel(models.Model):
    """A named level of service (金牌 / 银牌 / 标准); SLA targets and the priority matrix hang off it."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("Higher ranks are better service."))
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_levels",
        help_text=_("The targets this level promises; empty means the default policy."),
    )

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["-rank"]

    def __str__(self):
        return self.name


class Contract(TimeStampedModel):
    number = models.CharField(_("contract number"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    sites = models.ManyToManyField(
        Site,
        verbose_name=_("sites"),
        blank=True,
        related_name="contracts",
        help_text=_("Leave empty to cover every site."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    service_level = models.ForeignKey(ServiceLevel, verbose_name=_("service level"), on_delete=models.PROTECT)
    coverage = models.CharField(_("coverage"), max_length=20, choices=Coverage.choices, default=Coverage.ALWAYS)
    lifetime_maintenance = models.BooleanField(
        _("lifetime maintenance"), default=False, help_text=_("After warranty, repairs continue at the billing rates.")
    )
    hourly_rate = models.DecimalField(_("hourly rate (CNY)"), max_digits=10, decimal_places=2, default=0)
    travel_rate = models.DecimalField(_("travel charge per visit (CNY)"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    parts_days_domestic = models.PositiveSmallIntegerField(
        _("spare parts delivered within (days, domestic)"), default=7
    )
    parts_days_abroad = models.PositiveSmallIntegerField(
        _("spare parts delivered within (days, from abroad)"), default=21
    )
    parts_business_days = models.BooleanField(
        _("count working days"),
        default=False,
        help_text=_("Count spare-part delivery in working days (holidays excluded) instead of calendar days."),
    )

    objects = VisibleQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sites])

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                name="contract_ends_after_start", condition=models.Q(end_date__gte=models.F("start_date"))
            )
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must not be before the start date.")})

    def is_in_force(self, on: dt.date) -> bool:
        return self.status == ContractStatus.ACTIVE and self.start_date <= on <= self.end_date


class WarrantyTerm(models.Model):
    """Years of free service for one asset class, counted from the asset's acceptance date."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="warranty_terms"
    )
    asset_class = models.CharField(_("asset class"), max_length=20, choices=AssetClass.choices)
    years = models.PositiveSmallIntegerField(_("years"))

    class Meta:
        verbose_name = _("warranty term")
        verbose_name_plural = _("warranty terms")
        constraints = [
            models.UniqueConstraint(fields=["contract", "asset_class"], name="one_warranty_term_per_asset_class")
        ]

    def __str__(self):
        return f"{self.get_asset_class_display()}: {self.years}"


class HandoverDocumentKind(models.TextChoices):
    """The documents handed over at initial acceptance, before the service phase starts."""

    ENGINEERING_PLAN = "engineering_plan", _("Engineering plan")
    TECHNICAL_MANUAL = "technical_manual", _("Technical manual")
    MAINTENANCE_MANUAL = "maintenance_manual", _("Maintenance manual")
    PROJECT_SUMMARY = "project_summary", _("Project summary")
    ACCEPTANCE_REPORT = "acceptance_report", _("Acceptance report")
    SERVICE_AGREEMENT = "service_agreement", _("Service agreement")


class ProjectRecordQuerySet(VisibleQuerySet):
    customer_path = "contract__customer_id"


class ProjectRecord(TimeStampedModel):
    """The project behind a contract: its initial acceptance and the handover to the service phase."""

    contract = models.OneToOneField(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="project"
    )
    initial_acceptance_date = models.DateField(
        _("initial acceptance date"),
        null=True,
        blank=True,
        help_text=_("Starts the warranty of the contract's assets that have no acceptance date yet."),
    )
    service_started_at = models.DateTimeField(_("service phase started at"), null=True, blank=True)
    service_started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handover_exception = models.TextField(
        _("handover exception"),
        blank=True,
        help_text=_("Why the service phase starts although documents are missing."),
    )

    objects = ProjectRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("project record")
        verbose_name_plural = _("project records")

    def __str__(self):
        return str(self.contract)


class HandoverDocumentQuerySet(VisibleQuerySet):
    customer_path = "project__contract__customer_id"


def handover_path(instance, filename: str) -> str:
    return f"handover/{instance.project_id}/{filename}"


class HandoverDocument(models.Model):
    project = models.ForeignKey(
        ProjectRecord, verbose_name=_("project"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=30, choices=HandoverDocumentKind.choices)
    file = models.FileField(_("file"), upload_to=handover_path)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = HandoverDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover document")
        verbose_name_plural = _("handover documents")
        ordering = ["kind", "-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"
