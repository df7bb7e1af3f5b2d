"""Service reports: the list (staff: every customer, with a form to generate one; customers: their own released
reports), a report's page with its charts, the staff's actions (edit, release, send, generate again), the PDF and
Excel downloads, and the page behind an emailed link (no login: the link is the permission)."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from aftersales.accounts.roles import VIEW_INTERNAL
from aftersales.core.errors import DomainError, InvalidTransition, NotFound
from aftersales.core.views import add_domain_error, flash_domain_error
from aftersales.reports import services
from aftersales.reports.forms_service_reports import ListFilter, RecommendationsForm, RequestForm
from aftersales.reports.models import ServiceReport, ServiceReportRecipient
from aftersales.reports.service_report.presentation import present
from aftersales.reports.service_report.recommendations import AVAILABILITY_EXPECTED, COMPLIANCE_EXPECTED

PAGE_SIZE = 30
FILES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _visible(request, pk: int) -> ServiceReport:
    reports = ServiceReport.objects.visible_to(request.user).select_related("customer", "contract")
    return get_object_or_404(reports, pk=pk)


def _staff(request) -> None:
    if not request.user.has_perm(VIEW_INTERNAL):
        raise Http404


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def service_report_list(request):
    staff = request.user.has_perm(VIEW_INTERNAL)
    form = RequestForm(request.POST or None, user=request.user) if staff else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                report = services.service_report_request(
                    actor=request.user,
                    contract=form.cleaned_data["contract"],
                    period_kind=form.period.kind,
                    period_start=form.period.start,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The report is being generated; this page shows it when it is ready."))
                return redirect(report)
    filters = ListFilter(request.GET, user=request.user)
    reports = ServiceReport.objects.visible_to(request.user).select_related("customer", "contract")
    reports = filters.apply(reports.defer("figures", "recommendations", "recipients"))
    page = Paginator(reports.order_by("-period_start", "customer__name", "contract__number", "-version"), PAGE_SIZE)
    context = {"page": page.get_page(request.GET.get("page")), "filters": filters, "form": form, "staff": staff}
    return render(request, "reports/service_report_list.html", context, status=400 if form and form.errors else 200)


def _charts(shown: dict) -> dict:
    systems = shown["availability"]["systems"]
    return {
        "kinds": {
            "kind": "bar",
            "categories": [row["label"] for row in shown["tickets"]["by_kind"]],
            "series": [{"name": _("Requests"), "data": [row["count"] for row in shown["tickets"]["by_kind"]]}],
        },
        "compliance": {
            "kind": "bar",
            "categories": [row["clock_label"] for row in shown["sla"]["by_clock"]],
            "series": [{"name": _("Met"), "data": [row["percent"] for row in shown["sla"]["by_clock"]]}],
            "unit": "%",
            "min": 0,
            "max": 100,
            "decimals": 1,
        },
        "availability": {
            "kind": "bar",
            "categories": [system["label"] for system in systems],
            "series": [{"name": _("Availability (%)"), "data": [system["availability"] for system in systems]}],
            "unit": "%",
            # From just below the worst system, so that 99.2 % and 99.9 % do not both look full.
            "min": max(0, math.floor(min((system["availability"] for system in systems), default=100)) - 1),
            "max": 100,
            "decimals": 3,
        },
    }


@login_required
@require_safe
def service_report_detail(request, pk: int):
    report = _visible(request, pk)
    shown = present(report.figures)
    staff = request.user.has_perm(VIEW_INTERNAL)
    versions = ServiceReport.objects.visible_to(request.user).filter(
        contract_id=report.contract_id, period_kind=report.period_kind, period_start=report.period_start
    )
    context = {
        "report": report,
        "figures": shown,
        "charts": _charts(shown) if shown else {},
        "versions": versions.order_by("-version").only("pk", "version", "status", "generated_at"),
        "staff": staff,
        "can_manage": staff and services.may_manage(request.user),
        "compliance_expected": COMPLIANCE_EXPECTED,
        "availability_expected": AVAILABILITY_EXPECTED,
    }
    if staff:
        context["deliveries"] = list(report.deliveries.order_by("name"))
        context["events"] = list(report.events.select_related("actor").order_by("at", "id"))
        context["edit_form"] = RecommendationsForm(initial={"recommendations": report.recommendations})
    return render(request, "reports/service_report_detail.html", context)


def _act(request, pk: int, service, success: str):
    """A staff action on a report; a refusal is flashed, and either way the report's page is shown again."""
    _staff(request)
    report = _visible(request, pk)
    try:
        report = service(report) or report
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect("service_report_detail", pk=pk)
    messages.success(request, success)
    return redirect(report)


@login_required
@require_POST
def service_report_edit(request, pk: int):
    form = RecommendationsForm(request.POST)
    if not form.is_valid():
        _staff(request)
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("service_report_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda report: services.service_report_edit(actor=request.user, report=report, **form.cleaned_data),
        _("The recommendations are saved and the PDF is rendered again."),
    )


@login_required
@require_POST
def service_report_finalise(request, pk: int):
    return _act(
        request,
        pk,
        lambda report: services.service_report_finalise(actor=request.user, report=report),
        _("The report is released: the customer can read it in the portal, and it no longer changes."),
    )


@login_required
@require_POST
def service_report_send(request, pk: int):
    return _act(
        request,
        pk,
        lambda report: services.service_report_send(actor=request.user, report=report),
        _("The report is sent to the customer's contacts, each with a download link."),
    )


@login_required
@require_POST
def service_report_regenerate(request, pk: int):
    return _act(
        request,
        pk,
        lambda report: services.service_report_regenerate(actor=request.user, report=report),
        _("A new version is being generated; the previous one stays as it was."),
    )


def _file(report: ServiceReport, kind: str) -> FileResponse:
    stored = getattr(report, kind, None) if kind in FILES else None
    if not stored:
        raise Http404
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=report.file_name(kind), content_type=FILES[kind]
    )


@login_required
@require_safe
def service_report_file(request, pk: int, kind: str):
    return _file(_visible(request, pk), kind)


@require_safe
def service_report_link(request, token: str):
    """The page an emailed link opens: the report's name and its two files. No login: the link is the key."""
    delivery = (
        ServiceReportRecipient.objects.select_related("report__customer", "report__contract")
        .filter(token_hash=services.token_hash(token))
        .first()
    )
    if delivery is None:
        return render(request, "reports/service_report_link.html", {"reason": "unknown"}, status=404)
    context = {"delivery": delivery, "token": token, "expired": delivery.expires_at <= timezone.now()}
    return render(request, "reports/service_report_link.html", context, status=410 if context["expired"] else 200)


@require_safe
def service_report_link_file(request, token: str, kind: str):
    if kind not in FILES:
        raise Http404
    try:
        report = services.report_link_open(token)
    except NotFound:
        return render(request, "reports/service_report_link.html", {"reason": "unknown"}, status=404)
    except InvalidTransition as error:
        return render(request, "reports/service_report_link.html", {"reason": str(error.message)}, status=410)
    return _file(report, kind)


urlpatterns = [
    path("reports/service/", service_report_list, name="service_report_list"),
    path("reports/service/<int:pk>/", service_report_detail, name="service_report_detail"),
    path("reports/service/<int:pk>/edit/", service_report_edit, name="service_report_edit"),
    path("reports/service/<int:pk>/release/", service_report_finalise, name="service_report_finalise"),
    path("reports/service/<int:pk>/send/", service_report_send, name="service_report_send"),
    path("reports/service/<int:pk>/regenerate/", service_report_regenerate, name="service_report_regenerate"),
    path("reports/service/<int:pk>/pdf/", service_report_file, {"kind": "pdf"}, name="service_report_pdf"),
    path("reports/service/<int:pk>/xlsx/", service_report_file, {"kind": "xlsx"}, name="service_report_xlsx"),
    path("reports/link/<str:token>/", service_report_link, name="service_report_link"),
    path("reports/link/<str:token>/pdf/", service_report_link_file, {"kind": "pdf"}, name="service_report_link_pdf"),
    path("reports/link/<str:token>/xlsx/", service_report_link_file, {"kind": "xlsx"}, name="service_report_link_xlsx"),
]
