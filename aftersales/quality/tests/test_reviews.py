"""QC sampling and reviews: random plus every targeted ticket, idempotent, and the review's event."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.notifications.models import Outbox
from aftersales.quality.choices import Method, SampleReason
from aftersales.quality.models import FollowUp, QcReview
from aftersales.quality.services.complaints import complaint_register
from aftersales.quality.services.follow_ups import follow_up_record
from aftersales.quality.services.reviews import is_randomly_sampled, qc_review_record, qc_sample
from aftersales.quality.tests.helpers import LOW, close, people, resolved
from aftersales.tickets.choices import EventKind, SlaHealth
from aftersales.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return people()


def closed_ticket(staff, customer=None):
    ticket = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=customer or CustomerFactory())
    return close(ticket, supervisor=staff["quality"])


def test_the_sample_takes_every_targeted_ticket_and_a_deterministic_random_share(settings, staff):
    settings.AFTERSALES_QC_RANDOM_PERCENT = 30
    customer = CustomerFactory()
    plain = [closed_ticket(staff, customer) for _ in range(10)]
    breached = closed_ticket(staff, customer)
    Ticket.objects.filter(pk=breached.pk).update(sla_health=SlaHealth.BREACHED)
    low = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=customer)
    follow_up = FollowUp.objects.create(ticket=low, due_at=timezone.now(), method=Method.PHONE)
    follow_up_record(actor=staff["quality"], follow_up=follow_up, method=Method.PHONE, scores=LOW)
    low = close(low, supervisor=staff["quality"])
    complained_about = closed_ticket(staff, customer)
    complaint_register(
        actor=staff["agent"],
        customer=customer,
        title="投诉",
        description="不满意",
        contact_name="刘",
        contact_phone="+8613600136000",
        related_tickets=[complained_about],
    )
    open_ticket = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=customer)

    created = qc_sample()

    reasons = dict(QcReview.objects.values_list("ticket_id", "sample_reason"))
    randomly = {t.pk for t in plain if is_randomly_sampled(t.pk, 30)}
    assert reasons == {
        breached.pk: SampleReason.BREACHED,
        low.pk: SampleReason.LOW_SCORE,
        complained_about.pk: SampleReason.COMPLAINT,
        **dict.fromkeys(randomly, SampleReason.RANDOM),
    }
    assert created == len(reasons) and open_ticket.pk not in reasons
    assert qc_sample() == 0  # a rerun takes nothing twice and leaves out the same tickets
    assert QcReview.objects.count() == len(reasons)


def test_the_review_shows_the_response_time_and_the_engineer(staff):
    ticket = closed_ticket(staff)
    Ticket.objects.filter(pk=ticket.pk).update(
        received_at=ticket.resolved_at - dt.timedelta(minutes=95), sla_health=SlaHealth.BREACHED
    )
    qc_sample()
    review = QcReview.objects.get()
    assert (review.engineer, review.response_minutes, review.reviewed_at) == (staff["engineer"], 95, None)


def test_recording_a_review_writes_the_event_and_tells_the_engineer_once(staff):
    ticket = closed_ticket(staff)
    review = QcReview.objects.create(ticket=ticket, sample_reason=SampleReason.RANDOM, engineer=staff["engineer"])

    qc_review_record(
        actor=staff["quality"], review=review, response_quality=4, service_quality=3, score=78, comment="及时"
    )
    qc_review_record(actor=staff["manager"], review=review, response_quality=4, service_quality=4, score=82)

    review.refresh_from_db()
    assert (review.score, review.reviewer, review.service_quality) == (82, staff["manager"], 4)
    events = list(ticket.events.filter(kind=EventKind.QC_REVIEWED).order_by("id"))
    assert [e.data for e in events] == [
        {"qc_review": review.pk, "score": 78, "public": False},
        {"qc_review": review.pk, "score": 82, "public": False},
    ]
    assert Outbox.objects.filter(user=staff["engineer"], key__startswith=f"qc_review:{review.pk}:").count() == 1


def test_a_review_is_refused_out_of_range_and_to_engineers(staff):
    review = QcReview.objects.create(
        ticket=closed_ticket(staff), sample_reason=SampleReason.RANDOM, engineer=staff["engineer"]
    )
    with pytest.raises(ValidationFailed):
        qc_review_record(actor=staff["quality"], review=review, response_quality=6, service_quality=3, score=70)
    with pytest.raises(ValidationFailed):
        qc_review_record(actor=staff["quality"], review=review, response_quality=3, service_quality=3, score=101)
    with pytest.raises(PermissionDenied):
        qc_review_record(actor=staff["engineer"], review=review, response_quality=5, service_quality=5, score=100)
    review.refresh_from_db()
    assert (review.score, review.reviewed_at) == (None, None)
    assert not review.ticket.events.filter(kind=EventKind.QC_REVIEWED).exists()
