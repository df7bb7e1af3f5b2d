"""The work order lifecycle as one table: which action moves which kind of order from where to where, and who may.

dispatched → accepted → travelling → on site → work done → signed → archived (remote orders work remotely
instead of travelling and being on site), plus declined and cancelled.
"""

from dataclasses import dataclass

from aftersales.accounts import roles
from aftersales.dispatch.choices import WorkOrderKind as K
from aftersales.dispatch.choices import WorkOrderStatus as S

ENGINEER = "engineer"  # the order's own engineer
DISPATCHER = "dispatcher"  # anyone with roles.DISPATCH
ARCHIVIST = "archivist"  # anyone with roles.ARCHIVE
SIGNER = "signer"  # the customer, through the signing service only

BOTH = frozenset(K)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actor: str
    kinds: frozenset[str] = BOTH
    note_required: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition("accept", frozenset({S.DISPATCHED}), S.ACCEPTED, ENGINEER),
    Transition("decline", frozenset({S.DISPATCHED}), S.DECLINED, ENGINEER, note_required=True),
    Transition("set_off", frozenset({S.ACCEPTED}), S.TRAVELLING, ENGINEER, frozenset({K.ON_SITE})),
    Transition("check_in", frozenset({S.ACCEPTED, S.TRAVELLING}), S.ON_SITE, ENGINEER, frozenset({K.ON_SITE})),
    Transition("start_remote", frozenset({S.ACCEPTED}), S.WORKING_REMOTELY, ENGINEER, frozenset({K.REMOTE})),
    Transition("complete", frozenset({S.ON_SITE}), S.WORK_DONE, ENGINEER, frozenset({K.ON_SITE})),
    Transition("complete", frozenset({S.WORKING_REMOTELY}), S.WORK_DONE, ENGINEER, frozenset({K.REMOTE})),
    Transition("resume", frozenset({S.WORK_DONE}), S.ON_SITE, ENGINEER, frozenset({K.ON_SITE})),
    Transition("resume", frozenset({S.WORK_DONE}), S.WORKING_REMOTELY, ENGINEER, frozenset({K.REMOTE})),
    Transition("sign", frozenset({S.WORK_DONE}), S.SIGNED, SIGNER),
    Transition("archive", frozenset({S.SIGNED}), S.ARCHIVED, ARCHIVIST),
    Transition(
        "cancel",
        frozenset({S.DISPATCHED, S.ACCEPTED, S.TRAVELLING, S.ON_SITE, S.WORKING_REMOTELY, S.WORK_DONE}),
        S.CANCELLED,
        DISPATCHER,
        note_required=True,
    ),
)

# Orders an engineer is carrying: they count towards the engineer's load.
ACTIVE_STATUSES = frozenset({S.DISPATCHED, S.ACCEPTED, S.TRAVELLING, S.ON_SITE, S.WORKING_REMOTELY})
# The sheet's contents may change only until the customer signs.
EDITABLE_STATUSES = ACTIVE_STATUSES | {S.WORK_DONE}
# Working on the job: logging work and parts, asking for approvals, lending credentials.
WORKING_STATUSES = frozenset({S.ON_SITE, S.WORKING_REMOTELY})
CLOSED_STATUSES = frozenset({S.SIGNED, S.ARCHIVED, S.DECLINED, S.CANCELLED})


def find(action: str, *, status: str, kind: str) -> Transition | None:
    """The row for `action` from `status` on an order of `kind`, if the table has one."""
    return next(
        (row for row in TRANSITIONS if row.action == action and status in row.sources and kind in row.kinds),
        None,
    )


def is_own_order(user, work_order) -> bool:
    """The order's engineer, still allowed to work tickets."""
    return work_order.engineer_id == user.pk and user.has_perm(roles.WORK)


def may_edit(user, work_order) -> bool:
    """The order's engineer or a dispatcher: who edits the sheet and collects its signatures."""
    return is_own_order(user, work_order) or user.has_perm(roles.DISPATCH)


def may_act(transition: Transition, *, user, work_order) -> bool:
    if transition.actor == ENGINEER:
        return is_own_order(user, work_order)
    if transition.actor == DISPATCHER:
        return user.has_perm(roles.DISPATCH)
    if transition.actor == ARCHIVIST:
        return user.has_perm(roles.ARCHIVE)
    return False  # SIGNER: only the signing service moves an order to signed


def allowed_actions(*, user, work_order) -> list[str]:
    """Actions this user may take on this order now, in table order, each once."""
    actions = []
    for row in TRANSITIONS:
        if (
            work_order.status in row.sources
            and work_order.kind in row.kinds
            and row.action not in actions
            and may_act(row, user=user, work_order=work_order)
        ):
            actions.append(row.action)
    return actions
