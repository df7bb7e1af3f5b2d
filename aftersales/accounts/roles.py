"""Roles and what each may do: the one place that grants permissions.

Permissions are ordinary Django permission strings, so views, the API and the admin
all ask `user.has_perm(...)`; the RoleBackend answers from this table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    AGENT = "agent", _("Service desk agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    ENGINEER = "engineer", _("Engineer (L2)")
    EXPERT = "expert", _("Expert (L3)")
    QUALITY = "quality", _("Quality controller")
    MANAGER = "manager", _("Manager")
    PARTS_KEEPER = "parts_keeper", _("Spare-parts keeper")
    ARCHIVIST = "archivist", _("Archivist")
    CUSTOMER = "customer", _("Customer user")


STAFF_ROLES = frozenset(Role) - {Role.CUSTOMER}

# Ticket permissions (declared on tickets.Ticket.Meta.permissions).
LOG = "tickets.log_ticket"  # register requests on behalf of customers
DISPATCH = "tickets.dispatch_ticket"  # assign and reassign
WORK = "tickets.work_ticket"  # start, pend, resolve
SUPERVISE = "tickets.supervise_ticket"  # close, cancel, change priority
ARCHIVE = "tickets.archive_ticket"
VIEW_INTERNAL = "tickets.view_internal"  # internal comments and all customers' tickets
EDIT_MASTER_DATA = "customers.edit_master_data"  # customers, sites, contacts, contracts, assets

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({LOG, DISPATCH, WORK, SUPERVISE, ARCHIVE, VIEW_INTERNAL, EDIT_MASTER_DATA}),
    Role.AGENT: frozenset({LOG, DISPATCH, WORK, SUPERVISE, VIEW_INTERNAL}),
    Role.DISPATCHER: frozenset({LOG, DISPATCH, VIEW_INTERNAL}),
    Role.ENGINEER: frozenset({WORK, VIEW_INTERNAL}),
    Role.EXPERT: frozenset({WORK, VIEW_INTERNAL}),
    Role.QUALITY: frozenset({SUPERVISE, VIEW_INTERNAL}),
    Role.MANAGER: frozenset({LOG, DISPATCH, SUPERVISE, VIEW_INTERNAL, EDIT_MASTER_DATA}),
    Role.PARTS_KEEPER: frozenset({VIEW_INTERNAL}),
    Role.ARCHIVIST: frozenset({ARCHIVE, VIEW_INTERNAL}),
    Role.CUSTOMER: frozenset(),
}
