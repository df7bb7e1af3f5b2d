"""The quality pages: who may see and do what (nothing changes on refusal), the survey link, the ticket card."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.quality.choices import FollowUpStatus, Method, Outcome, SampleReason
from aftersales.quality.models import Complaint, FollowUp, FollowUpRule, QcReview, SurveyLink
from aftersales.quality.services.complaints import complaint_register
from aftersales.quality.services.reviews import qc_review_record
from aftersales.quality.services.surveys import survey_link_send
from aftersales.quality.tests.helpers import HAPPY, LOW, close, people, resolved
from aftersales.tickets.choices import EventKind, Kind, Status
from aftersales.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
EN = {"headers": {"accept-language": "en"}}


@pytest.fixture
def world():
    staff = people()
    mine, theirs = CustomerFactory(), CustomerFactory()
    staff["customer_user"] = UserFactory(role=Role.CUSTOMER, customer=mine)
    staff["other_customer_user"] = UserFactory(role=Role.CUSTOMER, customer=theirs)
    staff["other_engineer"] = UserFactory(role=Role.ENGINEER)
    own = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=mine)
    foreign = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=theirs)
    staff["own_follow_up"] = FollowUp.objects.create(ticket=own, due_at=timezone.now(), method=Method.PHONE)
    staff["foreign_follow_up"] = FollowUp.objects.create(ticket=foreign, due_at=timezone.now(), method=Method.PHONE)
    staff["mine"], staff["theirs"], staff["own"], staff["foreign"] = mine, theirs, own, foreign
    return staff


def scores_post(scores, **extra):
    return {**{name: str(value) for name, value in scores.items()}, "comment": "", **extra}


def as_user(client, user):
    client.force_login(user)
    return client


# --- follow-ups -----------------------------------------------------------------------------------


def test_the_worklist_shows_due_follow_ups_to_quality_and_each_customer_only_theirs(client, world):
    as_user(client, world["quality"])
    page = client.get(reverse("quality_follow_ups"), **EN)
    assert page.status_code == 200
    assert {row.ticket.number for row in page.context["page"]["rows"]} == {
        world["own"].number,
        world["foreign"].number,
    }

    as_user(client, world["customer_user"])
    page = client.get(reverse("quality_follow_ups"), **EN)
    assert [row.ticket.number for row in page.context["page"]["rows"]] == [world["own"].number]
    assert world["foreign"].number not in page.content.decode()


@pytest.mark.parametrize("role", ["engineer", "dispatcher"])
def test_staff_who_do_not_follow_up_see_no_worklist(client, world, role):
    as_user(client, world[role])
    assert client.get(reverse("quality_follow_ups")).status_code == 404
    assert client.get(reverse("quality_follow_up_detail", args=[world["own_follow_up"].pk])).status_code == 404
    post = client.post(
        reverse("quality_follow_up_record", args=[world["own_follow_up"].pk]),
        scores_post(HAPPY, method="phone", outcome="answered"),
    )
    assert post.status_code == 404
    assert FollowUp.objects.get(pk=world["own_follow_up"].pk).status == FollowUpStatus.PENDING


def test_the_worklist_reads_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    for _ in range(5):
        ticket = resolved(agent=world["agent"], engineer=world["engineer"], customer=world["mine"])
        FollowUp.objects.create(ticket=ticket, due_at=timezone.now(), method=Method.PHONE, assigned_to=world["quality"])
    as_user(client, world["quality"])
    client.get(reverse("quality_follow_ups"))  # warm the session and the user
    # Session, user, the user's and group permissions, the page of follow-ups, the unread notifications.
    with django_assert_num_queries(6):
        page = client.get(reverse("quality_follow_ups"))
    assert len(page.context["page"]["rows"]) == 7


def test_quality_records_a_call_on_the_sheet(client, world):
    follow_up = world["own_follow_up"]
    as_user(client, world["quality"])
    assert client.get(reverse("quality_follow_up_detail", args=[follow_up.pk]), **EN).status_code == 200

    response = client.post(
        reverse("quality_follow_up_record", args=[follow_up.pk]),
        scores_post(HAPPY, method="visit", outcome="answered", problem_solved="yes"),
    )

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.method, follow_up.outcome, follow_up.script_answers) == (
        FollowUpStatus.DONE,
        Method.VISIT,
        Outcome.SATISFIED,
        {"problem_solved": "yes"},
    )
    page = client.get(reverse("quality_follow_up_detail", args=[follow_up.pk]), **EN)
    assert "Was the problem solved?" in page.content.decode()


def test_taking_a_follow_up_is_on_the_tickets_timeline_for_staff(client, world):
    follow_up = world["own_follow_up"]
    as_user(client, world["quality"])

    client.post(reverse("quality_follow_up_take", args=[follow_up.pk]))
    client.post(reverse("quality_follow_up_take", args=[follow_up.pk]))  # already theirs: nothing new

    follow_up.refresh_from_db()
    assert follow_up.assigned_to == world["quality"]
    taken = TicketEvent.objects.filter(ticket=world["own"], kind=EventKind.UPDATED)
    assert [(event.actor, event.data) for event in taken] == [
        (world["quality"], {"follow_up": follow_up.pk, "follow_up_assigned_to": world["quality"].pk, "public": False})
    ]
    assert not TicketEvent.objects.visible_to(world["customer_user"]).filter(kind=EventKind.UPDATED).exists()


def test_a_call_without_scores_shows_the_errors_and_saves_nothing(client, world):
    follow_up = world["own_follow_up"]
    as_user(client, world["quality"])
    response = client.post(
        reverse("quality_follow_up_record", args=[follow_up.pk]),
        {"method": "phone", "outcome": "answered"},
        **EN,
    )
    assert response.status_code == 200
    assert "Give a score from 1 to 5." in response.content.decode()
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.PENDING


def test_the_customer_rates_their_own_ticket_in_the_portal_and_not_another(client, world):
    as_user(client, world["customer_user"])
    foreign = world["foreign_follow_up"]
    assert client.get(reverse("quality_follow_up_detail", args=[foreign.pk])).status_code == 404
    refused = client.post(reverse("quality_follow_up_record", args=[foreign.pk]), scores_post(HAPPY))
    assert refused.status_code == 404
    assert FollowUp.objects.get(pk=foreign.pk).status == FollowUpStatus.PENDING
    assert client.post(reverse("quality_follow_up_send_link", args=[foreign.pk]), {}).status_code == 404

    own = world["own_follow_up"]
    assert client.post(reverse("quality_follow_up_send_link", args=[own.pk]), {}).status_code == 404
    response = client.post(reverse("quality_follow_up_record", args=[own.pk]), scores_post(LOW))
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.method, own.outcome, own.reservice_ticket.status) == (
        Method.PORTAL,
        Outcome.DISSATISFIED,
        Status.ASSIGNED,
    )
    assert not SurveyLink.objects.exists()


# --- the survey link ------------------------------------------------------------------------------


def test_a_survey_link_works_once(client, world):
    token = survey_link_send(actor=world["quality"], follow_up=world["own_follow_up"])
    url = reverse("quality_survey", args=[token])

    assert client.get(url, **EN).status_code == 200
    done = client.post(url, scores_post(HAPPY), **EN)
    assert done.status_code == 200 and "Thank you for your answer." in done.content.decode()
    again = client.post(url, scores_post(LOW), **EN)
    assert again.status_code == 410

    follow_up = FollowUp.objects.get(pk=world["own_follow_up"].pk)
    assert (follow_up.outcome, follow_up.method, follow_up.recorded_by) == (Outcome.SATISFIED, Method.SURVEY_LINK, None)
    assert Ticket.objects.count() == 2  # the low score after use opened nothing
    assert world["own"].events.filter(kind=EventKind.SURVEY_ANSWERED).count() == 1


def test_an_expired_or_unknown_link_is_refused(client, world):
    token = survey_link_send(actor=world["quality"], follow_up=world["own_follow_up"])
    SurveyLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert client.post(reverse("quality_survey", args=[token]), scores_post(HAPPY)).status_code == 410
    assert client.get(reverse("quality_survey", args=["not-a-token"])).status_code == 404
    assert FollowUp.objects.get(pk=world["own_follow_up"].pk).status == FollowUpStatus.PENDING


def test_another_customers_user_cannot_answer_through_the_link(client, world):
    token = survey_link_send(actor=world["quality"], follow_up=world["own_follow_up"])
    as_user(client, world["other_customer_user"])

    assert client.get(reverse("quality_survey", args=[token])).status_code == 404
    assert client.post(reverse("quality_survey", args=[token]), scores_post(LOW)).status_code == 404
    assert FollowUp.objects.get(pk=world["own_follow_up"].pk).status == FollowUpStatus.PENDING
    assert SurveyLink.objects.get().used_at is None


def test_the_link_goes_only_to_the_customers_people_on_record(client, world):
    as_user(client, world["quality"])
    client.post(reverse("quality_follow_up_send_link", args=[world["own_follow_up"].pk]), {"send_to": "+8613011112222"})
    assert not SurveyLink.objects.exists()
    client.post(reverse("quality_follow_up_send_link", args=[world["own_follow_up"].pk]), {"send_to": ""})
    assert SurveyLink.objects.get().sent_to == "+8613900139000"


# --- complaints -----------------------------------------------------------------------------------


def complain(world, customer, actor=None):
    return complaint_register(
        actor=actor or world["agent"],
        customer=customer,
        title="投诉服务",
        description="多次未解决",
        contact_name="刘",
        contact_phone="+8613600136000",
    )


def test_customers_see_only_their_own_complaints(client, world):
    own = complain(world, world["mine"], actor=world["customer_user"])
    foreign = complain(world, world["theirs"])
    as_user(client, world["customer_user"])

    page = client.get(reverse("quality_complaints"))
    assert [row.pk for row in page.context["page"]["rows"]] == [own.pk]
    assert client.get(reverse("quality_complaint_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("quality_complaint_detail", args=[foreign.pk])).status_code == 404
    page = client.get(reverse("quality_complaint_detail", args=[own.pk]))
    assert "link-form" not in page.content.decode() and "close-form" not in page.content.decode()


def test_a_customer_complains_from_their_ticket(client, world):
    as_user(client, world["customer_user"])
    form = client.get(reverse("quality_complaint_new") + f"?ticket={world['own'].pk}")
    assert form.context["form"]["tickets"].value() == world["own"].number

    response = client.post(
        reverse("quality_complaint_new"),
        {
            "title": "工程师没解决",
            "description": "打印机还是坏",
            "contact_name": "王五",
            "contact_phone": "13900139000",
            "tickets": world["own"].number,
        },
    )

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert (complaint.ticket.customer, complaint.ticket.kind, list(complaint.related_tickets.all())) == (
        world["mine"],
        Kind.COMPLAINT,
        [world["own"]],
    )


def test_a_customer_cannot_name_another_customers_ticket(client, world):
    as_user(client, world["customer_user"])
    response = client.post(
        reverse("quality_complaint_new"),
        {
            "title": "x",
            "description": "y",
            "contact_name": "王五",
            "contact_phone": "13900139000",
            "tickets": world["foreign"].number,
        },
        **EN,
    )
    assert response.status_code == 200 and "No such ticket" in response.content.decode()
    assert not Ticket.objects.filter(kind=Kind.COMPLAINT).exists()


def test_the_complaint_page_shows_the_evidence_and_closes_only_with_cause_and_action(client, world):
    complaint = complain(world, world["mine"])
    as_user(client, world["quality"])
    client.post(
        reverse("quality_complaint_link", args=[complaint.pk]),
        {"tickets": world["own"].number, "people": [world["engineer"].pk]},
    )
    ticket = complaint.ticket
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED)  # worked on its ticket meanwhile
    ticket.refresh_from_db()

    page = client.get(reverse("quality_complaint_detail", args=[complaint.pk]))
    evidence = page.context["evidence"]
    assert {event.ticket_id for event in evidence} == {ticket.pk, world["own"].pk}
    assert EventKind.COMPLAINT_LINKED in [event.kind for event in evidence]
    assert "close-form" in page.content.decode()

    refused = client.post(
        reverse("quality_complaint_close", args=[complaint.pk]),
        {"version": ticket.version, "root_cause": "人手不足", "corrective_action": ""},
    )
    assert refused.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED
    client.post(
        reverse("quality_complaint_close", args=[complaint.pk]),
        {"version": ticket.version, "root_cause": "人手不足", "corrective_action": "增加值班工程师"},
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.corrective_action) == (Status.CLOSED, "增加值班工程师")


@pytest.mark.parametrize("person", ["99999999999999999999", "-1", "abc"])
def test_linking_a_person_who_cannot_exist_is_refused_with_a_reason(client, world, person):
    """A number past a bigint's range was a server error on SQLite (it cannot bind it)."""
    complaint = complain(world, world["mine"])
    as_user(client, world["quality"])

    url = reverse("quality_complaint_link", args=[complaint.pk])
    answer = client.post(url, {"people": [person]}, follow=True, **EN)

    assert answer.status_code == 200
    assert "is not one of the available choices." in answer.content.decode().replace("&quot;", '"')
    assert complaint.people_concerned.count() == 0


def test_engineers_cannot_link_or_close_complaints(client, world):
    complaint = complain(world, world["mine"])
    as_user(client, world["engineer"])
    assert (
        client.post(
            reverse("quality_complaint_link", args=[complaint.pk]), {"tickets": world["own"].number}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("quality_complaint_close", args=[complaint.pk]),
            {"version": 1, "root_cause": "a", "corrective_action": "b"},
        ).status_code
        == 404
    )
    assert complaint.related_tickets.count() == 0
    assert not TicketEvent.objects.filter(kind=EventKind.COMPLAINT_LINKED).exists()


def test_the_complaint_list_reads_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    for _ in range(4):
        complain(world, world["mine"])
    as_user(client, world["manager"])
    client.get(reverse("quality_complaints"))
    with django_assert_num_queries(4):  # session, user, the page of complaints, the unread notifications
        page = client.get(reverse("quality_complaints"))
    assert len(page.context["page"]["rows"]) == 4


# --- QC -------------------------------------------------------------------------------------------


def reviewed(world, ticket, engineer, score):
    review = QcReview.objects.create(ticket=ticket, sample_reason=SampleReason.RANDOM, engineer=engineer)
    return qc_review_record(actor=world["quality"], review=review, response_quality=4, service_quality=4, score=score)


def test_an_engineer_sees_the_reviews_of_their_own_work_only(client, world):
    mine = reviewed(world, close(world["own"], supervisor=world["quality"]), world["engineer"], 81)
    other_ticket = resolved(agent=world["agent"], engineer=world["other_engineer"], customer=world["mine"])
    others = reviewed(world, close(other_ticket, supervisor=world["quality"]), world["other_engineer"], 55)

    as_user(client, world["engineer"])
    page = client.get(reverse("quality_my_reviews"))
    assert [row.pk for row in page.context["page"]["rows"]] == [mine.pk]
    assert client.get(reverse("quality_qc_list")).status_code == 404
    assert client.get(reverse("quality_qc_review", args=[others.pk])).status_code == 404
    ticket_page = client.get(reverse("ticket_detail", args=[other_ticket.pk]))
    assert 'data-testid="qc-review"' not in ticket_page.content.decode()
    ticket_page = client.get(reverse("ticket_detail", args=[world["own"].pk]))
    assert 'data-testid="qc-review"' in ticket_page.content.decode()

    as_user(client, world["other_engineer"])
    page = client.get(reverse("quality_my_reviews"))
    assert [row.pk for row in page.context["page"]["rows"]] == [others.pk]


def test_managers_see_every_review_and_customers_none(client, world):
    review = reviewed(world, close(world["own"], supervisor=world["quality"]), world["engineer"], 81)
    as_user(client, world["manager"])
    page = client.get(reverse("quality_qc_list") + "?view=reviewed")
    assert [row.pk for row in page.context["page"]["rows"]] == [review.pk]

    as_user(client, world["customer_user"])
    assert client.get(reverse("quality_qc_list")).status_code == 404
    assert client.get(reverse("quality_my_reviews")).status_code == 404
    assert client.get(reverse("quality_qc_review", args=[review.pk])).status_code == 404
    ticket_page = client.get(reverse("ticket_detail", args=[world["own"].pk]))
    assert 'data-testid="qc-review"' not in ticket_page.content.decode()


def test_the_review_form_shows_the_response_time_and_records(client, world):
    ticket = close(world["own"], supervisor=world["quality"])
    review = QcReview.objects.create(
        ticket=ticket, sample_reason=SampleReason.BREACHED, engineer=world["engineer"], response_minutes=42
    )
    as_user(client, world["quality"])
    page = client.get(reverse("quality_qc_review", args=[review.pk]), **EN)
    assert "42 minutes" in page.content.decode()

    response = client.post(
        reverse("quality_qc_review", args=[review.pk]),
        {"response_quality": "3", "service_quality": "4", "score": "70", "comment": "响应慢"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.score, review.reviewer) == (70, world["quality"])


def test_an_engineer_posting_a_review_changes_nothing(client, world):
    ticket = close(world["own"], supervisor=world["quality"])
    review = QcReview.objects.create(ticket=ticket, sample_reason=SampleReason.RANDOM, engineer=world["engineer"])
    as_user(client, world["engineer"])
    response = client.post(
        reverse("quality_qc_review", args=[review.pk]),
        {"response_quality": "5", "service_quality": "5", "score": "100"},
    )
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.reviewed_at is None


# --- rules ----------------------------------------------------------------------------------------


def test_a_manager_sets_a_contracts_rule_and_others_cannot(client, world):
    contract = ContractFactory(customer=world["mine"])
    url = reverse("quality_rule_contract", args=[contract.pk])
    data = {
        "enabled": "on",
        "kinds": ["major_fault"],
        "delay_hours": "4",
        "sample_percent": "50",
        "low_score_threshold": "3",
        "methods": ["survey_link", "phone"],
    }

    for role in ("quality", "engineer", "customer_user"):
        as_user(client, world[role])
        assert client.post(url, data).status_code == 404
    assert not FollowUpRule.objects.exists()
    as_user(client, world["quality"])
    assert client.get(reverse("quality_rules")).status_code == 200

    as_user(client, world["manager"])
    assert client.post(url, data).status_code == 302
    rule = FollowUpRule.objects.get(contract=contract)
    assert (rule.kinds, rule.delay_hours, rule.sample_percent, rule.low_score_threshold, rule.methods) == (
        ["major_fault"],
        4,
        50,
        3,
        ["phone", "survey_link"],
    )


def test_a_rule_and_the_escalation_list_keep_their_history(client, world):
    """Who changed a sampling share or a threshold, and who stopped receiving complaints, and when."""
    from aftersales.quality.models import ManagementContact

    as_user(client, world["manager"])
    form = {"enabled": "on", "kinds": ["major_fault"], "delay_hours": "4", "sample_percent": "50"}
    form |= {"low_score_threshold": "2", "methods": ["phone"]}
    client.post(reverse("quality_rule_default"), form)
    client.post(reverse("quality_rule_default"), {**form, "sample_percent": "5"})
    contact = ManagementContact.objects.create(user=world["manager"], position="general_manager")
    contact.active = False
    contact.save()

    rule = FollowUpRule.objects.get(contract=None)
    assert [(row.sample_percent, row.history_user) for row in rule.history.order_by("history_date")] == [
        (50, world["manager"]),
        (5, world["manager"]),
    ]
    assert [row.active for row in contact.history.order_by("history_date")] == [True, False]


# --- the ticket page card -------------------------------------------------------------------------


def test_the_ticket_card_offers_the_customer_a_rating_and_a_complaint(client, world):
    as_user(client, world["customer_user"])
    page = client.get(reverse("ticket_detail", args=[world["own"].pk])).content.decode()
    assert 'data-testid="rate-link"' in page and 'data-testid="complain-link"' in page


def test_the_ticket_card_links_the_re_service_both_ways(client, world):
    as_user(client, world["quality"])
    client.post(
        reverse("quality_follow_up_record", args=[world["own_follow_up"].pk]),
        scores_post(LOW, method="phone", outcome="answered"),
    )
    reservice = FollowUp.objects.get(pk=world["own_follow_up"].pk).reservice_ticket
    original_page = client.get(reverse("ticket_detail", args=[world["own"].pk])).content.decode()
    assert reservice.number in original_page and 'data-testid="reservice"' in original_page
    reservice_page = client.get(reverse("ticket_detail", args=[reservice.pk])).content.decode()
    assert 'data-testid="reservice-of"' in reservice_page and world["own"].number in reservice_page
