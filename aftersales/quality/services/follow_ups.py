"""Follow-ups (回访): planned by a sweep after resolution, answered by phone, visit, survey link or portal.

A low score reopens the matter with a re-service ticket, which gets its own follow-up when resolved, so the
loop repeats until the customer is satisfied (seed 003: 直到客户满意为止).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.roles import Role
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.dispatch.choices import WorkOrderStatus
from aftersales.dispatch.models import WorkOrder
from aftersales.notifications.services import enqueue
from aftersales.quality.choices import FollowUpStatus, Method, Outcome
from aftersales.quality.models import SCORE_FIELDS, FollowUp
from aftersales.quality.rules import RuleBook, applies, is_sampled
from aftersales.quality.services.common import acting_system, active_with_role, may_follow_up, staff_messages
from aftersales.tickets.choices import Channel, EventKind, Status
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_assign, ticket_create
from aftersales.tickets.services.common import record_event
from aftersales.tickets.services.lifecycle import can_be_assigned

ANSWERED = "answered"  # the form's choice for "the customer gave scores"; the outcome is then derived from them
RESOLVED_STATUSES = (Status.RESOLVED, Status.CONFIRMED, Status.CLOSED, Status.ARCHIVED)
# The follow-up script a quality controller reads (seed 001 and 003: was it solved, satisfied with the service
# and with the people); the scores come after it. Codes are stored, the questions are shown translated.
SCRIPT = (
    ("problem_solved", ("yes", "partly", "no")),
    ("engineer_on_time", ("yes", "no")),
    ("explained_clearly", ("yes", "no")),
)


def horizon_days() -> int:
    """Tickets resolved longer ago than this are not followed up any more (a first run does not call last year)."""
    return getattr(settings, "AFTERSALES_FOLLOW_UP_HORIZON_DAYS", 30)


# Planning ----------------------------------------------------------------------------------------


def follow_ups_plan(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Create the follow-up of every resolved ticket its rule covers; idempotent (one per ticket). Returns how many.

    A re-service ticket is always followed up and always sampled: the loop ends only with a satisfied customer.
    """
    now = now or timezone.now()
    book = RuleBook()
    is_reservice = Exists(FollowUp.objects.filter(reservice_ticket=OuterRef("pk")))
    candidates = (
        Ticket.objects.filter(
            status__in=RESOLVED_STATUSES,
            resolved_at__isnull=False,
            resolved_at__gte=now - dt.timedelta(days=horizon_days()),
            follow_up__isnull=True,
        )
        .annotate(is_reservice=is_reservice)
        .only("id", "kind", "contract_id", "resolved_at")
        .order_by("resolved_at", "id")
    )
    created, after = 0, 0
    while True:
        tickets = list(candidates.filter(id__gt=after).order_by("id")[:batch])
        if not tickets:
            return created
        after = tickets[-1].id
        rows = [row for row in (_planned(ticket, book) for ticket in tickets) if row is not None]
        # ON CONFLICT DO NOTHING: a second sweeper (or a rerun) planning the same ticket changes nothing.
        FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
        created += len(rows)


def _planned(ticket: Ticket, book: RuleBook) -> FollowUp | None:
    rule = book.for_ticket(ticket)
    if not ticket.is_reservice and not applies(rule, ticket.kind):
        return None
    sampled = ticket.is_reservice or is_sampled(ticket_id=ticket.pk, percent=rule.sample_percent)
    return FollowUp(
        ticket_id=ticket.pk,
        rule=rule if rule.pk else None,
        due_at=ticket.resolved_at + dt.timedelta(hours=rule.delay_hours),
        sampled=sampled,
        status=FollowUpStatus.PENDING if sampled else FollowUpStatus.NOT_SAMPLED,
        method=rule.planned_method,
        low_score_threshold=rule.low_score_threshold,
    )


# Recording answers -------------------------------------------------------------------------------


def locked_open(follow_up: FollowUp) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=follow_up.pk)
    if follow_up.status == FollowUpStatus.DONE:
        raise InvalidTransition(_("This follow-up has already been answered."))
    return follow_up


def clean_scores(scores: dict) -> dict[str, int]:
    errors, clean = {}, {}
    for name in SCORE_FIELDS:
        value = scores.get(name)
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= 5:
            errors[name] = [_("Give a score from 1 to 5.")]
        else:
            clean[name] = value
    if errors:
        raise ValidationFailed(detail=errors)
    return clean


def _clean_script(answers: dict) -> dict[str, str]:
    allowed = dict(SCRIPT)
    return {code: value for code, value in (answers or {}).items() if code in allowed and value in allowed[code]}


@transaction.atomic
def follow_up_record(
    *,
    actor,
    follow_up: FollowUp,
    method: str,
    outcome: str = ANSWERED,
    scores: dict | None = None,
    comment: str = "",
    script_answers: dict | None = None,
) -> FollowUp:
    """A quality controller called or visited and records what the customer said (FOLLOW_UP_RECORDED)."""
    if not may_follow_up(actor):
        raise PermissionDenied()
    follow_up = locked_open(follow_up)
    if method not in (Method.PHONE, Method.VISIT):
        raise ValidationFailed(detail={"method": [_("Record a phone call or a visit here.")]})
    if outcome in (Outcome.UNREACHABLE, Outcome.DECLINED):
        follow_up.outcome, clean = outcome, {}
    elif outcome == ANSWERED:
        clean = clean_scores(scores or {})
    else:
        raise ValidationFailed(detail={"outcome": [_("Choose what came of the call.")]})
    follow_up.script_answers = _clean_script(script_answers)
    if follow_up.assigned_to_id is None:
        follow_up.assigned_to = actor
    return answer_apply(
        follow_up,
        actor=actor,
        recorded_by=actor,
        method=method,
        scores=clean,
        comment=comment,
        kind=EventKind.FOLLOW_UP_RECORDED,
    )


@transaction.atomic
def follow_up_answer_in_portal(*, actor, follow_up: FollowUp, scores: dict, comment: str = "") -> FollowUp:
    """The customer rates the service on their own ticket in the portal (SURVEY_ANSWERED)."""
    if not FollowUp.objects.visible_to(actor).filter(pk=follow_up.pk).exists() or not actor.is_customer_user:
        raise NotFound()
    follow_up = locked_open(follow_up)
    clean = clean_scores(scores)
    return answer_apply(
        follow_up,
        actor=actor,
        recorded_by=actor,
        method=Method.PORTAL,
        scores=clean,
        comment=comment,
        kind=EventKind.SURVEY_ANSWERED,
    )


def answer_apply(
    follow_up: FollowUp, *, actor, recorded_by, method: str, scores: dict, comment: str, kind: str
) -> FollowUp:
    """Store an answer on a locked follow-up, write `kind` on the ticket, and reopen the matter on a low score."""
    now = timezone.now()
    for name, value in scores.items():
        setattr(follow_up, name, value)
    if scores:
        low = any(value <= follow_up.low_score_threshold for value in scores.values())
        follow_up.outcome = Outcome.DISSATISFIED if low else Outcome.SATISFIED
    follow_up.method, follow_up.comment = method, comment.strip()
    follow_up.status, follow_up.answered_at = FollowUpStatus.DONE, now
    follow_up.recorded_by = recorded_by
    follow_up.save()
    record_event(
        ticket=follow_up.ticket,
        actor=actor,
        kind=kind,
        at=now,
        data={"follow_up": follow_up.pk, "method": method, "outcome": follow_up.outcome, **scores},
    )
    if follow_up.outcome == Outcome.DISSATISFIED:
        reservice_open(follow_up=follow_up, now=now)
    return follow_up


# Re-service --------------------------------------------------------------------------------------


def original_engineer(ticket: Ticket):
    """Who did the work: the engineer of the ticket's last finished work order, else the assignee."""
    finished = (WorkOrderStatus.WORK_DONE, WorkOrderStatus.SIGNED, WorkOrderStatus.ARCHIVED)
    work_order = (
        WorkOrder.objects.filter(ticket=ticket, status__in=finished)
        .select_related("engineer")
        .order_by("-dispatched_at", "-id")
        .first()
    )
    return work_order.engineer if work_order and work_order.engineer_id else ticket.assignee


def reservice_open(*, follow_up: FollowUp, now: dt.datetime) -> Ticket:
    """The customer was not satisfied: open a re-service ticket, dispatch it, tell the managers (in the caller's
    transaction). The original engineer gets it when still active; otherwise the dispatchers are asked to."""
    if follow_up.reservice_ticket_id is not None:
        return follow_up.reservice_ticket
    original, system = follow_up.ticket, acting_system()
    ticket = _reservice_ticket(follow_up, actor=system)
    follow_up.reservice_ticket = ticket
    follow_up.save(update_fields=["reservice_ticket"])
    record_event(
        ticket=original,
        actor=system,
        kind=EventKind.RESERVICE_OPENED,
        at=now,
        data={"follow_up": follow_up.pk, "reservice_ticket": ticket.pk, "reservice_number": ticket.number},
    )
    engineer = original_engineer(original)
    if engineer is not None and can_be_assigned(engineer):
        ticket = ticket_assign(actor=system, ticket=ticket, assignee=engineer, version=None, note=original.number)
        follow_up.reservice_ticket = ticket
    else:
        engineer = None
    enqueue(_reservice_messages(follow_up, ticket, engineer))
    return ticket


def _reservice_ticket(follow_up: FollowUp, *, actor) -> Ticket:
    """The re-service ticket: the original's customer, contact, site, equipment and kind, with the scores said."""
    original = follow_up.ticket
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Re-service of %(number)s: %(title)s") % {"number": original.number, "title": original.title}
        description = _(
            "The customer was not satisfied at the follow-up of %(number)s (overall %(overall)s, response speed "
            "%(speed)s, professionalism %(professionalism)s, attitude %(attitude)s). Their comment: %(comment)s"
        ) % {
            "number": original.number,
            "overall": follow_up.score_overall or "-",
            "speed": follow_up.score_response_speed or "-",
            "professionalism": follow_up.score_professionalism or "-",
            "attitude": follow_up.score_attitude or "-",
            "comment": follow_up.comment or "-",
        }
    return ticket_create(
        actor=actor,
        customer=original.customer,
        title=title[:200],
        description=description,
        contact_name=original.contact_name,
        contact_phone=original.contact_phone,
        kind=original.kind,
        channel=Channel.FOLLOW_UP,
        urgency=original.urgency,
        impact=original.impact,
        site=original.site,
        assets=list(original.assets.all()),
        on_site_required=original.on_site_required,
    )


def _reservice_messages(follow_up: FollowUp, ticket: Ticket, engineer) -> list:
    """The engineer it was given to (else the dispatchers, to give it to someone) and the managers are told."""
    original = follow_up.ticket
    context = {"number": ticket.number, "original": original.number, "customer": original.customer.name}
    key = f"follow_up:{follow_up.pk}:reservice"
    if engineer is not None:
        messages = staff_messages(
            users=[engineer],
            key=f"{key}:engineer",
            template="reservice_assigned",
            context=context,
            path=ticket.get_absolute_url(),
        )
    else:
        messages = staff_messages(
            users=active_with_role(Role.DISPATCHER),
            key=f"{key}:dispatch",
            template="reservice_to_dispatch",
            context=context,
            path=ticket.get_absolute_url(),
        )
    return messages + staff_messages(
        users=active_with_role(Role.MANAGER),
        key=f"{key}:manager",
        template="reservice_opened",
        context=context,
        path=original.get_absolute_url(),
    )


def reservice_chain(ticket: Ticket) -> list[Ticket]:
    """The ticket and the re-service tickets opened after it, in order (for the card and reports)."""
    chain, seen = [ticket], {ticket.pk}
    current = ticket
    while True:
        follow_up = FollowUp.objects.filter(ticket=current).select_related("reservice_ticket").first()
        if follow_up is None or follow_up.reservice_ticket is None or follow_up.reservice_ticket.pk in seen:
            return chain
        current = follow_up.reservice_ticket
        chain.append(current)
        seen.add(current.pk)


def follow_up_assign(*, actor, follow_up: FollowUp, assignee) -> FollowUp:
    """Give a follow-up to a quality controller (or take it)."""
    if not may_follow_up(actor):
        raise PermissionDenied()
    if assignee is not None and not may_follow_up(assignee):
        raise ValidationFailed(detail={"assigned_to": [_("Choose someone who makes follow-up calls.")]})
    with transaction.atomic():
        follow_up = locked_open(follow_up)
        if follow_up.assigned_to_id == (assignee.pk if assignee else None):
            return follow_up
        follow_up.assigned_to = assignee
        follow_up.save(update_fields=["assigned_to"])
        record_event(
            ticket=follow_up.ticket,
            actor=actor,
            kind=EventKind.UPDATED,
            data={"follow_up": follow_up.pk, "follow_up_assigned_to": follow_up.assigned_to_id, "public": False},
        )
    return follow_up
