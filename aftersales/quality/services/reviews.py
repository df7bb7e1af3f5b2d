"""Quality-control reviews (质量控制): a sample of closed tickets, random plus every targeted one."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import PermissionDenied, validation_failed_from
from aftersales.notifications.services import enqueue
from aftersales.quality.choices import Outcome, SampleReason
from aftersales.quality.models import Complaint, FollowUp, QcReview
from aftersales.quality.services.common import may_review, stable_percentile, staff_messages
from aftersales.quality.services.follow_ups import original_engineer
from aftersales.tickets.choices import EventKind, Kind, SlaHealth, Status
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.common import record_event


def random_percent() -> int:
    return getattr(settings, "AFTERSALES_QC_RANDOM_PERCENT", 10)


def horizon_days() -> int:
    return getattr(settings, "AFTERSALES_QC_HORIZON_DAYS", 30)


def is_randomly_sampled(ticket_id: int, percent: int | None = None) -> bool:
    return stable_percentile("qc", ticket_id) < (random_percent() if percent is None else percent)


def sample_reason(ticket) -> str | None:
    """The most serious reason to review a closed ticket (complaint, low score, breach), else chance, else None."""
    if ticket.kind == Kind.COMPLAINT or ticket.has_complaint:
        return SampleReason.COMPLAINT
    if ticket.has_low_score:
        return SampleReason.LOW_SCORE
    if ticket.sla_health == SlaHealth.BREACHED:
        return SampleReason.BREACHED
    if is_randomly_sampled(ticket.pk):
        return SampleReason.RANDOM
    return None


def response_minutes(ticket) -> int | None:
    """From the request received to the solution proposed (the ticket resolved), wall-clock minutes."""
    if ticket.resolved_at is None:
        return None
    return max(0, int((ticket.resolved_at - ticket.received_at).total_seconds() // 60))


def qc_sample(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Put the closed tickets of the last weeks that the sample takes on the QC worklist; idempotent.

    Tickets left out are looked at again by the next run (a low score may arrive after closing); chance is a hash
    of the ticket, so a rerun leaves out the same ones.
    """
    now = now or timezone.now()
    candidates = (
        Ticket.objects.filter(
            status__in=(Status.CLOSED, Status.ARCHIVED),
            closed_at__gte=now - dt.timedelta(days=horizon_days()),
            qc_review__isnull=True,
        )
        .annotate(
            has_complaint=Exists(Complaint.related_tickets.through.objects.filter(ticket_id=OuterRef("pk"))),
            has_low_score=Exists(FollowUp.objects.filter(ticket=OuterRef("pk"), outcome=Outcome.DISSATISFIED)),
        )
        .select_related("assignee")
        .order_by("id")
    )
    created, after = 0, 0
    while tickets := list(candidates.filter(id__gt=after)[:batch]):
        after = tickets[-1].id
        rows = []
        for ticket in tickets:
            reason = sample_reason(ticket)
            if reason is None:
                continue
            engineer = original_engineer(ticket)
            rows.append(
                QcReview(
                    ticket=ticket,
                    sample_reason=reason,
                    engineer=engineer,
                    response_minutes=response_minutes(ticket),
                )
            )
        QcReview.objects.bulk_create(rows, ignore_conflicts=True)
        created += len(rows)
    return created


@transaction.atomic
def qc_review_record(
    *, actor, review: QcReview, response_quality: int, service_quality: int, score: int, comment: str = ""
) -> QcReview:
    """Record (or correct) a review; QC_REVIEWED on the ticket (staff only) and the engineer is told."""
    if not may_review(actor):
        raise PermissionDenied()
    review = QcReview.objects.select_for_update(of=("self",)).select_related("ticket", "engineer").get(pk=review.pk)
    first = review.reviewed_at is None
    review.response_quality, review.service_quality, review.score = response_quality, service_quality, score
    review.comment, review.reviewer, review.reviewed_at = comment.strip(), actor, timezone.now()
    try:
        review.full_clean(exclude=["ticket", "engineer", "sample_reason"])
        if None in (response_quality, service_quality, score):
            raise ValidationError({"score": _("Give both quality scores and the overall score.")})
    except ValidationError as error:
        raise validation_failed_from(error) from error
    review.save()
    record_event(
        ticket=review.ticket,
        actor=actor,
        kind=EventKind.QC_REVIEWED,
        at=review.reviewed_at,
        data={"qc_review": review.pk, "score": score, "public": False},
    )
    if first and review.engineer is not None and review.engineer.is_active:
        context = {"number": review.ticket.number, "score": score}
        from django.urls import reverse

        enqueue(
            staff_messages(
                users=[review.engineer],
                key=f"qc_review:{review.pk}:reviewed",
                template="qc_reviewed",
                context=context,
                path=reverse("quality_my_reviews"),
                urgent=False,
            )
        )
    return review
