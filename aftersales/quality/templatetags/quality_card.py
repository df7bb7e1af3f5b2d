"""The ticket page's quality card: follow-up, re-service links, complaints and the QC review.

A template tag because the ticket page (tickets) sits below quality in the layers."""

from django import template

from aftersales.quality.models import Complaint, FollowUp, QcReview
from aftersales.quality.services.common import may_follow_up, may_register_complaint, may_review
from aftersales.tickets.choices import Kind

register = template.Library()


@register.inclusion_tag("quality/includes/ticket_card.html", takes_context=True)
def ticket_quality_card(context, ticket):
    user = context["user"]
    follow_up = FollowUp.objects.visible_to(user).filter(ticket=ticket).select_related("reservice_ticket").first()
    reservice_of = FollowUp.objects.visible_to(user).filter(reservice_ticket=ticket).select_related("ticket").first()
    complaints = Complaint.objects.visible_to(user)
    own_complaint = complaints.filter(ticket=ticket).first() if ticket.kind == Kind.COMPLAINT else None
    concerning = list(complaints.filter(related_tickets=ticket).select_related("ticket"))
    review = None
    if user.is_staff_member:
        review = QcReview.objects.visible_to(user).filter(ticket=ticket, reviewed_at__isnull=False).first()
        if review is not None and not (may_review(user) or review.engineer_id == user.pk):
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
