"""The ticket lifecycle: one explicit table of who may move a ticket from where to where."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.accounts import roles
from aftersales.tickets.choices import PAUSED_STATUSES, Status

S = Status
WORKING = frozenset({S.IN_PROGRESS}) | PAUSED_STATUSES
ACTIVE = frozenset({S.NEW, S.ASSIGNED}) | WORKING


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: Status
    permission: str | None  # staff permission that allows it; None: no staff may
    customer_may: bool = False  # the ticket's own customer users may take it
    assignee_only: bool = False  # workers may take it only on tickets assigned to them
    note_required: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition("accept", _("Accept"), frozenset({S.NEW, S.ASSIGNED}), S.IN_PROGRESS, roles.WORK, assignee_only=True),
    Transition(
        "pend_customer",
        _("Wait for customer"),
        frozenset({S.IN_PROGRESS}),
        S.PENDING_CUSTOMER,
        roles.WORK,
        assignee_only=True,
        note_required=True,
    ),
    Transition(
        "pend_vendor",
        _("Wait for vendor"),
        frozenset({S.IN_PROGRESS}),
        S.PENDING_VENDOR,
        roles.WORK,
        assignee_only=True,
        note_required=True,
    ),
    Transition(
        "pend_parts",
        _("Wait for parts"),
        frozenset({S.IN_PROGRESS}),
        S.PENDING_PARTS,
        roles.WORK,
        assignee_only=True,
        note_required=True,
    ),
    Transition("resume", _("Resume"), PAUSED_STATUSES, S.IN_PROGRESS, roles.WORK, assignee_only=True),
    Transition("resolve", _("Resolve"), frozenset({S.IN_PROGRESS}), S.RESOLVED, roles.WORK, assignee_only=True),
    Transition("confirm", _("Confirm resolution"), frozenset({S.RESOLVED}), S.CONFIRMED, roles.LOG, customer_may=True),
    Transition(
        "reopen",
        _("Reopen"),
        frozenset({S.RESOLVED, S.CONFIRMED}),
        S.IN_PROGRESS,
        roles.LOG,
        customer_may=True,
        note_required=True,
    ),
    Transition("close", _("Close"), frozenset({S.RESOLVED, S.CONFIRMED}), S.CLOSED, roles.SUPERVISE),
    Transition("archive", _("Archive"), frozenset({S.CLOSED}), S.ARCHIVED, roles.ARCHIVE),
    Transition("cancel", _("Cancel"), ACTIVE, S.CANCELLED, roles.SUPERVISE, note_required=True),
    Transition(
        "withdraw", _("Withdraw request"), frozenset({S.NEW}), S.CANCELLED, None, customer_may=True, note_required=True
    ),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}
# Assignment moves NEW to ASSIGNED; it is its own service because it also picks the engineer.
ASSIGNABLE = ACTIVE


def is_permitted(transition: Transition, *, user, ticket) -> bool:
    """Whether `user` may take `transition` on `ticket` (visibility is checked by the caller)."""
    if ticket.status not in transition.sources or not user.is_active:
        return False
    if user.is_customer_user:
        return transition.customer_may and user.customer_id == ticket.customer_id
    if transition.permission is None or not user.has_perm(transition.permission):
        return False
    if transition.assignee_only and ticket.assignee_id not in (None, user.id):
        # Someone who may dispatch can act for the assignee; a worker only on their own tickets.
        return user.has_perm(roles.DISPATCH)
    return True


def available_transitions(*, user, ticket) -> list[Transition]:
    return [t for t in TRANSITIONS if is_permitted(t, user=user, ticket=ticket)]
