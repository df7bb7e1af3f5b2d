from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from aftersales.core.models import TimeStampedModel, VisibleQuerySet


class CustomerQuerySet(VisibleQuerySet):
    customer_path = "id"


class Customer(TimeStampedModel):
    """A customer organisation (用户单位) served under one or more contracts."""

    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=_("Short unique code, e.g. HZGJJ."))
    name = models.CharField(_("name"), max_length=200, unique=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CustomerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        permissions = [("edit_master_data", _("Can edit customers, contracts and assets"))]

    def __str__(self):
        return self.name


class Site(TimeStampedModel):
    """A place where the customer's equipment stands and engineers go."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    province = models.CharField(_("province"), max_length=50)
    city = models.CharField(_("city"), max_length=50)
    district = models.CharField(_("district"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    objects = VisibleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["customer__name", "name"]
        constraints = [models.UniqueConstraint(fields=["customer", "name"], name="site_name_unique_per_customer")]

    def __str__(self):
        return f"{self.customer.name} · {self.name}"

    @property
    def full_address(self) -> str:
        return "".join(part for part in (self.province, self.city, self.district, self.address) if part)

    def clean(self):
        # Assets, contacts, contracts and tickets name the site with their own customer; moving it would
        # show one customer's site (its address) on another's records.
        if self.pk is None or not self.customer_id:
            return
        stored_customer_id = Site.objects.filter(pk=self.pk).values_list("customer_id", flat=True).first()
        if stored_customer_id in (None, self.customer_id):
            return
        if any(related.exists() for related in (self.assets, self.contacts, self.contracts, self.tickets)):
            raise ValidationError(
                {
                    "customer": _(
                        "This site has assets, contacts, contracts or tickets, so it cannot move to another customer."
                    )
                }
            )


class Contact(TimeStampedModel):
    """A person at the customer who reports faults or receives reports."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contacts"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    phone = PhoneNumberField(_("phone"))
    email = models.EmailField(_("email"), blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)

    objects = VisibleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer__name", "name"]

    def __str__(self):
        return f"{self.name} ({self.customer.name})"

    def clean(self):
        if self.site_id and self.customer_id and self.site.customer_id != self.customer_id:
            raise ValidationError({"site": _("The site belongs to another customer.")})
