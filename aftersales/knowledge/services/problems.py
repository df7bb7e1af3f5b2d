"""Problem management (known errors): recording a problem, linking the incidents it causes, fixing it."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.assets.models import Product
from aftersales.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    validation_failed_from,
)
from aftersales.core.versioning import locked_for_update, save_new_version
from aftersales.knowledge.choices import ProblemStatus
from aftersales.knowledge.models import Problem, ProblemIncident
from aftersales.knowledge.rules import may_manage_problems
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.common import record_event

# What an editor may change; the status moves only through problem_transition.
PROBLEM_FIELDS = ("title", "description", "root_cause", "workaround", "fix", "owner")


def _require_manager(actor) -> None:
    if not may_manage_problems(actor):
        raise PermissionDenied()


def _clean(problem: Problem) -> None:
    for name in ("title", "description", "root_cause", "workaround", "fix"):
        setattr(problem, name, getattr(problem, name).strip())
    errors = {}
    if problem.owner is not None and not (problem.owner.is_active and may_manage_problems(problem.owner)):
        errors["owner"] = [_("Choose an active member of staff who works on problems.")]
    try:
        problem.full_clean(exclude=["created_by", "owner"])
    except ValidationError as error:
        errors.update(validation_failed_from(error).detail)
    if errors:
        raise ValidationFailed(detail=errors)


@transaction.atomic
def problem_create(
    *,
    actor,
    title: str,
    description: str = "",
    root_cause: str = "",
    workaround: str = "",
    products: Iterable[Product] = (),
    owner=None,
) -> Problem:
    _require_manager(actor)
    problem = Problem(
        title=title,
        description=description,
        root_cause=root_cause,
        workaround=workaround,
        owner=owner,
        created_by=actor,
        status=ProblemStatus.OPEN,
    )
    _clean(problem)
    problem._history_user = actor
    problem.save()
    problem.products.set(list(products))
    return problem


@transaction.atomic
def problem_update(*, actor, problem: Problem, version: int | None, products=None, **changes) -> Problem:
    _require_manager(actor)
    unknown = set(changes) - set(PROBLEM_FIELDS)
    if unknown:
        raise ValidationFailed(detail={name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    problem = locked_for_update(problem, version)
    before = {name: getattr(problem, name) for name in changes}
    for name, value in changes.items():
        setattr(problem, name, value)
    _clean(problem)
    if problem.status == ProblemStatus.FIXED and not problem.fix:
        raise ValidationFailed(detail={"fix": [_("A fixed problem keeps the description of its fix.")]})
    changed = [name for name in changes if before[name] != getattr(problem, name)]
    products_changed = False
    if products is not None:
        wanted = {product.pk for product in products}
        products_changed = wanted != set(problem.products.values_list("pk", flat=True))
    if not changed and not products_changed:
        return problem
    problem._history_user = actor
    if products_changed:
        problem.products.set(list(products))
    save_new_version(problem, changed)
    return problem


@transaction.atomic
def problem_transition(
    *, actor, problem: Problem, status: str, version: int | None = None, fix: str | None = None
) -> Problem:
    """Move a problem along the table in choices.PROBLEM_TRANSITIONS; "fixed" needs the fix written down."""
    _require_manager(actor)
    if status not in ProblemStatus.values:
        raise ValidationFailed(detail={"status": [_("Choose a valid status.")]})
    problem = locked_for_update(problem, version)
    if not problem.can_transition_to(status):
        raise InvalidTransition()
    fields = ["status"]
    if fix is not None and fix.strip() != problem.fix:
        problem.fix = fix.strip()
        fields.append("fix")
    now = timezone.now()
    if status == ProblemStatus.FIXED:
        if not problem.fix:
            raise ValidationFailed(detail={"fix": [_("Describe the fix before marking the problem fixed.")]})
        problem.fixed_at = now
        fields.append("fixed_at")
    elif status == ProblemStatus.CLOSED:
        problem.closed_at = now
        fields.append("closed_at")
    if problem.status == ProblemStatus.FIXED and status == ProblemStatus.KNOWN_ERROR:
        problem.fixed_at = None  # the fix did not hold
        fields.append("fixed_at")
    if problem.status == ProblemStatus.CLOSED:
        problem.closed_at = None  # reopened
        fields.append("closed_at")
    problem.status = status
    problem._history_user = actor
    save_new_version(problem, fields)
    return problem


def _visible_ticket(actor, ticket: Ticket) -> Ticket:
    try:
        return Ticket.objects.visible_to(actor).get(pk=ticket.pk)
    except Ticket.DoesNotExist as missing:
        raise NotFound() from missing


@transaction.atomic
def problem_link_incident(*, actor, problem: Problem, ticket: Ticket) -> ProblemIncident:
    """Record that `ticket` (of any status) is an incident caused by `problem`; the ticket's timeline says so."""
    _require_manager(actor)
    ticket = _visible_ticket(actor, ticket)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if ProblemIncident.objects.filter(problem=problem, ticket=ticket).exists():
        raise Conflict(_("The ticket is already linked to this problem."))
    link = ProblemIncident(problem=problem, ticket=ticket, linked_by=actor, linked_at=timezone.now())
    link._history_user = actor
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as race:  # linked by someone else a moment ago
        raise Conflict(_("The ticket is already linked to this problem.")) from race
    record_event(
        ticket=ticket,
        actor=actor,
        kind=EventKind.PROBLEM_LINKED,
        at=link.linked_at,
        # Problems are internal: the customer's timeline does not show the link.
        data={"problem": problem.pk, "reference": problem.reference, "public": False},
    )
    return link


@transaction.atomic
def problem_unlink_incident(*, actor, problem: Problem, ticket: Ticket) -> None:
    """Undo a wrong link; the link's history records who removed it and when."""
    _require_manager(actor)
    ticket = _visible_ticket(actor, ticket)
    link = ProblemIncident.objects.select_for_update().filter(problem=problem, ticket=ticket).first()
    if link is None:
        raise NotFound(_("The ticket is not linked to this problem."))
    link._history_user = actor
    link.delete()
