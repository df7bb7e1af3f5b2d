"""The ticket page and the actions taken from it. Each action posts, calls one service, redirects."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersales.accounts import roles
from aftersales.core.errors import DomainError
from aftersales.core.views import flash_domain_error
from aftersales.sla.choices import Clock, ClockStatus, Recipient
from aftersales.sla.clocks import ClockState, Moment
from aftersales.tickets.choices import Status
from aftersales.tickets.forms import (
    ArrivalForm,
    AssignForm,
    AttachmentForm,
    CallForm,
    CommentForm,
    TransitionForm,
)
from aftersales.tickets.models import Attachment, SlaEscalation, Ticket, TicketEvent
from aftersales.tickets.selectors import ticket_detail
from aftersales.tickets.services import (
    attachment_add,
    comment_add,
    may_acknowledge_escalation,
    may_log_call,
    may_record_arrival,
    ticket_assign,
    ticket_transition,
)
from aftersales.tickets.sla import CUSTOMER_CLOCKS, PolicyBook, clock_states
from aftersales.tickets.transitions import available_transitions

AT_RISK = "at_risk"
CLOCK_BADGES = {
    ClockStatus.PENDING: ("secondary", ClockStatus.PENDING.label),
    ClockStatus.RUNNING: ("green", ClockStatus.RUNNING.label),
    AT_RISK: ("orange", gettext_lazy("At risk")),
    ClockStatus.PAUSED: ("azure", ClockStatus.PAUSED.label),
    ClockStatus.MET: ("teal", ClockStatus.MET.label),
    ClockStatus.BREACHED: ("red", ClockStatus.BREACHED.label),
    ClockStatus.STOPPED: ("secondary", ClockStatus.STOPPED.label),
}


@dataclass
class ClockCard:
    """One clock as the SLA card shows it."""

    state: ClockState
    display: str  # a key of CLOCK_BADGES
    business_hours: bool
    moments: list[tuple[dt.datetime, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Clock(self.state.clock).label

    @property
    def colour(self) -> str:
        return CLOCK_BADGES[self.display][0]

    @property
    def status_label(self) -> str:
        return CLOCK_BADGES[self.display][1]

    @property
    def overdue(self) -> dt.timedelta:
        return -self.state.left


@dataclass
class EscalationRow:
    escalation: SlaEscalation
    told: list[str]  # who the rung names, as labels
    can_acknowledge: bool


def _moment_text(moment: Moment) -> str:
    if moment.what == "paused":
        return _("Paused: %(status)s") % {"status": Status(moment.status).label}
    if moment.what == "level":
        return _("Reached %(percent)s%% of the target") % {"percent": moment.percent}
    return {
        "started": _("Started"),
        "resumed": _("Resumed"),
        "met": _("Met"),
        "stopped": _("Stopped: the ticket ended"),
        "breached": _("Due time passed"),
    }.get(moment.what, moment.what)


def _display(state: ClockState, *, staff: bool) -> str:
    """Running clocks past a warning rung are at risk; customers see no rungs, so for them they just run."""
    if staff and state.at_risk:
        return AT_RISK
    return state.status


def sla_panel(user, ticket: Ticket, events, now: dt.datetime) -> dict:
    """The SLA card: every clock replayed for this request, and for staff the ladders' escalations."""
    staff = user.is_staff_member
    if not user.has_perm(roles.VIEW_INTERNAL):
        # The clocks count internal events too (a logged call is a response), whoever looks at them.
        events = TicketEvent.objects.filter(ticket=ticket).order_by("at", "id")
    book = PolicyBook.for_ticket(ticket)
    targets = {target.clock: target for target in book.targets_for(ticket)}
    clocks = []
    for state in clock_states(ticket, list(events), book, now):
        if not staff and state.clock not in CUSTOMER_CLOCKS:
            continue
        business_hours = not book.as_clock_target(targets[state.clock]).calendar.is_always
        moments = [(moment.at, _moment_text(moment)) for moment in state.timeline] if staff else []
        clocks.append(ClockCard(state, _display(state, staff=staff), business_hours, moments))
    panel = {"clocks": clocks, "escalations": [], "emergency_at": None}
    if staff:
        panel["emergency_at"] = ticket.emergency_declared_at
        panel["escalations"] = _escalation_rows(user, ticket, book)
    return panel


def _escalation_rows(user, ticket: Ticket, book: PolicyBook) -> list[EscalationRow]:
    escalations = list(
        SlaEscalation.objects.visible_to(user)
        .filter(ticket=ticket)
        .select_related("acknowledged_by")
        .order_by("-reached_at", "-id")
    )
    # One acknowledgement quiets a clock's whole ladder, so only its newest rung offers the button.
    answered = {row.clock for row in escalations if row.acknowledged_at is not None}
    allowed = may_acknowledge_escalation(user)
    rows = []
    for escalation in escalations:
        step = book.ladder_step(ticket, escalation.clock, escalation.percent)
        told = [Recipient(value).label for value in step.recipients] if step else []
        offered = allowed and escalation.notified and escalation.clock not in answered
        answered.add(escalation.clock)
        rows.append(EscalationRow(escalation, told, offered))
    return rows


def ticket_page(request, pk: int, **forms):
    """The ticket page; an action whose input was refused passes its bound form in, so nothing typed is lost."""
    try:
        ticket = ticket_detail(user=request.user, ticket_id=pk)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing
    user = request.user
    events = ticket.events.all()
    context = {
        "ticket": ticket,
        "timeline": events,
        "sla": sla_panel(user, ticket, events, timezone.now()),
        "transitions": available_transitions(user=user, ticket=ticket),
        "transition_form": TransitionForm(initial={"version": ticket.version}),
        "assign_form": AssignForm(
            initial={
                "version": ticket.version,
                "tier": ticket.tier,
                "team": ticket.team_id,
                "assignee": ticket.assignee_id,
            }
        )
        if user.has_perm(roles.DISPATCH) and ticket.is_open
        else None,
        "arrival_form": ArrivalForm(initial={"version": ticket.version})
        if may_record_arrival(user) and ticket.is_open and ticket.arrived_at is None
        else None,
        "call_form": CallForm() if may_log_call(user) and ticket.is_open else None,
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
    }
    for name, form in forms.items():
        if context.get(name) is not None:
            context[name] = form
        else:  # the action is no longer offered (say, someone else recorded the arrival first): say why
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return render(request, "tickets/detail.html", context)


@login_required
def ticket_detail_view(request, pk: int):
    return ticket_page(request, pk)


def visible_ticket(request, pk: int) -> Ticket:
    return get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)


def staff_ticket(request, pk: int) -> Ticket:
    """A ticket for a staff-only page or action: for anyone else the page does not exist."""
    if not request.user.is_staff_member:
        raise Http404
    return visible_ticket(request, pk)


def act(request, pk: int, form_class, service, success=None) -> object:
    """Run one ticket action from a posted form and come back to the ticket with a message."""
    ticket = visible_ticket(request, pk)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(ticket)
    try:
        service(ticket, form.cleaned_data)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, success or _("Saved."))
    return redirect(ticket)


@login_required
@require_POST
def ticket_transition_view(request, pk: int):
    return act(
        request, pk, TransitionForm, lambda ticket, data: ticket_transition(actor=request.user, ticket=ticket, **data)
    )


@login_required
@require_POST
def ticket_assign_view(request, pk: int):
    return act(request, pk, AssignForm, lambda ticket, data: ticket_assign(actor=request.user, ticket=ticket, **data))


@login_required
@require_POST
def comment_add_view(request, pk: int):
    return act(request, pk, CommentForm, lambda ticket, data: comment_add(actor=request.user, ticket=ticket, **data))


@login_required
@require_POST
def attachment_add_view(request, pk: int):
    return act(
        request,
        pk,
        AttachmentForm,
        lambda ticket, data: attachment_add(
            actor=request.user, ticket=ticket, upload=data["file"], is_public=data["is_public"]
        ),
    )


@login_required
def attachment_download(request, pk: int):
    """Attachments are served only here, after the same visibility check as the ticket page."""
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
