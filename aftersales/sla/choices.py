from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Clock(models.TextChoices):
    """The promises a policy can time; each starts and stops on the ticket events `clocks.py` names."""

    # A context: "Resolution" elsewhere is the text of a ticket's fix, not the promise to fix it.
    RESPONSE = "response", pgettext_lazy("SLA clock", "Response")
    ARRIVAL = "arrival", pgettext_lazy("SLA clock", "On-site arrival")
    RESOLUTION = "resolution", pgettext_lazy("SLA clock", "Resolution")
    EMERGENCY_PLAN = "emergency_plan", pgettext_lazy("SLA clock", "Emergency plan")
    ESCALATION = "escalation", pgettext_lazy("SLA clock", "Escalation to the next tier")


class ClockStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    STOPPED = "stopped", _("Stopped")


class Recipient(models.TextChoices):
    ASSIGNEE = "assignee", _("Assignee")
    TEAM_LEAD = "team_lead", _("Team lead")
    DUTY_MANAGER = "duty_manager", _("Duty manager")
    DUTY_ENGINEER = "duty_engineer", _("Duty engineer")
    MANAGER = "manager", _("Managers")
    EXPERT_POOL = "expert_pool", _("L3 expert pool")
    CUSTOMER_CONTACT = "customer_contact", _("The customer's contact")


class ExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (day off)")
    WORKDAY = "workday", _("Make-up working day")


class ExceptionSource(models.TextChoices):
    SEED = "seed", _("Seeded from the holidays package")
    ADMIN = "admin", _("Entered by an administrator")
