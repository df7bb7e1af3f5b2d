from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PeriodKind(models.TextChoices):
    MONTH = "month", pgettext_lazy("report period", "Month")
    QUARTER = "quarter", pgettext_lazy("report period", "Quarter")
    YEAR = "year", pgettext_lazy("report period", "Year")


class ReportStatus(models.TextChoices):
    """A report is generated (pending), checked and edited by staff (draft), released to the customer
    (final: frozen from then on), and sent to the customer's contacts."""

    PENDING = "pending", _("Being generated")
    DRAFT = "draft", pgettext_lazy("service report", "Draft")
    FINAL = "final", pgettext_lazy("service report", "Final")
    SENT = "sent", pgettext_lazy("service report", "Sent")


# What a customer may read: a draft is the provider's work in progress.
RELEASED_STATUSES = frozenset({ReportStatus.FINAL, ReportStatus.SENT})


class ReportEventKind(models.TextChoices):
    REQUESTED = "requested", _("Generation requested")
    GENERATED = "generated", _("Generated")
    EDITED = "edited", _("Recommendations edited")
    FINALISED = "finalised", _("Released to the customer")
    SENT = "sent", pgettext_lazy("service report event", "Sent")
    DOWNLOADED = "downloaded", _("Downloaded through an emailed link")
