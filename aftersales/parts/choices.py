from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WarehouseKind(models.TextChoices):
    CENTRAL = "central", _("Central warehouse")
    REGIONAL = "regional", _("Regional warehouse")
    VAN = "van", _("Engineer's van")


class MovementKind(models.TextChoices):
    """Every way stock moves; each is one row made by one service (services.stock_move)."""

    RECEIVE = "receive", pgettext_lazy("stock movement", "Received")
    RESERVE = "reserve", _("Reserved")
    RELEASE = "release", _("Reservation released")
    ISSUE = "issue", _("Issued")
    CONSUME = "consume", _("Consumed on a job")
    RETURN = "return", _("Returned to stock")
    TRANSFER = "transfer", _("Transferred")
    SCRAP = "scrap", _("Scrapped")
    SEND_TO_VENDOR = "send_to_vendor", _("Sent to the vendor")
    RECEIVE_FROM_VENDOR = "receive_from_vendor", _("Received from the vendor")


class Destination(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    ABROAD = "abroad", _("From abroad")


class PartRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RESERVED = "reserved", _("Reserved")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class RmaOutcome(models.TextChoices):
    PENDING = "pending", _("At the vendor")
    REPAIRED = "repaired", _("Repaired")
    REPLACED_FREE = "replaced_free", _("Replaced free of charge")
    SCRAPPED = "scrapped", _("Scrapped")
