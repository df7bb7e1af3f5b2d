"""Follow-ups: the planning sweep, sampling, recording, and the re-service loop until the customer is satisfied."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.notifications.models import Outbox
from aftersales.quality.choices import FollowUpStatus, Method, Outcome
from aftersales.quality.models import FollowUp, FollowUpRule
from aftersales.quality.rules import is_sampled
from aftersales.quality.services.follow_ups import (
    follow_up_answer_in_portal,
    follow_up_record,
    follow_ups_plan,
    reservice_chain,
)
from aftersales.quality.services.surveys import survey_answer, survey_link_send
from aftersales.quality.tests.helpers import HAPPY, LOW, logged, people, resolved, work_to_resolved
from aftersales.tickets.choices import Channel, EventKind, Kind, Status
from aftersales.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return people()


def test_the_sweep_plans_one_follow_up_per_resolved_ticket_due_after_the_delay(staff):
    customer = CustomerFactory()
    ticket = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=customer)
    still_open = logged(agent=staff["agent"], customer=customer)

    assert follow_ups_plan() == 1
    assert follow_ups_plan() == 0  # a rerun plans nothing twice

    follow_up = FollowUp.objects.get()
    assert follow_up.ticket == ticket
    assert follow_up.due_at == ticket.resolved_at + dt.timedelta(hours=24)
    assert (follow_up.status, follow_up.sampled, follow_up.method) == (FollowUpStatus.PENDING, True, Method.PHONE)
    assert not FollowUp.objects.filter(ticket=still_open).exists()


def test_the_contract_rule_decides_kinds_delay_threshold_and_method(staff):
    contract = ContractFactory()
    FollowUpRule.objects.create(
        contract=contract, kinds=[Kind.MAJOR_FAULT], delay_hours=2, low_score_threshold=3, methods=[Method.SURVEY_LINK]
    )
    FollowUpRule.objects.create(contract=None, kinds=[Kind.GENERAL_FAULT], delay_hours=48)
    customer = contract.customer
    major = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=customer, kind=Kind.MAJOR_FAULT)
    general = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=customer)
    other = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=CustomerFactory())
    assert major.contract == contract and general.contract == contract

    follow_ups_plan()

    planned = {f.ticket_id: f for f in FollowUp.objects.all()}
    assert set(planned) == {major.pk, other.pk}  # the contract's rule leaves out general faults
    assert planned[major.pk].due_at == major.resolved_at + dt.timedelta(hours=2)
    assert (planned[major.pk].method, planned[major.pk].low_score_threshold) == (Method.SURVEY_LINK, 3)
    assert planned[other.pk].due_at == other.resolved_at + dt.timedelta(hours=48)  # the default rule


def test_sampling_is_deterministic_per_ticket_and_reruns_agree(staff):
    FollowUpRule.objects.create(contract=None, sample_percent=50)
    customer = CustomerFactory()
    tickets = [resolved(agent=staff["agent"], engineer=staff["engineer"], customer=customer) for _ in range(12)]

    follow_ups_plan()
    first = dict(FollowUp.objects.values_list("ticket_id", "sampled"))
    FollowUp.objects.all().delete()
    follow_ups_plan()
    second = dict(FollowUp.objects.values_list("ticket_id", "sampled"))

    assert first == second == {t.pk: is_sampled(ticket_id=t.pk, percent=50) for t in tickets}
    assert FollowUp.objects.filter(sampled=False, status=FollowUpStatus.NOT_SAMPLED).count() == sum(
        not sampled for sampled in first.values()
    )
    assert [is_sampled(ticket_id=n, percent=50) for n in range(1, 200)].count(True) in range(70, 130)
    assert all(is_sampled(ticket_id=n, percent=100) for n in range(1, 50))
    assert not any(is_sampled(ticket_id=n, percent=0) for n in range(1, 50))


def test_a_quality_controller_records_a_call_with_the_script(staff):
    ticket = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=CustomerFactory())
    follow_ups_plan()
    follow_up = FollowUp.objects.get()

    follow_up_record(
        actor=staff["quality"],
        follow_up=follow_up,
        method=Method.PHONE,
        scores=HAPPY,
        comment="很满意",
        script_answers={"problem_solved": "yes", "engineer_on_time": "no", "made_up": "x"},
    )

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.outcome, follow_up.recorded_by) == (
        FollowUpStatus.DONE,
        Outcome.SATISFIED,
        staff["quality"],
    )
    assert follow_up.script_answers == {"problem_solved": "yes", "engineer_on_time": "no"}
    assert follow_up.assigned_to == staff["quality"]
    event = ticket.events.get(kind=EventKind.FOLLOW_UP_RECORDED)
    assert event.actor == staff["quality"]
    assert event.data == {"follow_up": follow_up.pk, "method": "phone", "outcome": "satisfied", **HAPPY}
    with pytest.raises(InvalidTransition):
        follow_up_record(actor=staff["quality"], follow_up=follow_up, method=Method.PHONE, scores=HAPPY)


def test_a_call_is_refused_without_every_score_and_to_an_engineer(staff):
    resolved(agent=staff["agent"], engineer=staff["engineer"], customer=CustomerFactory())
    follow_ups_plan()
    follow_up = FollowUp.objects.get()

    with pytest.raises(ValidationFailed) as refused:
        follow_up_record(
            actor=staff["quality"], follow_up=follow_up, method=Method.PHONE, scores={**HAPPY, "score_attitude": 6}
        )
    assert set(refused.value.detail) == {"score_attitude"}
    with pytest.raises(PermissionDenied):
        follow_up_record(actor=staff["engineer"], follow_up=follow_up, method=Method.PHONE, scores=HAPPY)

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.answered_at) == (FollowUpStatus.PENDING, None)
    assert not TicketEvent.objects.filter(kind=EventKind.FOLLOW_UP_RECORDED).exists()


def test_unreachable_needs_no_scores_and_opens_nothing(staff):
    resolved(agent=staff["agent"], engineer=staff["engineer"], customer=CustomerFactory())
    follow_ups_plan()
    follow_up = follow_up_record(
        actor=staff["quality"], follow_up=FollowUp.objects.get(), method=Method.PHONE, outcome=Outcome.UNREACHABLE
    )
    assert (follow_up.outcome, follow_up.reservice_ticket) == (Outcome.UNREACHABLE, None)
    assert Ticket.objects.count() == 1


def answer_by_link(follow_up, scores):
    token = survey_link_send(actor=None, follow_up=follow_up)
    return survey_answer(token=token, scores=scores, comment="还是卡纸")


def test_a_dissatisfied_survey_re_dispatches_until_the_customer_is_satisfied(staff):
    agent, engineer, manager = staff["agent"], staff["engineer"], staff["manager"]
    FollowUpRule.objects.create(contract=None, sample_percent=0)  # re-service follow-ups are sampled regardless
    customer = CustomerFactory()
    original = resolved(agent=agent, engineer=engineer, customer=customer)
    FollowUp.objects.create(ticket=original, due_at=timezone.now(), method=Method.SURVEY_LINK)

    # First round: a low score opens a re-service ticket, dispatched to the same engineer.
    answered = answer_by_link(FollowUp.objects.get(ticket=original), LOW)
    assert answered.outcome == Outcome.DISSATISFIED
    first = answered.reservice_ticket
    assert (first.channel, first.kind, first.customer, first.assignee, first.status) == (
        Channel.FOLLOW_UP,
        original.kind,
        customer,
        engineer,
        Status.ASSIGNED,
    )
    assert first.reservice_of.ticket == original
    opened = original.events.get(kind=EventKind.RESERVICE_OPENED)
    assert opened.data["reservice_ticket"] == first.pk
    assert original.events.get(kind=EventKind.SURVEY_ANSWERED).data["outcome"] == "dissatisfied"
    manager_keys = set(Outbox.objects.filter(user=manager).values_list("key", flat=True))
    assert manager_keys == {
        f"follow_up:{answered.pk}:reservice:manager:user:{manager.pk}:in_app",
        f"follow_up:{answered.pk}:reservice:manager:user:{manager.pk}:sms",
    }
    assert Outbox.objects.filter(user=engineer, key__contains=":reservice:engineer:").count() == 1

    # Second round: the re-service ticket is worked, followed up (sampled though the rule samples 0 %), low again.
    work_to_resolved(first, agent=agent, engineer=engineer)
    assert follow_ups_plan() == 1
    follow_up = FollowUp.objects.get(ticket=first)
    assert (follow_up.sampled, follow_up.status) == (True, FollowUpStatus.PENDING)
    second = answer_by_link(follow_up, {**HAPPY, "score_attitude": 1}).reservice_ticket
    assert second is not None and second.assignee == engineer

    # Third round: satisfied ends the loop.
    work_to_resolved(second, agent=agent, engineer=engineer)
    follow_ups_plan()
    last = answer_by_link(FollowUp.objects.get(ticket=second), HAPPY)
    assert (last.outcome, last.reservice_ticket) == (Outcome.SATISFIED, None)
    follow_ups_plan()
    assert Ticket.objects.count() == 3
    assert FollowUp.objects.filter(status=FollowUpStatus.PENDING).count() == 0
    assert reservice_chain(original) == [original, first, second]


def test_re_service_goes_to_the_dispatchers_when_the_engineer_has_left(staff):
    original = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=CustomerFactory())
    staff["engineer"].is_active = False
    staff["engineer"].save()
    follow_up = FollowUp.objects.create(ticket=original, due_at=timezone.now(), method=Method.PHONE)

    follow_up_record(actor=staff["quality"], follow_up=follow_up, method=Method.PHONE, scores=LOW)

    follow_up.refresh_from_db()
    assert (follow_up.reservice_ticket.status, follow_up.reservice_ticket.assignee) == (Status.NEW, None)
    keys = set(Outbox.objects.filter(user=staff["dispatcher"]).values_list("key", flat=True))
    assert keys == {f"follow_up:{follow_up.pk}:reservice:dispatch:user:{staff['dispatcher'].pk}:in_app"}


def test_the_customer_answers_in_the_portal_only_on_their_own_ticket(staff):
    mine, theirs = CustomerFactory(), CustomerFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=mine)
    own = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=mine)
    other = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=theirs)
    follow_ups_plan()

    with pytest.raises(NotFound):
        follow_up_answer_in_portal(actor=customer_user, follow_up=FollowUp.objects.get(ticket=other), scores=HAPPY)
    follow_up = follow_up_answer_in_portal(
        actor=customer_user, follow_up=FollowUp.objects.get(ticket=own), scores=HAPPY
    )

    assert (follow_up.method, follow_up.outcome, follow_up.recorded_by) == (
        Method.PORTAL,
        Outcome.SATISFIED,
        customer_user,
    )
    assert FollowUp.objects.get(ticket=other).status == FollowUpStatus.PENDING
    assert not other.events.filter(kind=EventKind.SURVEY_ANSWERED).exists()
    assert own.events.get(kind=EventKind.SURVEY_ANSWERED).actor == customer_user


def test_the_sweep_sends_due_survey_links_once_to_the_tickets_contact(staff):
    from aftersales.notifications.models import Outbox
    from aftersales.quality.models import SurveyLink
    from aftersales.quality.services.surveys import survey_links_send_due

    FollowUpRule.objects.create(contract=None, methods=[Method.SURVEY_LINK], delay_hours=1)
    ticket = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=CustomerFactory())
    follow_ups_plan()
    follow_up = FollowUp.objects.get(ticket=ticket)

    assert survey_links_send_due() == 0  # not due yet
    assert survey_links_send_due(now=follow_up.due_at + dt.timedelta(minutes=1)) == 1
    assert survey_links_send_due(now=follow_up.due_at + dt.timedelta(minutes=6)) == 0

    link = SurveyLink.objects.get()
    assert (link.follow_up, link.sent_to, link.created_by) == (follow_up, "+8613900139000", None)
    message = Outbox.objects.get(key=f"follow_up:{follow_up.pk}:survey_link:1")
    assert (message.channel, message.recipient) == ("sms", "+8613900139000")
    assert message.url.startswith("http") and "/survey/" in message.url


def test_the_periodic_tasks_run_the_sweeps(staff):
    from aftersales.quality import tasks

    resolved(agent=staff["agent"], engineer=staff["engineer"], customer=CustomerFactory())
    logged(agent=staff["agent"], customer=CustomerFactory(), kind=Kind.COMPLAINT)

    assert tasks.plan_follow_ups.call() == 1
    assert tasks.pick_up_complaints.call() == 1
    assert tasks.sample_for_review.call() == 0
    assert tasks.plan_follow_ups.call() == 0
