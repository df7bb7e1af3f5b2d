"""Every from/to pair of the lifecycle, for the roles that matter."""

import itertools

import pytest

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import InvalidTransition, PermissionDenied
from aftersales.tickets.choices import EventKind, Status
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.transitions import TRANSITIONS

S = Status
# Written out by hand (not derived from the table) so that a change to the table must be deliberate.
EXPECTED_PAIRS = {
    (S.NEW, S.IN_PROGRESS),
    (S.ASSIGNED, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.PENDING_CUSTOMER),
    (S.IN_PROGRESS, S.PENDING_VENDOR),
    (S.IN_PROGRESS, S.PENDING_PARTS),
    (S.PENDING_CUSTOMER, S.IN_PROGRESS),
    (S.PENDING_VENDOR, S.IN_PROGRESS),
    (S.PENDING_PARTS, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.RESOLVED, S.CONFIRMED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.CONFIRMED, S.IN_PROGRESS),
    (S.RESOLVED, S.CLOSED),
    (S.CONFIRMED, S.CLOSED),
    (S.CLOSED, S.ARCHIVED),
    (S.NEW, S.CANCELLED),
    (S.ASSIGNED, S.CANCELLED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.PENDING_CUSTOMER, S.CANCELLED),
    (S.PENDING_VENDOR, S.CANCELLED),
    (S.PENDING_PARTS, S.CANCELLED),
}
RESOLVE_ARGS = {"resolution": "更换电源模块", "resolution_method": "on_site"}


def action_for(source, target):
    return next((t.action for t in TRANSITIONS if source in t.sources and t.target == target), None)


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), list(itertools.product(Status, Status)))
def test_every_status_pair_is_allowed_exactly_when_expected(source, target):
    admin = UserFactory(role=Role.ADMIN)
    ticket = TicketFactory(status=source, assignee=admin)
    action = action_for(source, target)
    assert (action is not None) == ((source, target) in EXPECTED_PAIRS)
    if action is None:
        return
    result = ticket_transition(
        actor=admin, ticket=ticket, action=action, version=ticket.version, note="原因", **RESOLVE_ARGS
    )
    assert result.status == target
    assert result.version == ticket.version + 1
    event = ticket.events.get()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        EventKind.STATUS_CHANGED,
        source,
        target,
        admin,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "action", "source", "allowed"),
    [
        (Role.ENGINEER, "accept", S.ASSIGNED, True),
        (Role.ENGINEER, "resolve", S.IN_PROGRESS, True),
        (Role.ENGINEER, "close", S.RESOLVED, False),
        (Role.ENGINEER, "archive", S.CLOSED, False),
        (Role.DISPATCHER, "resolve", S.IN_PROGRESS, False),
        (Role.QUALITY, "close", S.CONFIRMED, True),
        (Role.QUALITY, "accept", S.ASSIGNED, False),
        (Role.ARCHIVIST, "archive", S.CLOSED, True),
        (Role.ARCHIVIST, "close", S.CONFIRMED, False),
        (Role.AGENT, "confirm", S.RESOLVED, True),
        (Role.MANAGER, "cancel", S.NEW, True),
        (Role.PARTS_KEEPER, "resume", S.PENDING_PARTS, False),
    ],
)
def test_roles_are_checked(role, action, source, allowed):
    actor = UserFactory(role=role)
    ticket = TicketFactory(status=source, assignee=actor)
    if allowed:
        assert ticket_transition(actor=actor, ticket=ticket, action=action, version=1, note="n", **RESOLVE_ARGS)
        return
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=actor, ticket=ticket, action=action, version=1, note="n", **RESOLVE_ARGS)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, ticket.events.count()) == (source, 1, 0)


@pytest.mark.django_db
def test_engineer_cannot_work_on_someone_elses_ticket():
    engineer, other = UserFactory(role=Role.ENGINEER), UserFactory(role=Role.ENGINEER)
    ticket = TicketFactory(status=S.IN_PROGRESS, assignee=other)
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=engineer, ticket=ticket, action="resolve", version=1, **RESOLVE_ARGS)


@pytest.mark.django_db
def test_customer_confirms_own_ticket_but_not_anothers():
    own = TicketFactory(status=S.RESOLVED)
    foreign = TicketFactory(status=S.RESOLVED)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=own.customer)
    assert ticket_transition(actor=customer_user, ticket=own, action="confirm", version=1).status == S.CONFIRMED
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=customer_user, ticket=foreign, action="confirm", version=1)
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=customer_user, ticket=own, action="close", version=2)


@pytest.mark.django_db
def test_wrong_source_status_is_an_invalid_transition():
    admin = UserFactory(role=Role.ADMIN)
    ticket = TicketFactory(status=S.NEW)
    with pytest.raises(InvalidTransition):
        ticket_transition(actor=admin, ticket=ticket, action="archive", version=1)


@pytest.mark.django_db
def test_inactive_users_may_take_no_transition():
    ticket = TicketFactory(status=S.RESOLVED)
    former = UserFactory(role=Role.CUSTOMER, customer=ticket.customer, is_active=False)
    with pytest.raises(PermissionDenied):
        ticket_transition(actor=former, ticket=ticket, action="confirm", version=1)
