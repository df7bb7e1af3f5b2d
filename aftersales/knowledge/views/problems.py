"""Problem management pages (staff only): the list, a problem with its incidents, the editor, status changes,
and linking incidents from either side (the problem's page by ticket number, the ticket's card by reference)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from aftersales.core.errors import DomainError
from aftersales.core.views import add_domain_error, flash_domain_error, flash_form_errors
from aftersales.knowledge import selectors
from aftersales.knowledge.choices import PROBLEM_STATUS_ORDER
from aftersales.knowledge.forms import (
    LinkProblemForm,
    LinkTicketForm,
    ProblemFilterForm,
    ProblemForm,
    ProblemStatusForm,
)
from aftersales.knowledge.models import Problem
from aftersales.knowledge.rules import may_manage_problems
from aftersales.knowledge.services import (
    PROBLEM_FIELDS,
    problem_create,
    problem_link_incident,
    problem_transition,
    problem_unlink_incident,
    problem_update,
)
from aftersales.knowledge.views.common import problem_manager_page, problem_reader_page, query_without_page
from aftersales.tickets.models import Ticket
from aftersales.tickets.views.queue import page_without_count


@problem_reader_page
@require_safe
def problem_list(request):
    user = request.user
    chosen = ProblemFilterForm(request.GET, product_queryset=selectors.problem_products(user=user))
    filters = chosen.cleaned_data if chosen.is_valid() else {}
    problems = selectors.problem_list(
        user=user, q=filters.get("q", ""), status=filters.get("status", ""), product=filters.get("product")
    )
    context = {
        "form": chosen,
        "page": page_without_count(problems, request.GET.get("page")),
        "query": query_without_page(request),
        "filtered": any(filters.values()),
        "may_manage": may_manage_problems(user),
    }
    return render(request, "knowledge/problem_list.html", context)


def _visible_problem(request, pk: int) -> Problem:
    try:
        return selectors.problem_detail(user=request.user, pk=pk)
    except Problem.DoesNotExist as missing:
        raise Http404 from missing


def problem_page(request, pk: int, **forms):
    problem = _visible_problem(request, pk)
    may_manage = may_manage_problems(request.user)
    next_statuses = [status for status in PROBLEM_STATUS_ORDER if problem.can_transition_to(status)]
    status_form = forms.get("status_form") or ProblemStatusForm(
        initial={"version": problem.version, "fix": problem.fix}
    )
    status_form.fields["status"].choices = [(status.value, status.label) for status in next_statuses]
    context = {
        "problem": problem,
        "links": list(problem.links.all()),
        "may_manage": may_manage,
        "status_form": status_form if may_manage and next_statuses else None,
        "link_form": (forms.get("link_form") or LinkTicketForm()) if may_manage else None,
    }
    return render(request, "knowledge/problem_detail.html", context)


@problem_reader_page
@require_safe
def problem_detail(request, pk: int):
    return problem_page(request, pk)


def _products_and_fields(form) -> tuple[list, dict]:
    data = form.cleaned_data
    return list(data["products"]), {name: data[name] for name in PROBLEM_FIELDS if name in data}


@problem_manager_page
def problem_create_view(request):
    form = ProblemForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        products, fields = _products_and_fields(form)
        try:
            problem = problem_create(actor=request.user, products=products, **fields)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The problem is recorded."))
            return redirect(problem)
    return render(request, "knowledge/problem_form.html", {"form": form, "problem": None})


@problem_manager_page
def problem_edit(request, pk: int):
    problem = _visible_problem(request, pk)
    initial = {name: getattr(problem, name) for name in PROBLEM_FIELDS}
    initial |= {
        "owner": problem.owner_id,
        "products": [product.pk for product in problem.products.all()],
        "version": problem.version,
    }
    form = ProblemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        products, fields = _products_and_fields(form)
        try:
            problem_update(
                actor=request.user, problem=problem, version=form.cleaned_data["version"], products=products, **fields
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(problem)
    return render(request, "knowledge/problem_form.html", {"form": form, "problem": problem})


@problem_manager_page
@require_POST
def problem_status_view(request, pk: int):
    problem = _visible_problem(request, pk)
    form = ProblemStatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            problem_transition(
                actor=request.user, problem=problem, status=data["status"], version=data["version"], fix=data["fix"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The problem's status is changed."))
            return redirect(problem)
    messages.error(request, _("The status did not change. Please check the form."))
    return problem_page(request, pk, status_form=form)


@problem_manager_page
@require_POST
def problem_link_view(request, pk: int):
    """Link a ticket, of any status, by its number."""
    problem = _visible_problem(request, pk)
    form = LinkTicketForm(request.POST)
    if form.is_valid():
        ticket = Ticket.objects.visible_to(request.user).filter(number=form.cleaned_data["number"]).first()
        if ticket is None:
            form.add_error("number", _("No ticket has this number."))
        else:
            try:
                problem_link_incident(actor=request.user, problem=problem, ticket=ticket)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The ticket is linked to the problem."))
                return redirect(problem)
    return problem_page(request, pk, link_form=form)


@problem_manager_page
@require_POST
def problem_unlink_view(request, pk: int, ticket_pk: int):
    problem = _visible_problem(request, pk)
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user), pk=ticket_pk)
    try:
        problem_unlink_incident(actor=request.user, problem=problem, ticket=ticket)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("The ticket is no longer linked to the problem."))
    return redirect(problem)


@problem_manager_page
@require_POST
def ticket_problem_link_view(request, pk: int):
    """From the ticket's card: link this ticket to a problem named by its reference."""
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)
    form = LinkProblemForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(ticket)
    problem = Problem.objects.visible_to(request.user).filter(pk=form.cleaned_data["problem"]).first()
    if problem is None:
        messages.error(request, _("No problem has this reference."))
        return redirect(ticket)
    try:
        problem_link_incident(actor=request.user, problem=problem, ticket=ticket)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(
            request, _("The ticket is linked to problem %(reference)s.") % {"reference": problem.reference}
        )
    return redirect(ticket)
