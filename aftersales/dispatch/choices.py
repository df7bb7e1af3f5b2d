from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkOrderKind(models.TextChoices):
    ON_SITE = "on_site", _("On-site maintenance")
    REMOTE = "remote", _("Remote maintenance")


class WorkOrderStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    TRAVELLING = "travelling", _("Travelling")
    ON_SITE = "on_site", _("On site")
    WORKING_REMOTELY = "working_remotely", _("Working remotely")
    WORK_DONE = "work_done", _("Work done")
    SIGNED = "signed", _("Signed by the customer")
    ARCHIVED = "archived", _("Archived")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class WorkOrderEventKind(models.TextChoices):
    STATUS_CHANGED = "status_changed", _("Status changed")
    UPDATED = "updated", _("Updated")
    WORK_LOGGED = "work_logged", _("Work logged")
    PART_ADDED = "part_added", _("Part recorded")
    SIGNED = "signed", _("Signed")
    SIGNING_LINK_SENT = "signing_link_sent", _("Signing link sent")
    CHANGE_REQUESTED = "change_requested", _("Change approval requested")
    CHANGE_DECIDED = "change_decided", _("Change approval decided")
    PDF_RENDERED = "pdf_rendered", _("Task sheet rendered")


class SignerRole(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    ENGINEER = "engineer", _("Engineer")


class SignedVia(models.TextChoices):
    PAD = "pad", _("On the engineer's phone")
    LINK = "link", _("Through a one-time link")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the customer")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class VendorCaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("vendor case", "Open")
    WAITING_VENDOR = "waiting_vendor", _("Waiting for the vendor")
    SOLVED = "solved", _("Solved by the vendor")
    CLOSED = "closed", _("Closed")
