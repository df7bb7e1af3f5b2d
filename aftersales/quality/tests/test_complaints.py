"""Complaints: their own SLA, escalation to management exactly once, links, and closing only with a root cause
and a corrective action (the rule lives in the ticket lifecycle)."""

import pytest
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.notifications.models import Outbox
from aftersales.quality.choices import ManagementPosition
from aftersales.quality.models import Complaint, ManagementContact
from aftersales.quality.services.complaints import (
    complaint_escalate,
    complaint_link,
    complaint_register,
    complaints_pick_up,
)
from aftersales.quality.tests.helpers import close, logged, people, resolved, work_to_resolved
from aftersales.sla.choices import Clock
from aftersales.sla.models import SlaPolicy, SlaTarget
from aftersales.tickets.choices import Channel, EventKind, Kind, Status
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import ticket_transition, ticket_update
from aftersales.tickets.sla import PolicyBook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return people()


def register(staff, customer, **extra):
    values = {
        "actor": staff["agent"],
        "customer": customer,
        "title": "工程师态度差",
        "description": "上门工程师迟到两小时且未解决问题。",
        "contact_name": "刘主任",
        "contact_phone": "+8613600136000",
    }
    return complaint_register(**{**values, **extra})


def test_registering_escalates_to_the_management_list_exactly_once(staff):
    general_manager = UserFactory(role=Role.ADMIN, phone="+8613700000002")
    director = UserFactory(role=Role.EXPERT)  # no phone: in-app only
    gone = UserFactory(role=Role.ENGINEER, is_active=False)
    ManagementContact.objects.create(user=general_manager, position=ManagementPosition.GENERAL_MANAGER)
    ManagementContact.objects.create(user=director, position=ManagementPosition.TECHNICAL_DIRECTOR)
    ManagementContact.objects.create(user=gone, position=ManagementPosition.DEPUTY_IN_CHARGE)
    UserFactory(role=Role.MANAGER, is_active=False)
    manager = staff["manager"]

    complaint = register(staff, CustomerFactory())

    assert complaint.ticket.kind == Kind.COMPLAINT and complaint.escalated_at is not None
    assert set(complaint.escalated_to.all()) == {manager, general_manager, director}
    expected = {
        (manager.pk, "in_app"),
        (manager.pk, "sms"),
        (general_manager.pk, "in_app"),
        (general_manager.pk, "sms"),
        (director.pk, "in_app"),
    }
    rows = Outbox.objects.filter(key__startswith=f"complaint:{complaint.pk}:escalated")
    assert {(row.user_id, row.channel) for row in rows} == expected
    assert all(row.urgent for row in rows)

    # Again, and the sweep: nothing more is sent, no second event.
    assert complaint_escalate(complaint=complaint) == 0
    assert complaints_pick_up() == 0
    assert Outbox.objects.count() == len(expected)
    assert complaint.ticket.events.filter(kind=EventKind.ESCALATED_TO_MANAGER).count() == 1


def test_a_complaint_ticket_arriving_another_way_is_picked_up_and_escalated(staff):
    customer = CustomerFactory()
    ticket = logged(agent=staff["agent"], customer=customer, kind=Kind.COMPLAINT, channel=Channel.EMAIL)
    fault = logged(agent=staff["agent"], customer=customer)
    ticket_update(actor=staff["agent"], ticket=fault, version=fault.version, kind=Kind.COMPLAINT)

    assert complaints_pick_up() == 2
    assert complaints_pick_up() == 0
    complaint = Complaint.objects.get(ticket=ticket)
    assert (complaint.registered_by, list(complaint.escalated_to.all())) == (staff["agent"], [staff["manager"]])
    assert Outbox.objects.filter(user=staff["manager"]).count() == 4  # two complaints, in-app and SMS each


def test_a_complaint_is_linked_to_the_tickets_and_people_concerned(staff):
    customer = CustomerFactory()
    earlier = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=customer)
    another = logged(agent=staff["agent"], customer=customer)
    complaint = register(staff, customer, related_tickets=[earlier], people=[staff["engineer"]])

    complaint_link(actor=staff["quality"], complaint=complaint, tickets=[earlier, another])

    assert set(complaint.related_tickets.all()) == {earlier, another}
    assert list(complaint.people_concerned.all()) == [staff["engineer"]]
    assert earlier.events.filter(kind=EventKind.COMPLAINT_LINKED).count() == 1  # linked once, one event
    assert another.events.get(kind=EventKind.COMPLAINT_LINKED).data["complaint"] == complaint.pk


def test_naming_the_people_concerned_is_on_the_complaints_record_for_staff_only(staff):
    customer = CustomerFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=customer)
    complaint = register(staff, customer)

    complaint_link(actor=staff["quality"], complaint=complaint, people=[staff["engineer"], staff["dispatcher"]])
    complaint_link(actor=staff["quality"], complaint=complaint, people=[staff["engineer"]])  # no one new

    named = complaint.ticket.events.filter(kind=EventKind.UPDATED)
    assert [(event.actor, event.data["people_concerned"]) for event in named] == [
        (staff["quality"], sorted([staff["engineer"].pk, staff["dispatcher"].pk]))
    ]
    assert not TicketEvent.objects.visible_to(customer_user).filter(kind=EventKind.UPDATED).exists()


def test_linking_refuses_other_customers_tickets_and_non_supervisors(staff):
    complaint = register(staff, CustomerFactory())
    foreign = logged(agent=staff["agent"], customer=CustomerFactory())

    with pytest.raises(ValidationFailed):
        complaint_link(actor=staff["quality"], complaint=complaint, tickets=[foreign])
    with pytest.raises(PermissionDenied):
        complaint_link(actor=staff["engineer"], complaint=complaint, people=[staff["engineer"]])

    assert (complaint.related_tickets.count(), complaint.people_concerned.count()) == (0, 0)
    assert not TicketEvent.objects.filter(kind=EventKind.COMPLAINT_LINKED).exists()


def test_a_customer_complains_only_about_their_own_tickets(staff):
    mine, theirs = CustomerFactory(), CustomerFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=mine)
    own = logged(agent=staff["agent"], customer=mine)
    foreign = logged(agent=staff["agent"], customer=theirs)

    with pytest.raises(NotFound):
        register(staff, theirs, actor=customer_user)
    with pytest.raises(NotFound):  # another customer's ticket does not exist for them
        register(staff, mine, actor=customer_user, related_tickets=[foreign])
    assert Ticket.objects.filter(kind=Kind.COMPLAINT).count() == 0

    complaint = register(staff, mine, actor=customer_user, related_tickets=[own])
    assert (complaint.ticket.channel, complaint.registered_by) == (Channel.PORTAL, customer_user)
    assert list(complaint.related_tickets.all()) == [own]


def test_a_complaint_resolves_and_closes_only_with_root_cause_and_corrective_action(staff):
    complaint = register(staff, CustomerFactory())
    ticket = complaint.ticket
    supervisor = staff["quality"]

    with pytest.raises(ValidationFailed) as refused:
        work_to_resolved(ticket, agent=staff["agent"], engineer=staff["engineer"], root_cause="调度延误")
    assert set(refused.value.detail) == {"corrective_action"}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.root_cause, ticket.resolved_at) == (Status.IN_PROGRESS, "", None)

    ticket = ticket_transition(
        actor=staff["engineer"],
        ticket=ticket,
        action="resolve",
        version=ticket.version,
        resolution="重新上门处理并道歉",
        resolution_method="on_site",
        root_cause="调度延误",
        corrective_action="派单增加路程时间校验",
    )
    assert (ticket.status, ticket.root_cause, ticket.corrective_action) == (
        Status.RESOLVED,
        "调度延误",
        "派单增加路程时间校验",
    )

    # Someone clears the cause afterwards: closing is refused until both are on record again.
    ticket = ticket_update(actor=supervisor, ticket=ticket, version=ticket.version, root_cause="")
    with pytest.raises(ValidationFailed) as refused:
        close(ticket, supervisor=supervisor)
    assert set(refused.value.detail) == {"root_cause"}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == (Status.RESOLVED, None)

    ticket = close(ticket, supervisor=supervisor, root_cause="调度未考虑路程")
    assert (ticket.status, ticket.root_cause) == (Status.CLOSED, "调度未考虑路程")
    assert ticket.closed_at is not None


def test_other_kinds_resolve_without_a_corrective_action(staff):
    ticket = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=CustomerFactory())
    assert (ticket.status, ticket.corrective_action) == (Status.RESOLVED, "")
    ticket = close(ticket, supervisor=staff["quality"], corrective_action="更换硒鼓型号")
    assert (ticket.status, ticket.corrective_action) == (Status.CLOSED, "更换硒鼓型号")
    ticket.refresh_from_db()
    assert (ticket.closed_at is not None, ticket.corrective_action) == (True, "更换硒鼓型号")


def test_complaints_run_on_the_complaints_policy(staff):
    default = SlaPolicy.objects.get(is_default=True)
    policy = SlaPolicy.objects.create(
        name="投诉", calendar=default.calendar, ladder=default.ladder, for_complaints=True
    )
    for priority in (1, 2, 3, 4):
        SlaTarget.objects.create(policy=policy, priority=priority, clock=Clock.RESPONSE, minutes=7)

    complaint = register(staff, CustomerFactory())
    fault = logged(agent=staff["agent"], customer=complaint.ticket.customer)

    complaint.ticket.refresh_from_db()
    assert [(row["clock"], row["target"]) for row in complaint.ticket.sla_clocks] == [(Clock.RESPONSE, 7 * 60)]
    assert (Clock.RESPONSE, 7 * 60) not in [(row["clock"], row["target"]) for row in fault.sla_clocks]


def test_only_one_policy_is_for_complaints():
    from django.db import IntegrityError

    default = SlaPolicy.objects.get(is_default=True)
    SlaPolicy.objects.create(name="投诉", calendar=default.calendar, ladder=default.ladder, for_complaints=True)
    with pytest.raises(IntegrityError):
        SlaPolicy.objects.create(name="投诉2", calendar=default.calendar, ladder=default.ladder, for_complaints=True)


@pytest.mark.parametrize("path", ["service", "page", "api by number"])
def test_a_complaint_stays_a_complaint_so_no_edit_lifts_the_closing_rule(staff, client, path):
    """Changing the kind away from complaint was a way round the rule: close it then as a plain fault."""
    from rest_framework.test import APIClient

    complaint = register(staff, CustomerFactory())
    ticket = work_to_resolved(
        complaint.ticket,
        agent=staff["agent"],
        engineer=staff["engineer"],
        root_cause="调度延误",
        corrective_action="派单增加路程时间校验",
    )
    supervisor = staff["quality"]
    version = ticket.version

    if path == "service":
        with pytest.raises(ValidationFailed) as refused:
            ticket_update(actor=supervisor, ticket=ticket, version=version, kind=Kind.GENERAL_FAULT)
        assert set(refused.value.detail) == {"kind"}
    elif path == "page":
        client.force_login(supervisor)
        form = {
            "title": ticket.title,
            "description": ticket.description,
            "kind": Kind.GENERAL_FAULT,
            "urgency": ticket.urgency,
            "impact": ticket.impact,
            "tier": ticket.tier,
            "contact_name": ticket.contact_name,
            "contact_phone": str(ticket.contact_phone),
            "root_cause": ticket.root_cause,
            "version": version,
        }
        answer = client.post(f"/tickets/{ticket.pk}/edit/", form, headers={"accept-language": "en"})
        assert answer.status_code == 200
        assert answer.context["form"].errors == {
            "kind": ["A complaint stays a complaint; cancel it with a reason instead."]
        }
    else:
        api = APIClient()
        api.force_authenticate(supervisor)
        answer = api.patch(
            f"/api/v1/tickets/{ticket.number}/",
            {"version": version, "kind": "general_fault"},
            headers={"accept-language": "en"},
        )
        assert answer.status_code == 400
        assert answer.json()["detail"]["kind"] == ["A complaint stays a complaint; cancel it with a reason instead."]

    ticket.refresh_from_db()
    assert (ticket.kind, ticket.version) == (Kind.COMPLAINT, version)
    assert not ticket.events.filter(kind=EventKind.UPDATED).exists()
    # Still a complaint: clearing the cause keeps it from closing.
    ticket = ticket_update(actor=supervisor, ticket=ticket, version=version, root_cause="")
    with pytest.raises(ValidationFailed):
        close(ticket, supervisor=supervisor)


def test_another_kind_may_become_a_complaint(staff):
    fault = logged(agent=staff["agent"], customer=CustomerFactory())
    fault = ticket_update(actor=staff["agent"], ticket=fault, version=fault.version, kind=Kind.COMPLAINT)
    assert fault.kind == Kind.COMPLAINT


def test_a_complaint_at_a_priority_the_complaints_policy_leaves_out_keeps_its_levels_targets(staff):
    """A complaints policy written for the urgent priorities only left a complaint of another priority without
    any clock: no promise at all, and nothing in the SLA reports."""
    default = SlaPolicy.objects.get(is_default=True)
    policy = SlaPolicy.objects.create(
        name="投诉", calendar=default.calendar, ladder=default.ladder, for_complaints=True
    )
    SlaTarget.objects.create(policy=policy, priority=1, clock=Clock.RESPONSE, minutes=7)

    complaint = register(staff, CustomerFactory())
    ticket = complaint.ticket
    Ticket.objects.filter(pk=ticket.pk).update(priority=1)
    ticket.refresh_from_db()
    urgent = PolicyBook.load().targets_for(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(priority=4)
    ticket.refresh_from_db()
    lowest = PolicyBook.load().targets_for(ticket)

    assert [(target.policy_id, target.clock, target.minutes) for target in urgent] == [(policy.pk, Clock.RESPONSE, 7)]
    assert lowest and {target.policy_id for target in lowest} == {default.pk}
