"""The ticket page's quality card: follow-up, re-service links, complaints and the QC review.

A template tag because the ticket page (tickets) sits below quality in the layers."""

from django import template
from django.db.models import Exists, OuterRef, Prefetch

from aftersales.quality.models import SCORE_FIELDS, Complaint, FollowUp
from aftersales.quality.services.common import may_follow_up, may_register_complaint, may_review
from aftersales.tickets.choices import Kind
from aftersales.tickets.models import Ticket

register = template.Library()


# What the card shows of each record (the ticket page reads nothing else of them).
FOLLOW_UP = (
    "follow_up__id",
    "follow_up__status",
    "follow_up__outcome",
    "follow_up__due_at",
    "follow_up__answered_at",
    *(f"follow_up__{name}" for name in SCORE_FIELDS),
    "follow_up__reservice_ticket__id",
    "follow_up__reservice_ticket__number",
)
RESERVICE_OF = ("reservice_of__id", "reservice_of__ticket__id", "reservice_of__ticket__number")
COMPLAINT = ("complaint__id",)
QC_REVIEW = (
    "qc_review__id",
    "qc_review__engineer_id",
    "qc_review__reviewed_at",
    "qc_review__score",
    "qc_review__response_quality",
    "qc_review__service_quality",
    "qc_review__comment",
)


def _records(user, ticket: Ticket) -> Ticket | None:
    """The ticket again with its quality records, in two queries: its follow-up (and the re-service it opened),
    the follow-up that opened it, its complaint record and, for staff, its QC review; then the complaints that
    concern it.

    The follow-up, complaint and review are the ticket's own, so whoever sees the ticket sees them (as their
    `visible_to` says; reviews are for staff alone); the follow-up that opened it is another ticket's and is
    checked by its own rule."""
    related, columns = ["follow_up__reservice_ticket", "reservice_of__ticket"], [*FOLLOW_UP, *RESERVICE_OF]
    if ticket.kind == Kind.COMPLAINT:
        related.append("complaint")
        columns.extend(COMPLAINT)
    if user.is_staff_member:
        related.append("qc_review")
        columns.extend(QC_REVIEW)
    concerning = Complaint.objects.visible_to(user).select_related("ticket").only("id", "ticket__id", "ticket__number")
    return (
        Ticket.objects.visible_to(user)
        .filter(pk=ticket.pk)
        .select_related(*related)
        .only("id", *columns)
        .annotate(
            reservice_of_visible=Exists(FollowUp.objects.visible_to(user).filter(reservice_ticket=OuterRef("pk")))
        )
        .prefetch_related(Prefetch("complaints", queryset=concerning, to_attr="concerning"))
        .order_by()
        .first()
    )


def _related(record, name: str):
    """A reverse one-to-one read by select_related: the object, or None when there is none."""
    return getattr(record, name, None)


@register.inclusion_tag("quality/includes/ticket_card.html", takes_context=True)
def ticket_quality_card(context, ticket):
    user = context["user"]
    record = _records(user, ticket)
    follow_up = _related(record, "follow_up")
    reservice_of = _related(record, "reservice_of") if record is not None and record.reservice_of_visible else None
    own_complaint = _related(record, "complaint") if ticket.kind == Kind.COMPLAINT else None
    concerning = record.concerning if record is not None else []
    review = _related(record, "qc_review") if user.is_staff_member else None
    if review is not None and (review.reviewed_at is None or not (may_review(user) or review.engineer_id == user.pk)):
        review = None
    can_complain = (user.is_customer_user and ticket.kind != Kind.COMPLAINT and may_register_complaint(user)) or (
        user.is_staff_member and may_register_complaint(user) and ticket.kind != Kind.COMPLAINT
    )
    shown = follow_up or reservice_of or own_complaint or concerning or review or can_complain
    return {
        "user": user,
        "ticket": ticket,
        "shown": shown,
        "follow_up": follow_up,
        "can_open_follow_up": follow_up is not None and (user.is_customer_user or may_follow_up(user)),
        "reservice_of": reservice_of,
        "own_complaint": own_complaint,
        "concerning": concerning,
        "review": review,
        "can_complain": can_complain,
    }
