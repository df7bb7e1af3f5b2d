"""Spare parts: the catalogue, warehouses, stock, every movement as a row, part requests with a delivery promise,
advance replacement (备件先行) and RMA to the vendor."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.assets.models import Product, Vendor
from aftersales.core.models import TimeStampedModel, VisibleQuerySet
from aftersales.dispatch.models import PartUsed, StaffOnlyQuerySet, WorkOrder
from aftersales.parts.choices import Destination, MovementKind, PartRequestStatus, RmaOutcome, WarehouseKind
from aftersales.tickets.models import Ticket


class Part(models.Model):
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="parts")
    part_number = models.CharField(_("part number"), max_length=100)
    description = models.CharField(pgettext_lazy("spare part", "description"), max_length=300)
    compatible_products = models.ManyToManyField(
        Product, verbose_name=_("compatible products"), blank=True, related_name="spare_parts"
    )
    unit_cost = models.DecimalField(
        _("unit cost (CNY)"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    serialised = models.BooleanField(_("serialised"), default=False, help_text=_("Each unit has a serial number."))
    spares_per_hundred = models.DecimalField(
        _("spares per 100 installed"),
        max_digits=6,
        decimal_places=2,
        default=2,
        validators=[MinValueValidator(0)],
        help_text=_("How many of this part the installed base needs in stock for every 100 units in service."),
    )

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")
        ordering = ["vendor__name", "part_number"]
        constraints = [models.UniqueConstraint(fields=["vendor", "part_number"], name="part_number_unique_per_vendor")]

    def __str__(self):
        return f"{self.part_number} {self.description}"


class Warehouse(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=WarehouseKind.choices, default=WarehouseKind.REGIONAL)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vans",
        help_text=_("For an engineer's van: whose it is."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Stock(models.Model):
    """How many of a part a warehouse holds, and how many of those are promised to jobs."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="stock"
    )
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="stock")
    on_hand = models.PositiveIntegerField(_("on hand"), default=0)
    allocated = models.PositiveIntegerField(_("allocated"), default=0, help_text=_("Reserved for tickets or jobs."))
    reorder_point = models.PositiveIntegerField(_("reorder point"), default=0)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["warehouse__name", "part__part_number"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "part"], name="one_stock_row_per_warehouse_and_part"),
            models.CheckConstraint(
                name="stock_allocated_within_on_hand", condition=models.Q(allocated__lte=models.F("on_hand"))
            ),
        ]

    def __str__(self):
        return f"{self.warehouse} {self.part}: {self.on_hand}"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class PartRequestQuerySet(VisibleQuerySet):
    customer_path = "ticket__customer_id"


class PartRequest(TimeStampedModel):
    """A part needed on a ticket, with the contract's delivery promise as its clock."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="part_requests")
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="requests")
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("from warehouse"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destination = models.CharField(
        _("delivery"), max_length=10, choices=Destination.choices, default=Destination.DOMESTIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PartRequestStatus.choices, default=PartRequestStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    promised_days = models.PositiveSmallIntegerField(_("promised within (days)"))
    business_days = models.BooleanField(_("working days"), default=False)
    due_at = models.DateTimeField(_("due at"))
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    advance_replacement = models.BooleanField(
        _("advance replacement (备件先行)"),
        default=False,
        help_text=_("The good part goes first; the faulty one is expected back."),
    )
    faulty_serial = models.CharField(_("serial of the faulty part"), max_length=100, blank=True)
    faulty_due_at = models.DateTimeField(_("faulty part due back by"), null=True, blank=True)
    faulty_returned_at = models.DateTimeField(_("faulty part returned at"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)

    objects = PartRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("part request")
        verbose_name_plural = _("part requests")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["next_check_at"], name="part_request_check_idx", condition=models.Q(next_check_at__isnull=False)
            )
        ]

    def __str__(self):
        return f"{self.ticket} {self.part} × {self.quantity}"


class PartEscalation(models.Model):
    """A rung of the delivery promise's ladder that was reached (unique: never told twice)."""

    request = models.ForeignKey(
        PartRequest, verbose_name=_("part request"), on_delete=models.CASCADE, related_name="escalations"
    )
    percent = models.PositiveSmallIntegerField(_("share of the promise (%)"))
    reached_at = models.DateTimeField(_("reached at"))
    fired_at = models.DateTimeField(_("fired at"))

    class Meta:
        verbose_name = _("part delivery escalation")
        verbose_name_plural = _("part delivery escalations")
        constraints = [models.UniqueConstraint(fields=["request", "percent"], name="one_part_escalation_per_rung")]

    def __str__(self):
        return f"{self.request} {self.percent}%"


class RmaCase(TimeStampedModel):
    """A faulty part sent back to its vendor for repair or free replacement."""

    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="rma_cases")
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    part_request = models.ForeignKey(
        PartRequest,
        verbose_name=_("part request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rma_cases",
    )
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    vendor_case_number = models.CharField(_("vendor's case number"), max_length=100, blank=True)
    shipped_at = models.DateTimeField(_("shipped to the vendor at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("back from the vendor at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=RmaOutcome.choices, default=RmaOutcome.PENDING)
    replacement_serial = models.CharField(_("serial of the replacement"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("RMA case")
        verbose_name_plural = _("RMA cases")
        ordering = ["-created_at"]

    def __str__(self):
        return f"RMA {self.pk} {self.part}"


class StockMovement(models.Model):
    """Append-only: one row for every change to stock, with what caused it."""

    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    part = models.ForeignKey(Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("to warehouse"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    work_order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
    )
    part_request = models.ForeignKey(
        PartRequest,
        verbose_name=_("part request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
    )
    part_used = models.OneToOneField(
        PartUsed,
        verbose_name=_("line on the task sheet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movement",
    )
    rma_case = models.ForeignKey(
        RmaCase, verbose_name=_("RMA case"), on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.part} × {self.quantity}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Stock movements are append-only.")
        super().save(*args, **kwargs)
