from django.db import models
from django.utils.translation import gettext_lazy as _


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("Every week on a weekday")
    MONTHLY_DAY = "monthly_day", _("Every month on a day of the month")
    MONTHLY_WEEKDAY = "monthly_weekday", _("Every month on a weekday (e.g. the first Monday)")
    QUARTERLY = "quarterly", _("Every quarter on a day of its first month")


class ItemKind(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass or fail")
    READING = "reading", _("Reading")
    PHOTO = "photo", _("Photo")
    TEXT = "text", _("Text")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    SENT = "sent", _("Sent to headquarters")


class SignedVia(models.TextChoices):
    PHONE = "phone", _("On a phone")
    PRINTED = "printed", _("On the printed sheet")
