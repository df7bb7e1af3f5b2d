"""The resident engineer's pages: weekly plans signed on the phone, weekly reports to headquarters, training
sessions with sign-in pads, materials, the paper sheet and its PDF. Each action posts, calls one service, goes back.

Customers read their organisation's plans and training sessions; weekly reports are internal to the provider."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from aftersales.accounts import roles
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.images import png_data_uri
from aftersales.core.views import add_domain_error, submit_and_return
from aftersales.maintenance import forms_records as forms
from aftersales.maintenance import pdf
from aftersales.maintenance.choices import DocumentStatus
from aftersales.maintenance.models import TrainingMaterial, TrainingSession, WeeklyPlan, WeeklyReport
from aftersales.maintenance.services import records as services

PAGE_SIZE = 30


def _sees_everyone(user) -> bool:
    """Dispatchers, managers and quality see every engineer's papers; an engineer sees their own."""
    return user.is_customer_user or user.has_perm(roles.DISPATCH) or user.has_perm(roles.SUPERVISE)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _create(request, form, create, success: str):
    """Run a list page's create form; on success go to the new record, otherwise show the list with the errors."""
    if not form.is_valid():
        return None
    try:
        created = create(form.cleaned_data)
    except DomainError as error:
        add_domain_error(form, error)
        return None
    messages.success(request, success)
    return created


# Weekly plans ---------------------------------------------------------------------------------------------------


def _plan(request, pk: int) -> WeeklyPlan:
    plans = WeeklyPlan.objects.visible_to(request.user).select_related("customer", "site", "engineer")
    return get_object_or_404(plans.prefetch_related("signatures"), pk=pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def weekly_plan_list(request):
    plans = WeeklyPlan.objects.visible_to(request.user).select_related("customer", "site", "engineer")
    if not _sees_everyone(request.user):
        plans = plans.filter(engineer=request.user)
    form = forms.WeeklyPlanForm(request.POST or None)
    if request.method == "POST":
        plan = _create(
            request,
            form,
            lambda data: services.weekly_plan_save(
                actor=request.user,
                customer=data["customer"],
                engineer=data["engineer"] or request.user,
                week_start=data["week_start"],
                content=data["content"],
                customer_lead=data["customer_lead"],
                site=data["site"],
            ),
            _("The weekly plan is saved. Now both of you sign it."),
        )
        if plan is not None:
            return redirect("weekly_plan_detail", pk=plan.pk)
    can_write = not request.user.is_customer_user and services.may_write_for(request.user, request.user)
    context = {"page": _page(request, plans.order_by("-week_start", "-id")), "form": form, "can_write": can_write}
    return render(request, "maintenance/weekly_plan_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def weekly_plan_detail(request, pk: int):
    plan = _plan(request, pk)
    initial = {"week_start": plan.week_start, "content": plan.content, "customer_lead": plan.customer_lead}
    form = forms.WeeklyPlanForm(request.POST or None, editing=True, initial={**initial, "site": plan.site_id})
    if request.method == "POST":
        return submit_and_return(
            request,
            reverse("weekly_plan_detail", args=[plan.pk]),
            form,
            lambda data: services.weekly_plan_save(
                actor=request.user,
                customer=plan.customer,
                engineer=plan.engineer,
                plan=plan,
                week_start=data["week_start"],
                content=data["content"],
                customer_lead=data["customer_lead"],
                site=data["site"],
            ),
            _("The weekly plan is saved."),
        )
    signatures = {s.role: {"signature": s, "src": png_data_uri(s.image_png)} for s in plan.signatures.all()}
    sign_as = ""
    if plan.status == DocumentStatus.DRAFT and services.may_collect_plan_signature(request.user, plan):
        if "engineer" not in signatures and plan.engineer_id == request.user.pk:
            sign_as = "engineer"
        elif "engineer" in signatures and "customer" not in signatures:
            sign_as = "customer"
    context = {
        "plan": plan,
        "form": form,
        "signatures": signatures,
        "sign_as": sign_as,
        "signature_form": forms.PlanSignatureForm(
            initial={"signer_name": plan.customer_lead if sign_as == "customer" else str(request.user)}
        ),
        "can_edit": not signatures and services.may_write_for(request.user, plan.engineer),
    }
    return render(request, "maintenance/weekly_plan_detail.html", context)


@login_required
@require_POST
def weekly_plan_sign(request, pk: int):
    plan = _plan(request, pk)
    return submit_and_return(
        request,
        reverse("weekly_plan_detail", args=[plan.pk]),
        forms.PlanSignatureForm(request.POST),
        lambda data: services.weekly_plan_sign(actor=request.user, plan=plan, **data),
        _("The signature is on the plan."),
    )


# Weekly reports (internal) ---------------------------------------------------------------------------------------


def _staff(request) -> None:
    if not request.user.has_perm(roles.VIEW_INTERNAL):
        raise Http404


def _report(request, pk: int) -> WeeklyReport:
    _staff(request)
    reports = WeeklyReport.objects.visible_to(request.user).select_related("customer", "engineer")
    return get_object_or_404(reports, pk=pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def weekly_report_list(request):
    _staff(request)
    reports = WeeklyReport.objects.visible_to(request.user).select_related("customer", "engineer")
    if not _sees_everyone(request.user):
        reports = reports.filter(engineer=request.user)
    form = forms.ReportDraftForm(request.POST or None)
    if request.method == "POST":
        report = _create(
            request,
            form,
            lambda data: services.weekly_report_draft(
                actor=request.user,
                engineer=data["engineer"] or request.user,
                customer=data["customer"],
                week_start=data["week_start"],
            ),
            _("The weekly report is drafted from the work log. Check it, then send it."),
        )
        if report is not None:
            return redirect("weekly_report_detail", pk=report.pk)
    context = {"page": _page(request, reports.order_by("-week_start", "-id")), "form": form}
    return render(request, "maintenance/weekly_report_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def weekly_report_detail(request, pk: int):
    report = _report(request, pk)
    form = forms.ReportForm(
        request.POST or None,
        initial={"work_done": report.work_done, "problems": report.problems, "next_week": report.next_week},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.weekly_report_update(actor=request.user, report=report, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The weekly report is saved."))
            return redirect("weekly_report_detail", pk=report.pk)
    editable = report.status == DocumentStatus.DRAFT and services.may_write_for(request.user, report.engineer)
    return render(
        request, "maintenance/weekly_report_detail.html", {"report": report, "form": form, "editable": editable}
    )


def _report_action(request, pk: int, service, success: str):
    report = _report(request, pk)
    try:
        service(report)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, success)
    return redirect("weekly_report_detail", pk=report.pk)


@login_required
@require_POST
def weekly_report_regenerate(request, pk: int):
    return _report_action(
        request,
        pk,
        lambda report: services.weekly_report_draft(
            actor=request.user,
            engineer=report.engineer,
            customer=report.customer,
            week_start=report.week_start,
            regenerate=True,
        ),
        _("The report is drafted again from the work log."),
    )


@login_required
@require_POST
def weekly_report_send(request, pk: int):
    return _report_action(
        request,
        pk,
        lambda report: services.weekly_report_send(actor=request.user, report=report),
        _("The weekly report is sent to headquarters."),
    )


# Training -----------------------------------------------------------------------------------------------------


def _session(request, pk: int) -> TrainingSession:
    sessions = TrainingSession.objects.visible_to(request.user).select_related("customer", "trainer")
    return get_object_or_404(sessions, pk=pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def training_list(request):
    sessions = TrainingSession.objects.visible_to(request.user).select_related("customer", "trainer")
    form = forms.TrainingForm(request.POST or None)
    if request.method == "POST":
        session = _create(
            request,
            form,
            lambda data: services.training_create(actor=request.user, **data),
            _("The training session is planned. Add the attendees and materials."),
        )
        if session is not None:
            return redirect("training_detail", pk=session.pk)
    context = {
        "page": _page(request, sessions.order_by("-starts_at", "-id")),
        "form": form,
        "can_run": not request.user.is_customer_user and services.may_run_training(request.user),
    }
    return render(request, "maintenance/training_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def training_detail(request, pk: int):
    session = _session(request, pk)
    fields = ("topic", "trainer", "trainer_name", "starts_at", "ends_at", "place")
    form = forms.TrainingForm(
        request.POST or None, editing=True, initial={name: getattr(session, name) for name in fields}
    )
    if request.method == "POST":
        return submit_and_return(
            request,
            reverse("training_detail", args=[session.pk]),
            form,
            lambda data: services.training_update(actor=request.user, session=session, **data),
            _("The training session is saved."),
        )
    attendees = list(session.attendees.all())
    can_run = not request.user.is_customer_user and services.may_run_training(request.user)
    context = {
        "session": session,
        "form": form,
        "can_run": can_run,
        "attendees": [{"attendee": a, "src": png_data_uri(a.signature_png)} for a in attendees],
        "trainer_signature": png_data_uri(session.trainer_signature_png),
        "materials": list(session.materials.all()),
        "material_form": forms.MaterialForm(),
        "attendee_form": forms.AttendeeForm(),
        "sheet_form": forms.PrintedSheetForm(session=session),
        "feedback_form": forms.FeedbackForm(initial={"feedback": session.feedback}),
    }
    return render(request, "maintenance/training_detail.html", context)


def _training_action(request, pk: int, form, service, success: str):
    session = _session(request, pk)
    return submit_and_return(
        request, reverse("training_detail", args=[session.pk]), form, lambda data: service(session, data), success
    )


@login_required
@require_POST
def training_material_add(request, pk: int):
    return _training_action(
        request,
        pk,
        forms.MaterialForm(request.POST, request.FILES),
        lambda session, data: services.training_material_add(actor=request.user, session=session, upload=data["file"]),
        _("The material is added."),
    )


@login_required
@require_POST
def training_attendee_add(request, pk: int):
    return _training_action(
        request,
        pk,
        forms.AttendeeForm(request.POST),
        lambda session, data: services.training_attendee_add(actor=request.user, session=session, **data),
        _("The attendee is on the list."),
    )


def _sign_in(actor, session, data):
    attendee = session.attendees.filter(pk=data["attendee"]).first()
    if attendee is None:
        raise ValidationFailed(detail={"attendee": [_("Choose an attendee of this training.")]})
    return services.training_sign_in(actor=actor, attendee=attendee, signature=data["signature"])


@login_required
@require_POST
def training_sign_in(request, pk: int):
    return _training_action(
        request,
        pk,
        forms.AttendeeSignInForm(request.POST),
        lambda session, data: _sign_in(request.user, session, data),
        _("Signed in."),
    )


@login_required
@require_POST
def training_trainer_sign(request, pk: int):
    return _training_action(
        request,
        pk,
        forms.TrainerSignatureForm(request.POST),
        lambda session, data: services.training_trainer_sign(actor=request.user, session=session, **data),
        _("The trainer's signature is on the sheet."),
    )


@login_required
@require_POST
def training_printed_sheet_upload(request, pk: int):
    session = _session(request, pk)
    return _training_action(
        request,
        pk,
        forms.PrintedSheetForm(request.POST, request.FILES, session=session),
        lambda session, data: services.training_upload_printed_sheet(
            actor=request.user, session=session, upload=data["file"], attendees=data["attendees"]
        ),
        _("The signed sheet is uploaded."),
    )


@login_required
@require_POST
def training_feedback(request, pk: int):
    return _training_action(
        request,
        pk,
        forms.FeedbackForm(request.POST),
        lambda session, data: services.training_feedback(actor=request.user, session=session, **data),
        _("The feedback is saved."),
    )


@login_required
@require_safe
def training_material_download(request, pk: int):
    """Materials are served only here, after the same visibility check as the session's page."""
    material = get_object_or_404(TrainingMaterial.objects.visible_to(request.user), pk=pk)
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.name)


@login_required
@require_safe
def training_printed_sheet(request, pk: int):
    session = _session(request, pk)
    if not session.printed_sheet:
        raise Http404
    name = session.printed_sheet.name.rsplit("/", 1)[-1]
    return FileResponse(session.printed_sheet.open("rb"), as_attachment=True, filename=name)


@login_required
@require_safe
def training_signin_pdf(request, pk: int):
    session = _session(request, pk)
    response = HttpResponse(pdf.render_signin_sheet(session), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="training-{session.pk}-sign-in.pdf"'
    return response


urlpatterns = [
    path("weekly-plans/", weekly_plan_list, name="weekly_plan_list"),
    path("weekly-plans/<int:pk>/", weekly_plan_detail, name="weekly_plan_detail"),
    path("weekly-plans/<int:pk>/sign/", weekly_plan_sign, name="weekly_plan_sign"),
    path("weekly-reports/", weekly_report_list, name="weekly_report_list"),
    path("weekly-reports/<int:pk>/", weekly_report_detail, name="weekly_report_detail"),
    path("weekly-reports/<int:pk>/regenerate/", weekly_report_regenerate, name="weekly_report_regenerate"),
    path("weekly-reports/<int:pk>/send/", weekly_report_send, name="weekly_report_send"),
    path("training/", training_list, name="training_list"),
    path("training/<int:pk>/", training_detail, name="training_detail"),
    path("training/<int:pk>/materials/", training_material_add, name="training_material_add"),
    path("training/<int:pk>/attendees/", training_attendee_add, name="training_attendee_add"),
    path("training/<int:pk>/sign-in/", training_sign_in, name="training_sign_in"),
    path("training/<int:pk>/trainer-signature/", training_trainer_sign, name="training_trainer_sign"),
    path(
        "training/<int:pk>/printed-sheet/upload/", training_printed_sheet_upload, name="training_printed_sheet_upload"
    ),
    path("training/<int:pk>/printed-sheet/", training_printed_sheet, name="training_printed_sheet"),
    path("training/<int:pk>/feedback/", training_feedback, name="training_feedback"),
    path("training/<int:pk>/sign-in.pdf", training_signin_pdf, name="training_signin_pdf"),
    path("training-materials/<int:pk>/", training_material_download, name="training_material_download"),
]
