from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.contracts.choices import AssetClass
from aftersales.contracts.models import Contract
from aftersales.core.models import TimeStampedModel, VisibleQuerySet
from aftersales.customers.models import Customer, Site


class Vendor(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    support_phone = models.CharField(_("support phone"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Product(models.Model):
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("name"), max_length=200)
    model = models.CharField(_("model"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=AssetClass.choices)
    end_of_sale = models.DateField(_("end of sale"), null=True, blank=True)
    end_of_life = models.DateField(
        _("end of life"), null=True, blank=True, help_text=_("After this date the vendor no longer supports it.")
    )
    supply_years_after_end_of_sale = models.PositiveSmallIntegerField(
        _("parts supplied for (years after end of sale)"),
        default=10,
        help_text=_("How long spare parts are promised after the product is discontinued."),
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["vendor__name", "name"]
        constraints = [models.UniqueConstraint(fields=["vendor", "name", "model"], name="product_unique_per_vendor")]

    def __str__(self):
        return " ".join(part for part in (self.vendor.name, self.name, self.model) if part)


class Asset(TimeStampedModel):
    """A configuration item at a customer's site."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="assets")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="assets")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="assets")
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.SET_NULL, null=True, blank=True, related_name="assets"
    )
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    software_name = models.CharField(_("software name"), max_length=100, blank=True)
    software_version = models.CharField(_("software version"), max_length=50, blank=True)
    install_date = models.DateField(_("install date"), null=True, blank=True)
    acceptance_date = models.DateField(_("acceptance date"), null=True, blank=True)
    warranty_end = models.DateField(
        _("warranty end"), null=True, blank=True, help_text=_("Leave empty to derive it from the contract's terms.")
    )

    objects = VisibleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["site", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "serial_number"],
                condition=~models.Q(serial_number=""),
                name="asset_serial_unique_per_product",
            )
        ]

    def __str__(self):
        serial = f" SN:{self.serial_number}" if self.serial_number else ""
        return f"{self.product}{serial}"

    def clean(self):
        errors = {}
        if self.site_id and self.customer_id and self.site.customer_id != self.customer_id:
            errors["site"] = _("The site belongs to another customer.")
        if self.contract_id and self.customer_id and self.contract.customer_id != self.customer_id:
            errors["contract"] = _("The contract belongs to another customer.")
        if errors:
            raise ValidationError(errors)
