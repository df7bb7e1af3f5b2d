from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.choices import Tier  # noqa: F401  (re-exported: tickets and engineers share one tier scale)


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    PENDING_VENDOR = "pending_vendor", _("Pending vendor")
    PENDING_PARTS = "pending_parts", _("Pending parts")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed by customer")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")
    CANCELLED = "cancelled", _("Cancelled")


PAUSED_STATUSES = frozenset({Status.PENDING_CUSTOMER, Status.PENDING_VENDOR, Status.PENDING_PARTS})
TERMINAL_STATUSES = frozenset({Status.ARCHIVED, Status.CANCELLED})
OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS}) | PAUSED_STATUSES


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone hotline")
    EMAIL = "email", _("Email")
    FAX = "fax", _("Fax")
    PORTAL = "portal", _("Web portal")
    API = "api", _("API")
    INSPECTION = "inspection", _("Inspection")
    FOLLOW_UP = "follow_up", _("Follow-up call")


class Kind(models.TextChoices):
    GENERAL_FAULT = "general_fault", _("General fault")
    MAJOR_FAULT = "major_fault", _("Major fault")
    CATASTROPHIC_FAULT = "catastrophic_fault", _("Catastrophic fault")
    CONSULTATION = "consultation", _("Consultation")
    SERVICE_REQUEST = "service_request", _("Service request")
    CHANGE_REQUEST = "change_request", _("Change request")
    COMPLAINT = "complaint", _("Complaint")


class Level(models.IntegerChoices):
    """Urgency and impact share one scale; lower is more severe."""

    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 Critical")
    P2 = 2, _("P2 High")
    P3 = 3, _("P3 Medium")
    P4 = 4, _("P4 Low")


class ResolutionMethod(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    REMOTE = "remote", _("Remote login")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone guidance")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    UPDATED = "updated", _("Updated")
    COMMENTED = "commented", _("Commented")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    CALL_LOGGED = "call_logged", _("Call logged")
    ARRIVED = "arrived", _("Arrived on site")
    EMERGENCY_DECLARED = "emergency_declared", _("Emergency plan started")
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", _("Escalation acknowledged")
    ESCALATED = "escalated", _("Escalated to the next tier")
    ESCALATED_TO_MANAGER = "escalated_to_manager", _("Escalated to a manager")
    VENDOR_CASE_OPENED = "vendor_case_opened", _("Vendor case opened")
    VENDOR_CASE_UPDATED = "vendor_case_updated", _("Vendor case updated")
    WORK_ORDER = "work_order", _("Work order")
    EMAIL_SENT = "email_sent", _("Email sent")
    ALERT_REPEATED = "alert_repeated", _("Monitoring alert repeated")
    ALERT_RECOVERED = "alert_recovered", _("Monitoring alert recovered")
    FOLLOW_UP_RECORDED = "follow_up_recorded", _("Follow-up recorded")
    SURVEY_ANSWERED = "survey_answered", _("Satisfaction survey answered")
    RESERVICE_OPENED = "reservice_opened", _("Re-service opened")
    COMPLAINT_LINKED = "complaint_linked", _("Linked to a complaint")
    QC_REVIEWED = "qc_reviewed", _("Quality review recorded")
    PROBLEM_LINKED = "problem_linked", _("Linked to a known problem")


class SlaHealth(models.TextChoices):
    """A ticket's SLA at a glance, for the board's colours; ordered from calm to late."""

    NONE = "none", _("No SLA")
    PAUSED = "paused", _("Paused")
    OK = "ok", _("On track")
    WARNING = "warning", _("At risk")
    BREACHED = "breached", _("Breached")
