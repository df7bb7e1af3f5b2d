"""Reads of the quality pages; each starts from what the user may see."""

from django.db.models import Q
from django.utils import timezone

from aftersales.quality.choices import FollowUpStatus
from aftersales.quality.models import Complaint, FollowUp, QcReview
from aftersales.tickets.models import TicketEvent

WORKLIST_VIEWS = ("due", "overdue", "upcoming", "done", "not_sampled")


def follow_up_list(*, user, view: str = "due", method: str = "", mine: bool = False):
    """The quality controller's worklist: due today or before, overdue (past due by a day), coming, done.

    Customers see their own follow-ups (the ones they may still answer, and answered ones)."""
    now = timezone.now()
    follow_ups = FollowUp.objects.visible_to(user).select_related("ticket__customer", "assigned_to")
    if user.is_customer_user:
        return follow_ups.order_by("-due_at", "-id")
    if view == "done":
        follow_ups = follow_ups.filter(status=FollowUpStatus.DONE).order_by("-answered_at", "-id")
    elif view == "not_sampled":
        follow_ups = follow_ups.filter(status=FollowUpStatus.NOT_SAMPLED).order_by("-due_at", "-id")
    else:
        pending = follow_ups.filter(status=FollowUpStatus.PENDING)
        if view == "overdue":
            pending = pending.filter(due_at__lt=now - timezone.timedelta(days=1))
        elif view == "upcoming":
            pending = pending.filter(due_at__gt=now)
        else:
            pending = pending.filter(due_at__lte=now)
        follow_ups = pending.order_by("due_at", "id")
    if method:
        follow_ups = follow_ups.filter(method=method)
    if mine:
        follow_ups = follow_ups.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
    return follow_ups


def complaint_list(*, user, open_only: bool = False):
    complaints = Complaint.objects.visible_to(user).select_related("ticket__customer", "ticket__assignee")
    if open_only:
        complaints = complaints.exclude(ticket__status__in=["closed", "archived", "cancelled"])
    return complaints.order_by("-created_at", "-id")


def complaint_evidence(*, user, complaint: Complaint) -> list[TicketEvent]:
    """Every step on the complaint's ticket and on the tickets it concerns, as this user may read them."""
    ticket_ids = [complaint.ticket_id, *complaint.related_tickets.values_list("pk", flat=True)]
    events = TicketEvent.objects.visible_to(user).filter(ticket_id__in=ticket_ids)
    return list(events.select_related("ticket", "actor").order_by("at", "id"))


def qc_worklist(*, user, reviewed: bool = False):
    reviews = QcReview.objects.visible_to(user).select_related("ticket__customer", "engineer", "reviewer")
    if reviewed:
        return reviews.filter(reviewed_at__isnull=False).order_by("-reviewed_at", "-id")
    return reviews.filter(reviewed_at__isnull=True).order_by("sampled_at", "id")


def reviews_of(*, user):
    """The reviews of the user's own work: what an engineer sees (reviewed ones only)."""
    return (
        QcReview.objects.visible_to(user)
        .filter(engineer=user, reviewed_at__isnull=False)
        .select_related("ticket__customer", "reviewer")
        .order_by("-reviewed_at", "-id")
    )
