"""Problems (known errors): staff only, linked to the incidents they cause, fixed only with the fix written."""

import pytest
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.knowledge.choices import PROBLEM_TRANSITIONS, ProblemStatus
from aftersales.knowledge.models import Problem, ProblemIncident
from aftersales.knowledge.services import (
    problem_create,
    problem_link_incident,
    problem_transition,
    problem_unlink_incident,
    problem_update,
)
from aftersales.knowledge.tests.factories import ProblemFactory
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_problems_are_staff_only(engineer, dispatcher, customer_user):
    problem = ProblemFactory()
    assert list(Problem.objects.visible_to(engineer)) == [problem]
    assert list(Problem.objects.visible_to(dispatcher)) == [problem]
    assert not Problem.objects.visible_to(customer_user).exists()
    assert not Problem.objects.visible_to(UserFactory(role=Role.ENGINEER, is_active=False)).exists()


def test_a_new_problem_is_open_with_its_products_and_owner(engineer, solved_ticket):
    problem = problem_create(
        actor=engineer,
        title=" 存储控制器反复死机 ",
        description="三个用户单位同型号存储控制器离线。",
        workaround="切换到对端控制器。",
        products=solved_ticket.products[:1],
        owner=engineer,
    )
    problem.refresh_from_db()
    assert (problem.title, problem.status, problem.owner, problem.created_by) == (
        "存储控制器反复死机",
        ProblemStatus.OPEN,
        engineer,
        engineer,
    )
    assert list(problem.products.all()) == solved_ticket.products[:1]
    assert problem.reference == f"PRB-{problem.pk:05d}"
    assert {row.history_user for row in problem.history.all()} == {engineer}


def test_only_those_who_work_or_supervise_manage_problems(dispatcher, customer_user, engineer):
    for actor in (dispatcher, customer_user):
        with pytest.raises(PermissionDenied):
            problem_create(actor=actor, title="问题")
    problem = ProblemFactory()
    ticket = TicketFactory()
    with pytest.raises(PermissionDenied):
        problem_link_incident(actor=dispatcher, problem=problem, ticket=ticket)
    with pytest.raises(PermissionDenied):
        problem_transition(actor=dispatcher, problem=problem, status=ProblemStatus.CLOSED)
    problem.refresh_from_db()
    assert Problem.objects.count() == 1 and problem.status == ProblemStatus.OPEN
    assert not ProblemIncident.objects.exists() and not ticket.events.exists()


def test_an_owner_must_work_on_problems(engineer, dispatcher):
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        problem_create(actor=engineer, title="问题", owner=dispatcher)
    assert refused.value.detail == {"owner": ["Choose an active member of staff who works on problems."]}


def test_linking_an_incident_writes_the_ticket_event_and_shows_on_both_sides(engineer, customer_user):
    problem = ProblemFactory()
    closed = TicketFactory(status="closed", customer=customer_user.customer)
    open_ticket = TicketFactory(status="new")

    link = problem_link_incident(actor=engineer, problem=problem, ticket=closed)
    problem_link_incident(actor=engineer, problem=problem, ticket=open_ticket)

    assert (link.linked_by, link.ticket, link.problem) == (engineer, closed, problem)
    assert set(problem.incidents.all()) == {closed, open_ticket}
    assert list(closed.problems.all()) == [problem]
    event = closed.events.get()
    assert (event.kind, event.actor, event.at) == (EventKind.PROBLEM_LINKED, engineer, link.linked_at)
    assert event.data == {"problem": problem.pk, "reference": problem.reference, "public": False}
    # problems are internal: the customer's timeline does not show the link, staff's does
    assert not TicketEvent.objects.visible_to(customer_user).filter(ticket=closed).exists()
    assert TicketEvent.objects.visible_to(engineer).filter(ticket=closed).count() == 1


def test_a_ticket_is_linked_to_a_problem_once(engineer):
    problem, ticket = ProblemFactory(), TicketFactory()
    problem_link_incident(actor=engineer, problem=problem, ticket=ticket)
    with pytest.raises(Conflict):
        problem_link_incident(actor=engineer, problem=problem, ticket=ticket)
    assert ProblemIncident.objects.count() == 1 and ticket.events.count() == 1
    # a second problem may claim the same incident
    problem_link_incident(actor=engineer, problem=ProblemFactory(), ticket=ticket)
    assert ticket.problems.count() == 2


def test_unlinking_removes_the_link_and_its_history_says_who(engineer):
    problem, ticket = ProblemFactory(), TicketFactory()
    problem_link_incident(actor=engineer, problem=problem, ticket=ticket)
    remover = UserFactory(role=Role.QUALITY)
    problem_unlink_incident(actor=remover, problem=problem, ticket=ticket)
    assert not ProblemIncident.objects.exists()
    history = ProblemIncident.history.order_by("history_id")
    assert [(row.history_type, row.history_user) for row in history] == [("+", engineer), ("-", remover)]
    with pytest.raises(NotFound):
        problem_unlink_incident(actor=engineer, problem=problem, ticket=ticket)


def test_fixed_needs_a_fix_and_stamps_the_time(engineer):
    problem = ProblemFactory(status=ProblemStatus.KNOWN_ERROR)
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        problem_transition(actor=engineer, problem=problem, status=ProblemStatus.FIXED, fix="  ")
    assert refused.value.detail == {"fix": ["Describe the fix before marking the problem fixed."]}
    problem.refresh_from_db()
    assert (problem.status, problem.fixed_at, problem.version) == (ProblemStatus.KNOWN_ERROR, None, 1)

    problem_transition(actor=engineer, problem=problem, status=ProblemStatus.FIXED, version=1, fix="升级固件。")
    problem.refresh_from_db()
    assert (problem.status, problem.fix, problem.version) == (ProblemStatus.FIXED, "升级固件。", 2)
    assert problem.fixed_at is not None
    # a fixed problem keeps its fix
    with pytest.raises(ValidationFailed):
        problem_update(actor=engineer, problem=problem, version=2, fix="")
    # the fix did not hold: back to known error, the fixed time cleared
    problem_transition(actor=engineer, problem=problem, status=ProblemStatus.KNOWN_ERROR, version=2)
    problem.refresh_from_db()
    assert (problem.status, problem.fixed_at) == (ProblemStatus.KNOWN_ERROR, None)


def test_a_stale_version_is_a_conflict(engineer):
    problem = ProblemFactory()
    problem_update(actor=engineer, problem=problem, version=1, root_cause="风扇老化。")
    with pytest.raises(Conflict):
        problem_transition(actor=engineer, problem=problem, status=ProblemStatus.CLOSED, version=1)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


@pytest.mark.parametrize("source", ProblemStatus.values)
@pytest.mark.parametrize("target", ProblemStatus.values)
def test_every_status_change_follows_the_table(engineer, source, target):
    problem = ProblemFactory(status=source, fix="已修复。")
    if target in PROBLEM_TRANSITIONS[source]:
        problem_transition(actor=engineer, problem=problem, status=target)
        problem.refresh_from_db()
        assert problem.status == target
        assert (problem.closed_at is not None) == (target == ProblemStatus.CLOSED)
    else:
        with pytest.raises(InvalidTransition):
            problem_transition(actor=engineer, problem=problem, status=target)
        problem.refresh_from_db()
        assert problem.status == source and problem.version == 1
