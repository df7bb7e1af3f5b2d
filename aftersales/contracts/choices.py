from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetClass(models.TextChoices):
    """The classes a contract gives warranty terms for; products belong to one."""

    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")
    NETWORK = "network", _("Network")
    OTHER = "other", _("Other")


class Coverage(models.TextChoices):
    ALWAYS = "7x24", _("7x24, holidays included")
    BUSINESS_HOURS = "business_hours", _("Business hours")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class Entitlement(models.TextChoices):
    WARRANTY = "warranty", _("In warranty (free)")
    BILLABLE = "billable", _("Out of warranty, paid maintenance (billable)")
    ADVICE_ONLY = "advice_only", _("Outside scope (advice only)")
