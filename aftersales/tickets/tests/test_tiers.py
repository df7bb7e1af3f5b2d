"""Escalating by hand: up the tiers with a reason, or to a manager; who is told, and what customers see."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DutyShift
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.notifications.models import NotificationPreference, Outbox
from aftersales.tickets.choices import EventKind, Status, Tier
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.selectors import ticket_detail
from aftersales.tickets.services import may_escalate, ticket_escalate, ticket_escalate_to_manager
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
ENGLISH = {"accept-language": "en"}
REASON = "现场更换电源后仍无法开机，需要专家分析主板日志。"


@pytest.fixture(autouse=True)
def _english():
    """Reasons and messages are compared in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def people():
    return {
        "agent": UserFactory(role=Role.AGENT, phone="+8613700000010"),
        "engineer": UserFactory(role=Role.ENGINEER, phone="+8613700000011"),
        "expert": UserFactory(role=Role.EXPERT, phone="+8613700000012"),
        "lead": UserFactory(role=Role.EXPERT, phone="+8613700000013"),
        "duty_engineer": UserFactory(role=Role.ENGINEER, phone="+8613700000014"),
        "duty_manager": UserFactory(role=Role.MANAGER, phone="+8613700000015"),
        "manager": UserFactory(role=Role.MANAGER, phone="+8613700000016"),
    }


def around_the_clock(**people) -> None:
    """The organisation's roster: the same people on duty every day, all day."""
    for weekday in range(7):
        DutyShift.objects.create(weekday=weekday, start=dt.time(0), end=dt.time(0), **people)


def in_progress(people, **fields) -> Ticket:
    values = {"status": Status.IN_PROGRESS, "tier": Tier.L1, "assignee": people["agent"]}
    return TicketFactory(**{**values, **fields})


def snapshot(ticket: Ticket) -> tuple:
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (
        ticket.tier,
        ticket.assignee_id,
        ticket.team_id,
        ticket.status,
        ticket.version,
        TicketEvent.objects.count(),
        Outbox.objects.count(),
    )


def told() -> list[tuple[int, str, str, bool]]:
    return sorted(Outbox.objects.values_list("user_id", "channel", "recipient", "urgent"))


# --- up the tiers ---------------------------------------------------------------------------------------


def test_escalating_raises_the_tier_reassigns_records_the_reason_and_tells_the_new_engineer(people):
    ticket = in_progress(people)
    NotificationPreference.objects.create(user=people["expert"], language="en")  # they read it in English

    ticket = ticket_escalate(
        actor=people["agent"],
        ticket=ticket,
        version=ticket.version,
        reason=f"  {REASON}  ",
        to_tier=Tier.L3,
        assignee=people["expert"],
    )

    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.status, ticket.version) == (
        Tier.L3,
        people["expert"],
        Status.IN_PROGRESS,
        2,
    )
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert (event.actor, event.note) == (people["agent"], REASON)
    assert event.data == {
        "from_tier": "L1",
        "to_tier": "L3",
        "assignee": people["expert"].pk,
        "assignee_name": str(people["expert"]),
        "team": None,
        "public": False,
    }
    expert = people["expert"]
    assert told() == sorted([(expert.pk, "in_app", "", True), (expert.pk, "sms", "+8613700000012", True)])
    message = Outbox.objects.get(channel="in_app")
    assert message.key == f"ticket:{ticket.pk}:escalated:{event.pk}:user{expert.pk}:in_app"
    assert message.subject == f"[{ticket.number}] Escalated to L3 expert or vendor"
    assert (
        message.body
        == f'{people["agent"]} escalated {ticket.number} {ticket.customer.name} "服务器无法开机" to L3 expert or vendor. Reason: {REASON}'
    )
    assert message.url.endswith(f"/tickets/{ticket.pk}/")


def test_escalating_a_new_ticket_to_an_engineer_assigns_it(people):
    ticket = TicketFactory(status=Status.NEW)

    ticket_escalate(
        actor=people["agent"], ticket=ticket, version=None, reason=REASON, to_tier=Tier.L2, assignee=people["engineer"]
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.tier, ticket.assignee) == (Status.ASSIGNED, Tier.L2, people["engineer"])
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert (event.from_status, event.to_status) == (Status.NEW, Status.ASSIGNED)


def test_escalating_to_a_team_without_an_engineer_tells_the_team_lead_and_keeps_the_assignee(people):
    team = TeamFactory(lead=people["lead"])
    ticket = in_progress(people, tier=Tier.L2, assignee=people["engineer"])
    around_the_clock(duty_engineer=people["duty_engineer"])

    ticket_escalate(actor=people["engineer"], ticket=ticket, version=None, reason=REASON, to_tier=Tier.L3, team=team)

    ticket.refresh_from_db()
    assert (ticket.tier, ticket.team, ticket.assignee) == (Tier.L3, team, people["engineer"])
    assert {user_id for user_id, *_rest in told()} == {people["lead"].pk}


def test_without_an_engineer_or_a_team_lead_the_engineer_on_duty_is_told(people):
    ticket = in_progress(people, team=TeamFactory(lead=None))
    around_the_clock(duty_engineer=people["duty_engineer"], duty_manager=people["duty_manager"])

    ticket_escalate(actor=people["agent"], ticket=ticket, version=None, reason=REASON, to_tier=Tier.L2)

    assert {user_id for user_id, *_rest in told()} == {people["duty_engineer"].pk}


def test_with_nobody_to_tell_the_escalation_is_still_recorded(people):
    ticket = in_progress(people)

    ticket_escalate(actor=people["agent"], ticket=ticket, version=None, reason=REASON, to_tier=Tier.L2)

    assert Ticket.objects.get(pk=ticket.pk).tier == Tier.L2
    assert Outbox.objects.count() == 0


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_escalation_without_a_reason_is_refused_and_changes_nothing(people, reason):
    ticket = in_progress(people)
    before = snapshot(ticket)

    with pytest.raises(ValidationFailed) as refused:
        ticket_escalate(
            actor=people["agent"],
            ticket=ticket,
            version=None,
            reason=reason,
            to_tier=Tier.L3,
            assignee=people["expert"],
        )

    assert refused.value.detail == {"reason": ["Say why the ticket is escalated."]}
    assert snapshot(ticket) == before


@pytest.mark.parametrize("to_tier", [Tier.L1, Tier.L2])
def test_escalating_to_the_same_or_a_lower_tier_is_refused_and_changes_nothing(people, to_tier):
    ticket = in_progress(people, tier=Tier.L2)
    before = snapshot(ticket)

    with pytest.raises(ValidationFailed) as refused:
        ticket_escalate(actor=people["agent"], ticket=ticket, version=None, reason=REASON, to_tier=to_tier)

    assert refused.value.detail == {
        "to_tier": ["Escalation goes up: choose a tier above the ticket's current tier (L2 engineer)."]
    }
    assert snapshot(ticket) == before


def test_an_unknown_tier_and_an_assignee_who_cannot_work_on_tickets_are_refused(people):
    ticket = in_progress(people)
    before = snapshot(ticket)

    with pytest.raises(ValidationFailed) as refused:
        ticket_escalate(
            actor=people["agent"],
            ticket=ticket,
            version=None,
            reason=REASON,
            to_tier="L9",
            assignee=UserFactory(role=Role.ENGINEER, is_active=False),
        )

    assert refused.value.detail == {
        "to_tier": ["Choose a valid tier."],
        "assignee": ["Choose an active engineer who can work on tickets."],
    }
    assert snapshot(ticket) == before


def test_a_customer_may_not_escalate_and_nothing_changes(people):
    ticket = in_progress(people)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    before = snapshot(ticket)

    with pytest.raises(PermissionDenied):
        ticket_escalate(actor=customer_user, ticket=ticket, version=None, reason=REASON, to_tier=Tier.L2)
    with pytest.raises(PermissionDenied):
        ticket_escalate_to_manager(actor=customer_user, ticket=ticket, version=None, reason=REASON)

    assert snapshot(ticket) == before
    assert (may_escalate(customer_user), may_escalate(people["engineer"]), may_escalate(people["manager"])) == (
        False,
        True,
        True,
    )


def test_a_resolved_ticket_cannot_go_up_a_tier_and_a_stale_version_is_a_conflict(people):
    resolved = in_progress(people, status=Status.RESOLVED)
    current = in_progress(people)

    with pytest.raises(InvalidTransition):
        ticket_escalate(actor=people["agent"], ticket=resolved, version=None, reason=REASON, to_tier=Tier.L2)
    with pytest.raises(Conflict):
        ticket_escalate(actor=people["agent"], ticket=current, version=7, reason=REASON, to_tier=Tier.L2)

    assert TicketEvent.objects.count() == 0


def test_customers_never_read_the_reason(people, client):
    ticket = in_progress(people)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    ticket_escalate(actor=people["agent"], ticket=ticket, version=None, reason=REASON, to_tier=Tier.L2)
    ticket_escalate_to_manager(
        actor=people["agent"], ticket=ticket, version=None, reason="客户投诉", manager=people["manager"]
    )

    escalations = [EventKind.ESCALATED, EventKind.ESCALATED_TO_MANAGER]
    assert not TicketEvent.objects.visible_to(customer_user).filter(kind__in=escalations).exists()
    assert TicketEvent.objects.visible_to(people["engineer"]).filter(kind__in=escalations).count() == 2
    assert [event.kind for event in ticket_detail(user=customer_user, ticket_id=ticket.pk).events.all()] == []
    client.force_login(customer_user)
    page = client.get(ticket.get_absolute_url(), headers=ENGLISH).content.decode()
    assert REASON not in page and "客户投诉" not in page


# --- to a manager ---------------------------------------------------------------------------------------


def test_escalating_to_a_manager_finds_the_duty_manager_on_the_roster_and_texts_them(people):
    ticket = in_progress(people, tier=Tier.L2)
    around_the_clock(duty_manager=people["duty_manager"], duty_engineer=people["duty_engineer"])
    NotificationPreference.objects.create(user=people["duty_manager"], language="en")

    ticket_escalate_to_manager(actor=people["engineer"], ticket=ticket, version=ticket.version, reason="客户要求升级")

    ticket.refresh_from_db()
    assert (ticket.tier, ticket.version) == (Tier.L2, 1)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED_TO_MANAGER)
    assert (event.actor, event.note) == (people["engineer"], "客户要求升级")
    duty = people["duty_manager"]
    assert event.data == {"manager": duty.pk, "manager_name": str(duty), "tier": "L2", "public": False}
    assert told() == sorted([(duty.pk, "in_app", "", True), (duty.pk, "sms", "+8613700000015", True)])
    assert Outbox.objects.get(channel="sms").subject == f"[{ticket.number}] Escalated to you as manager"


def test_a_teams_own_duty_manager_comes_before_the_organisations(people):
    team = TeamFactory()
    ticket = in_progress(people, team=team)
    around_the_clock(duty_manager=people["duty_manager"])
    for weekday in range(7):
        DutyShift.objects.create(
            team=team, weekday=weekday, start=dt.time(0), end=dt.time(0), duty_manager=people["manager"]
        )

    ticket_escalate_to_manager(actor=people["agent"], ticket=ticket, version=None, reason="客户要求升级")

    assert {user_id for user_id, *_rest in told()} == {people["manager"].pk}


def test_with_nobody_on_duty_escalating_to_a_manager_says_to_choose_one_and_changes_nothing(people):
    ticket = in_progress(people)
    around_the_clock(duty_engineer=people["duty_engineer"])
    before = snapshot(ticket)

    with pytest.raises(ValidationFailed) as refused:
        ticket_escalate_to_manager(actor=people["agent"], ticket=ticket, version=None, reason="客户要求升级")

    assert refused.value.detail == {"manager": ["No duty manager is on duty now. Choose a manager to escalate to."]}
    assert snapshot(ticket) == before


def test_a_chosen_manager_is_told_and_must_be_a_manager(people):
    ticket = in_progress(people)

    with pytest.raises(ValidationFailed) as refused:
        ticket_escalate_to_manager(
            actor=people["agent"], ticket=ticket, version=None, reason="客户要求升级", manager=people["expert"]
        )
    assert refused.value.detail == {"manager": ["Choose an active manager."]}

    ticket_escalate_to_manager(
        actor=people["agent"], ticket=ticket, version=None, reason="客户要求升级", manager=people["manager"]
    )
    assert {user_id for user_id, *_rest in told()} == {people["manager"].pk}


def test_a_manager_escalation_needs_a_reason(people):
    ticket = in_progress(people)

    with pytest.raises(ValidationFailed) as refused:
        ticket_escalate_to_manager(
            actor=people["agent"], ticket=ticket, version=None, reason=" ", manager=people["manager"]
        )

    assert refused.value.detail == {"reason": ["Say why the ticket is escalated."]}
    assert (TicketEvent.objects.count(), Outbox.objects.count()) == (0, 0)


# --- the pages --------------------------------------------------------------------------------------------


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_engineer_escalates_from_the_ticket_page(people, client):
    ticket = in_progress(people, tier=Tier.L2, assignee=people["engineer"])
    client.force_login(people["engineer"])

    response = client.post(
        reverse("ticket_escalate", args=[ticket.pk]),
        {
            "escalate-to_tier": "L3",
            "escalate-reason": REASON,
            "escalate-assignee": people["expert"].pk,
            "escalate-version": ticket.version,
        },
        headers=ENGLISH,
    )

    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    assert flashed(response) == ["The ticket is escalated."]
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee) == (Tier.L3, people["expert"])


def test_a_page_escalation_without_a_reason_says_so_and_changes_nothing(people, client):
    ticket = in_progress(people)
    client.force_login(people["agent"])
    before = snapshot(ticket)

    response = client.post(
        reverse("ticket_escalate", args=[ticket.pk]),
        {"escalate-to_tier": "L2", "escalate-reason": "", "escalate-version": ticket.version},
        headers=ENGLISH,
    )

    assert response.status_code == 302
    assert flashed(response) == ["Reason: This field is required."]
    assert snapshot(ticket) == before


def test_a_page_escalation_to_a_lower_tier_shows_the_services_reason(people, client):
    ticket = in_progress(people, tier=Tier.L3)
    client.force_login(people["agent"])

    response = client.post(
        reverse("ticket_escalate", args=[ticket.pk]),
        {"escalate-to_tier": "L2", "escalate-reason": REASON, "escalate-version": ticket.version},
        headers=ENGLISH,
    )

    assert flashed(response) == [
        "Some fields are invalid. Escalation goes up: choose a tier above the ticket's current tier "
        "(L3 expert or vendor)."
    ]
    assert Ticket.objects.get(pk=ticket.pk).tier == Tier.L3


def test_a_manager_escalation_from_the_page_with_nobody_on_duty_says_so(people, client):
    ticket = in_progress(people)
    client.force_login(people["agent"])

    response = client.post(
        reverse("ticket_escalate_manager", args=[ticket.pk]),
        {"manager-reason": "客户要求升级", "manager-manager": "", "manager-version": ticket.version},
        headers=ENGLISH,
    )

    assert flashed(response) == [
        "Some fields are invalid. No duty manager is on duty now. Choose a manager to escalate to."
    ]
    assert TicketEvent.objects.count() == 0


@pytest.mark.parametrize("name", ["ticket_escalate", "ticket_escalate_manager"])
def test_a_customer_gets_404_even_for_their_own_ticket_and_nothing_changes(people, client, name):
    ticket = in_progress(people)
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=ticket.customer))
    before = snapshot(ticket)

    response = client.post(
        reverse(name, args=[ticket.pk]),
        {
            "escalate-to_tier": "L2",
            "escalate-reason": REASON,
            "escalate-version": ticket.version,
            "manager-reason": REASON,
            "manager-manager": people["manager"].pk,
            "manager-version": ticket.version,
        },
    )

    assert response.status_code == 404
    assert snapshot(ticket) == before


def test_escalating_is_post_only_and_needs_a_login(people, client):
    ticket = in_progress(people)
    url = reverse("ticket_escalate", args=[ticket.pk])

    assert client.post(url).status_code == 302  # to the login page
    client.force_login(people["agent"])
    assert client.get(url).status_code == 405


def test_the_ticket_page_offers_escalation_to_staff_and_not_to_customers(people, client):
    ticket = in_progress(people, tier=Tier.L2)
    around_the_clock(duty_manager=people["duty_manager"])

    client.force_login(people["engineer"])
    staff_page = client.get(ticket.get_absolute_url(), headers=ENGLISH).content.decode()
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=ticket.customer))
    customer_page = client.get(ticket.get_absolute_url(), headers=ENGLISH).content.decode()

    assert 'data-testid="escalate-form"' in staff_page and 'data-testid="escalate-manager-form"' in staff_page
    assert f"Duty manager on duty now: {people['duty_manager']}." in staff_page
    assert '<option value="L3">L3 expert or vendor</option>' in staff_page
    assert '<option value="L1">' not in staff_page.split('data-testid="escalate-form"')[1].split("</form>")[0]
    assert "escalate" not in customer_page and "vendor-case" not in customer_page


def test_escalating_to_l3_after_arrival_meets_the_escalation_clock_and_l2_does_not():
    from aftersales.tickets.services import ticket_record_arrival
    from aftersales.tickets.tests.sla_helpers import catastrophic_fault

    engineer = UserFactory(role=Role.ENGINEER)
    escalations = {}
    for to_tier in (Tier.L2, Tier.L3):
        ticket = catastrophic_fault(UserFactory(role=Role.AGENT))
        ticket_record_arrival(actor=engineer, ticket=ticket, version=None)

        ticket_escalate(actor=engineer, ticket=ticket, version=None, reason="需要原厂支持", to_tier=to_tier)

        ticket.refresh_from_db()
        escalations[to_tier] = next(row["status"] for row in ticket.sla_clocks if row["clock"] == "escalation")
    assert escalations == {Tier.L2: "running", Tier.L3: "met"}
