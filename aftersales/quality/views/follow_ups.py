"""Follow-up pages: the quality controller's worklist and call sheet, the customer's survey (portal and link)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from aftersales.core.errors import DomainError, InvalidTransition, NotFound
from aftersales.core.views import add_domain_error, submit_and_return
from aftersales.quality.choices import FollowUpStatus, Method
from aftersales.quality.forms import FollowUpRecordForm, ScoresForm, SendLinkForm
from aftersales.quality.models import FollowUp
from aftersales.quality.selectors import WORKLIST_VIEWS, follow_up_list
from aftersales.quality.services.common import may_follow_up
from aftersales.quality.services.follow_ups import follow_up_answer_in_portal, follow_up_assign, follow_up_record
from aftersales.quality.services.surveys import survey_answer, survey_link_find, survey_link_send
from aftersales.tickets.views.queue import page_without_count


def _visible(request, pk: int) -> FollowUp:
    """A follow-up the user may see: its customer's users, and staff who make follow-up calls."""
    user = request.user
    if not (user.is_customer_user or may_follow_up(user)):
        raise Http404
    return get_object_or_404(FollowUp.objects.visible_to(user).select_related("ticket__customer", "assigned_to"), pk=pk)


@login_required
def follow_up_list_view(request):
    user = request.user
    if not (user.is_customer_user or may_follow_up(user)):
        raise Http404
    view = request.GET.get("view") if request.GET.get("view") in WORKLIST_VIEWS else "due"
    method = request.GET.get("method") if request.GET.get("method") in Method.values else ""
    mine = request.GET.get("mine") == "1"
    follow_ups = follow_up_list(user=user, view=view, method=method, mine=mine)
    context = {
        "page": page_without_count(follow_ups, request.GET.get("page")),
        "view": view,
        "method": method,
        "mine": mine,
        "views": [(value, label) for value, label in _view_labels() if value in WORKLIST_VIEWS],
        "methods": Method.choices,
    }
    return render(request, "quality/follow_up_list.html", context)


def _view_labels():
    return [
        ("due", pgettext("follow-ups", "Due now")),
        ("overdue", pgettext("follow-ups", "Overdue")),
        ("upcoming", pgettext("follow-ups", "Coming")),
        ("done", pgettext("follow-ups", "Done")),
        ("not_sampled", pgettext("follow-ups", "Not sampled")),
    ]


@login_required
def follow_up_detail(request, pk: int, record_form=None, scores_form=None):
    follow_up = _visible(request, pk)
    answerable = follow_up.status != FollowUpStatus.DONE
    context = {"follow_up": follow_up, "ticket": follow_up.ticket, "answerable": answerable}
    if request.user.is_customer_user:
        context["scores_form"] = scores_form or ScoresForm()
    else:
        context["record_form"] = record_form or FollowUpRecordForm(initial={"method": Method.PHONE})
        context["link_form"] = SendLinkForm()
        context["survey_links"] = list(follow_up.survey_links.order_by("-created_at"))
        context["script_rows"] = _script_rows(follow_up)
    return render(request, "quality/follow_up_detail.html", context)


def _script_rows(follow_up: FollowUp) -> list[tuple[str, str]]:
    """The script's answers with their questions, as the call sheet asked them."""
    fields = FollowUpRecordForm.base_fields
    rows = []
    for code, answer in follow_up.script_answers.items():
        if code in fields:
            rows.append((fields[code].label, dict(fields[code].choices).get(answer, answer)))
    return rows


@login_required
@require_POST
def follow_up_record_view(request, pk: int):
    follow_up = _visible(request, pk)
    if request.user.is_customer_user:
        form = ScoresForm(request.POST)
        if form.is_valid():
            try:
                follow_up_answer_in_portal(
                    actor=request.user, follow_up=follow_up, scores=form.scores(), comment=form.cleaned_data["comment"]
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Thank you for your answer."))
                return redirect(follow_up.ticket)
        return follow_up_detail(request, pk, scores_form=form)
    form = FollowUpRecordForm(request.POST)
    if form.is_valid():
        try:
            follow_up_record(
                actor=request.user,
                follow_up=follow_up,
                method=form.cleaned_data["method"],
                outcome=form.cleaned_data["outcome"],
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                script_answers=form.script_answers(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("quality_follow_up_detail", pk)
    return follow_up_detail(request, pk, record_form=form)


@login_required
@require_POST
def follow_up_send_link_view(request, pk: int):
    follow_up = _visible(request, pk)
    if not may_follow_up(request.user):
        raise Http404
    return submit_and_return(
        request,
        follow_up_url(follow_up),
        SendLinkForm(request.POST),
        lambda data: survey_link_send(actor=request.user, follow_up=follow_up, send_to=data["send_to"]),
        _("The survey link is on its way."),
    )


@login_required
@require_POST
def follow_up_take_view(request, pk: int):
    follow_up = _visible(request, pk)
    if not may_follow_up(request.user):
        raise Http404
    try:
        follow_up_assign(actor=request.user, follow_up=follow_up, assignee=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect(follow_up_url(follow_up))


def follow_up_url(follow_up: FollowUp) -> str:
    from django.urls import reverse

    return reverse("quality_follow_up_detail", args=[follow_up.pk])


def survey_view(request, token: str):
    """The customer's survey behind a one-time link: no login, the link itself is the permission."""
    try:
        link = survey_link_find(token)
    except NotFound:
        return render(request, "quality/survey_unusable.html", {"reason": _("This link is not valid.")}, status=404)
    except InvalidTransition as error:
        return render(request, "quality/survey_unusable.html", {"reason": str(error.message)}, status=410)
    user = request.user
    if user.is_authenticated and user.is_customer_user and user.customer_id != link.follow_up.ticket.customer_id:
        return render(request, "quality/survey_unusable.html", {"reason": _("This link is not valid.")}, status=404)
    form = ScoresForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(token=token, scores=form.scores(), comment=form.cleaned_data["comment"], user=request.user)
        except NotFound:
            return render(request, "quality/survey_unusable.html", {"reason": _("This link is not valid.")}, status=404)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return render(request, "quality/survey_done.html", {"ticket": link.follow_up.ticket})
    return render(request, "quality/survey.html", {"form": form, "ticket": link.follow_up.ticket})


urlpatterns = [
    path("quality/follow-ups/", follow_up_list_view, name="quality_follow_ups"),
    path("quality/follow-ups/<int:pk>/", follow_up_detail, name="quality_follow_up_detail"),
    path("quality/follow-ups/<int:pk>/record/", follow_up_record_view, name="quality_follow_up_record"),
    path("quality/follow-ups/<int:pk>/send-link/", follow_up_send_link_view, name="quality_follow_up_send_link"),
    path("quality/follow-ups/<int:pk>/take/", follow_up_take_view, name="quality_follow_up_take"),
    path("survey/<str:token>/", survey_view, name="quality_survey"),
]
