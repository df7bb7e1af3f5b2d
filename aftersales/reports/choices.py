from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PeriodKind(models.TextChoices):
    """What a report reads over (`periods.Period`): the KPI pages take any; service reports a month, quarter or year."""

    DAY = "day", pgettext_lazy("report period", "Day")
    WEEK = "week", pgettext_lazy("report period", "Week")
    MONTH = "month", pgettext_lazy("report period", "Month")
    QUARTER = "quarter", pgettext_lazy("report period", "Quarter")
    YEAR = "year", pgettext_lazy("report period", "Year")
    RANGE = "range", pgettext_lazy("report period", "Chosen dates")


# The periods of a service report and its schedule.
REPORT_PERIOD_KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)
REPORT_PERIOD_CHOICES = [(kind.value, kind.label) for kind in REPORT_PERIOD_KINDS]


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
