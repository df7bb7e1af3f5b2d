"""RoleBackend: each role's permissions come from roles.py, and nobody inactive or anonymous has any."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from aftersales.accounts.backends import RoleBackend
from aftersales.accounts.roles import ROLE_PERMISSIONS, Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

ALL = {
    "tickets.log_ticket",
    "tickets.dispatch_ticket",
    "tickets.work_ticket",
    "tickets.supervise_ticket",
    "tickets.archive_ticket",
    "tickets.view_internal",
    "customers.edit_master_data",
}
# Written out by hand (not read from roles.py) so that a change to a role must be deliberate.
EXPECTED = {
    Role.ADMIN: ALL,
    Role.AGENT: {
        "tickets.log_ticket",
        "tickets.dispatch_ticket",
        "tickets.work_ticket",
        "tickets.supervise_ticket",
        "tickets.view_internal",
    },
    Role.DISPATCHER: {"tickets.log_ticket", "tickets.dispatch_ticket", "tickets.view_internal"},
    Role.ENGINEER: {"tickets.work_ticket", "tickets.view_internal"},
    Role.EXPERT: {"tickets.work_ticket", "tickets.view_internal"},
    Role.QUALITY: {"tickets.supervise_ticket", "tickets.view_internal"},
    Role.MANAGER: {
        "tickets.log_ticket",
        "tickets.dispatch_ticket",
        "tickets.supervise_ticket",
        "tickets.view_internal",
        "customers.edit_master_data",
    },
    Role.PARTS_KEEPER: {"tickets.view_internal"},
    Role.ARCHIVIST: {"tickets.archive_ticket", "tickets.view_internal"},
    Role.CUSTOMER: set(),
}


def make_user(role, **fields):
    if role == Role.CUSTOMER:
        fields.setdefault("customer", TicketFactory().customer)
    return UserFactory(role=role, **fields)


def test_every_role_is_listed():
    assert set(EXPECTED) == set(Role) == set(ROLE_PERMISSIONS)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_its_permissions(role):
    user = make_user(role)

    assert user.get_all_permissions() == EXPECTED[role]
    assert {perm for perm in ALL if user.has_perm(perm)} == EXPECTED[role]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT, Role.ENGINEER])
def test_inactive_users_have_no_permissions(role):
    user = make_user(role, is_active=False)

    assert user.get_all_permissions() == set()
    assert not any(user.has_perm(perm) for perm in ALL)


def test_anonymous_users_have_no_permissions():
    anonymous = AnonymousUser()

    assert RoleBackend().get_all_permissions(anonymous) == set()
    assert not anonymous.has_perm("tickets.view_internal")


def test_roles_grant_no_object_permissions():
    agent = make_user(Role.AGENT)
    ticket = TicketFactory()

    assert RoleBackend().get_all_permissions(agent, obj=ticket) == set()
    assert not agent.has_perm("tickets.work_ticket", ticket)


def test_permissions_given_directly_are_kept_alongside_the_role():
    engineer = make_user(Role.ENGINEER)
    engineer.user_permissions.add(Permission.objects.get(codename="archive_ticket"))

    assert engineer.get_all_permissions() == {"tickets.work_ticket", "tickets.view_internal", "tickets.archive_ticket"}


def test_every_role_permission_exists_in_the_database():
    granted = set().union(*ROLE_PERMISSIONS.values())
    existing = {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }

    assert granted == ALL
    assert granted <= existing


def test_staff_roles_are_every_role_but_customer():
    assert {role for role in Role if make_user(role).is_staff_member} == set(Role) - {Role.CUSTOMER}
