from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Method(models.TextChoices):
    """How a follow-up reaches the customer."""

    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit on site")
    SURVEY_LINK = "survey_link", _("Survey link (SMS or email)")
    PORTAL = "portal", _("Customer portal")


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("follow-up", "To do")
    DONE = "done", pgettext_lazy("follow-up", "Done")
    NOT_SAMPLED = "not_sampled", pgettext_lazy("follow-up", "Not sampled")


class Outcome(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNREACHABLE = "unreachable", _("Could not be reached")
    DECLINED = "declined", _("Declined to answer")


class SampleReason(models.TextChoices):
    """Why a closed ticket is on the QC worklist; when several apply the most serious is kept (this order)."""

    COMPLAINT = "complaint", _("Complaint")
    LOW_SCORE = "low_score", _("Low satisfaction score")
    BREACHED = "breached", _("SLA breached")
    RANDOM = "random", _("Random sample")


class ManagementPosition(models.TextChoices):
    GENERAL_MANAGER = "general_manager", _("General manager")
    TECHNICAL_DIRECTOR = "technical_director", _("Technical director")
    DEPUTY_IN_CHARGE = "deputy_in_charge", _("Deputy general manager in charge")
    OTHER = "other", _("Other")
