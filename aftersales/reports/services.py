"""Writes on service reports: request a version, generate it (figures, PDF, Excel), edit the recommendations,
release it, send it with a download link per recipient, open a link; and the schedule's periodic sweep.

A version moves pending → draft → final → sent, and never back: once released its figures and files stay as
they were, and generating again makes a new version. Every step writes a `ServiceReportEvent`.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.accounts.models import User
from aftersales.contracts.choices import ContractStatus
from aftersales.contracts.models import Contract
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.models import Contact
from aftersales.notifications.choices import ChannelKind
from aftersales.notifications.services import Message, enqueue, render, user_messages
from aftersales.reports.choices import REPORT_PERIOD_KINDS, PeriodKind, ReportEventKind, ReportStatus
from aftersales.reports.models import ServiceReport, ServiceReportEvent, ServiceReportRecipient, ServiceReportSchedule
from aftersales.reports.periods import Period, period_starting, previous_period
from aftersales.reports.service_report.figures import compute_figures
from aftersales.reports.service_report.recommendations import draft_recommendations

# A generation that started this long ago and never finished (the worker died) may be claimed again.
GENERATION_TIMEOUT = dt.timedelta(hours=1)
# A pending version not picked up by a worker this long after it was requested is queued again by the sweep.
PICK_UP_WAIT = dt.timedelta(minutes=15)
MAX_RECOMMENDATIONS = 10_000


def may_manage(user) -> bool:
    """Generating, editing, releasing and sending reports: supervisors (agents, quality, managers, admins)."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(roles.SUPERVISE))


def _require_manager(actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied()


def record_event(*, report: ServiceReport, kind: str, actor=None, data: dict | None = None, at=None) -> None:
    ServiceReportEvent.objects.create(report=report, kind=kind, actor=actor, at=at or timezone.now(), data=data or {})


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def report_language() -> str:
    """The language of what the customer receives (recommendations, email): the installation's, Chinese."""
    return settings.LANGUAGE_CODE


# Requesting and generating -------------------------------------------------------------------------------------


@transaction.atomic
def service_report_request(
    *, actor, contract: Contract, period_kind: str, period_start: dt.date, automatic: bool = False
) -> ServiceReport:
    """Queue a new version of the contract's report for the period (the first one, or the next after the last)."""
    if not automatic:
        _require_manager(actor)
    try:
        if period_kind not in REPORT_PERIOD_KINDS:
            raise ValueError(period_kind)
        period = period_starting(period_kind, period_start)
    except ValueError:
        raise ValidationFailed(
            detail={"period_start": [_("Choose the first day of a month, quarter or year.")]}
        ) from None
    if period.start > timezone.localdate():
        raise ValidationFailed(detail={"period_start": [_("A report cannot be made for a period not yet begun.")]})
    Contract.objects.select_for_update().filter(pk=contract.pk).first()  # one numbering of versions at a time
    last = ServiceReport.objects.filter(contract=contract, period_kind=period.kind, period_start=period.start)
    version = (last.aggregate(last=Max("version"))["last"] or 0) + 1
    report = ServiceReport.objects.create(
        customer_id=contract.customer_id,
        contract=contract,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        version=version,
        automatic=automatic,
        requested_by=None if automatic else actor,
    )
    record_event(report=report, kind=ReportEventKind.REQUESTED, actor=None if automatic else actor)
    queue_generation(report.pk)
    return report


def queue_generation(report_id: int) -> None:
    """Generate in the background once the request is committed."""
    from aftersales.reports.tasks import generate_service_report  # the task module imports this one

    transaction.on_commit(lambda: generate_service_report.enqueue(report_id), robust=True)


def _claim(report_id: int, now: dt.datetime) -> bool:
    """Take the pending version for this worker; False when it is done or another worker has it in hand."""
    stale = now - GENERATION_TIMEOUT
    return bool(
        ServiceReport.objects.filter(pk=report_id, status=ReportStatus.PENDING)
        .filter(Q(generation_started_at__isnull=True) | Q(generation_started_at__lt=stale))
        .update(generation_started_at=now)
    )


def service_report_generate(*, report_id: int, now: dt.datetime | None = None) -> ServiceReport | None:
    """Compute the figures and draft, render the PDF and the Excel file, and store them (the task's work).

    Returns None when the version is no longer pending or another worker is generating it. A scheduled
    version whose contract sends without review is released and sent at once.
    """
    from aftersales.reports import pdf, xlsx

    now = now or timezone.now()
    if not _claim(report_id, now):
        return None
    report = ServiceReport.objects.select_related("customer", "contract__service_level").get(pk=report_id)
    report.figures = compute_figures(customer=report.customer, contract=report.contract, period=report.period, now=now)
    report.generated_at = now
    with translation.override(report_language()):
        report.recommendations = draft_recommendations(report.figures)
        pdf_content, xlsx_content = pdf.render(report), xlsx.service_report_workbook(report, now=now)
    with transaction.atomic():
        locked = ServiceReport.objects.select_for_update().get(pk=report_id)
        if locked.status != ReportStatus.PENDING or locked.generation_started_at != now:
            return None  # taken over by another worker after the timeout
        locked.figures, locked.recommendations, locked.generated_at = report.figures, report.recommendations, now
        _store(locked, "pdf", pdf_content)
        _store(locked, "xlsx", xlsx_content)
        locked.status = ReportStatus.DRAFT
        locked.save(update_fields=["figures", "recommendations", "generated_at", "pdf", "xlsx", "status", "updated_at"])
        record_event(report=locked, kind=ReportEventKind.GENERATED, at=now, data={"version": locked.version})
        if locked.automatic:
            schedule = ServiceReportSchedule.objects.filter(contract_id=locked.contract_id).first()
            if schedule is None or schedule.send_automatically:
                _finalise(locked, actor=None)
                _send(locked, actor=None, required=False)
            else:
                _tell_managers_to_review(locked)
    return locked


def _store(report: ServiceReport, field: str, content: bytes) -> None:
    current = getattr(report, field)
    if current:
        current.delete(save=False)  # a draft's file replaced: the new one gets the plain name
    current.save(report.file_name(field), ContentFile(content), save=False)


def _tell_managers_to_review(report: ServiceReport) -> None:
    url = settings.AFTERSALES_BASE_URL + reverse("service_report_detail", args=[report.pk])
    context = {"customer": report.customer.name, "contract": report.contract.number, "period": report.period.label}
    messages = []
    for manager in User.objects.filter(role=roles.Role.MANAGER, is_active=True).order_by("pk"):
        messages += user_messages(
            user=manager,
            key=f"service_report:{report.pk}:review:user:{manager.pk}",
            template="service_report_review",
            context=context,
            url=url,
            channels=(ChannelKind.IN_APP,),
            urgent=False,
        )
    enqueue(messages)


# Editing, releasing, regenerating ------------------------------------------------------------------------------


def _locked(report: ServiceReport) -> ServiceReport:
    return ServiceReport.objects.select_for_update().select_related("customer", "contract").get(pk=report.pk)


def service_report_edit(*, actor, report: ServiceReport, recommendations: str) -> ServiceReport:
    """Rewrite a draft's common problems and recommendations; the draft PDF is rendered again with them."""
    _require_manager(actor)
    text = (recommendations or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed(detail={"recommendations": [_("Write at least one recommendation.")]})
    if len(text) > MAX_RECOMMENDATIONS:
        raise ValidationFailed(detail={"recommendations": [_("The recommendations are too long.")]})
    with transaction.atomic():
        report = _locked(report)
        if not report.is_editable:
            raise InvalidTransition(_("Only a draft can be edited; generate a new version instead."))
        if report.recommendations == text:
            return report
        report.recommendations = text
        report.save(update_fields=["recommendations", "updated_at"])
        record_event(report=report, kind=ReportEventKind.EDITED, actor=actor, data={"length": len(text)})
    return _rerender(report)


def _rerender(report: ServiceReport) -> ServiceReport:
    """Render the PDF outside the transaction; store it only if the text did not change meanwhile."""
    from aftersales.reports import pdf

    content = pdf.render(report)
    with transaction.atomic():
        locked = _locked(report)
        if locked.recommendations == report.recommendations and locked.status == report.status:
            _store(locked, "pdf", content)
            locked.save(update_fields=["pdf", "updated_at"])
    return locked


def service_report_finalise(*, actor, report: ServiceReport) -> ServiceReport:
    """Release a draft to the customer: from now on it is read in the portal and never changes."""
    _require_manager(actor)
    with transaction.atomic():
        report = _locked(report)
        if report.status != ReportStatus.DRAFT:
            raise InvalidTransition(_("Only a draft can be released."))
        _finalise(report, actor=actor)
    return report


def _finalise(report: ServiceReport, *, actor) -> None:
    report.status, report.finalised_at, report.finalised_by = ReportStatus.FINAL, timezone.now(), actor
    report.save(update_fields=["status", "finalised_at", "finalised_by", "updated_at"])
    record_event(report=report, kind=ReportEventKind.FINALISED, actor=actor)


@transaction.atomic
def service_report_regenerate(*, actor, report: ServiceReport) -> ServiceReport:
    """A new version of the same contract and period, computed afresh (the old one stays as it was)."""
    return service_report_request(
        actor=actor, contract=report.contract, period_kind=report.period_kind, period_start=report.period_start
    )


# Sending and downloading --------------------------------------------------------------------------------------


def recipients_for(report: ServiceReport) -> list[Contact]:
    """The schedule's recipients, or every contact of the customer with an email address."""
    schedule = ServiceReportSchedule.objects.filter(contract_id=report.contract_id).first()
    contacts = schedule.recipients.all() if schedule is not None and schedule.recipients.exists() else None
    if contacts is None:
        contacts = Contact.objects.filter(customer_id=report.customer_id)
    return list(contacts.filter(customer_id=report.customer_id).exclude(email="").order_by("name", "pk"))


def service_report_send(*, actor, report: ServiceReport) -> ServiceReport:
    """Email the released report to its recipients, each with their own download link (once per address)."""
    _require_manager(actor)
    with transaction.atomic():
        report = _locked(report)
        if report.status not in (ReportStatus.FINAL, ReportStatus.SENT):
            raise InvalidTransition(_("Release the report before sending it."))
        _send(report, actor=actor, required=True)
    return report


def _send(report: ServiceReport, *, actor, required: bool) -> int:
    """Queue the emails; a scheduled report whose customer has no address stays released, unsent."""
    contacts = recipients_for(report)
    if not contacts and not required:
        return 0
    if not contacts:
        raise ValidationFailed(
            detail={"recipients": [_("The customer has no contact with an email address to send the report to.")]}
        )
    now = timezone.now()
    already = set(report.deliveries.values_list("email", flat=True))
    lifetime = dt.timedelta(days=getattr(settings, "AFTERSALES_REPORT_LINK_DAYS", 60))
    language = report_language()
    context = {
        "customer": report.customer.name,
        "contract": report.contract.number,
        "period": report.period.chinese_label if language.startswith("zh") else report.period.label,
        "days": lifetime.days,
    }
    messages, sent_to = [], []
    for contact in contacts:
        email = contact.email.lower()
        if email in already:
            continue
        already.add(email)
        token = secrets.token_urlsafe(32)
        ServiceReportRecipient.objects.create(
            report=report,
            contact=contact,
            name=contact.name,
            email=email,
            token_hash=token_hash(token),
            sent_at=now,
            expires_at=now + lifetime,
        )
        subject, body = render("service_report_sent", language, {**context, "name": contact.name})
        messages.append(
            Message(
                key=f"service_report:{report.pk}:recipient:{email}",
                channel=ChannelKind.EMAIL,
                recipient=email,
                user_id=None,
                subject=subject,
                body=body,
                url=settings.AFTERSALES_BASE_URL + reverse("service_report_link", args=[token]),
                urgent=False,
            )
        )
        sent_to.append({"name": contact.name, "email": email})
    enqueue(messages)
    report.recipients = [*report.recipients, *sent_to]
    fields = ["recipients", "updated_at"]
    if report.status != ReportStatus.SENT:
        report.status, report.sent_at, fields = ReportStatus.SENT, now, [*fields, "status", "sent_at"]
    report.save(update_fields=fields)
    record_event(report=report, kind=ReportEventKind.SENT, actor=actor, at=now, data={"recipients": sent_to})
    return len(sent_to)


@transaction.atomic
def report_link_open(token: str) -> ServiceReport:
    """The report an emailed link gives; NotFound for an unknown token, InvalidTransition once expired."""
    delivery = (
        ServiceReportRecipient.objects.select_for_update()
        .select_related("report")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if delivery is None:
        raise NotFound(_("This link is not valid."))
    now = timezone.now()
    if delivery.expires_at <= now:
        raise InvalidTransition(_("This link has expired. Read the report in the customer portal instead."))
    delivery.downloads += 1
    delivery.last_downloaded_at = now
    delivery.save(update_fields=["downloads", "last_downloaded_at"])
    record_event(report=delivery.report, kind=ReportEventKind.DOWNLOADED, at=now, data={"recipient": delivery.pk})
    return delivery.report


# The schedule -------------------------------------------------------------------------------------------------


def contracts_to_report(period: Period) -> list[tuple[Contract, list[str]]]:
    """Active contracts in force for part of `period`, with the period kinds their schedule wants."""
    contracts = (
        Contract.objects.filter(status=ContractStatus.ACTIVE, start_date__lte=period.end, end_date__gte=period.start)
        .select_related("report_schedule")
        .order_by("pk")
    )
    result = []
    for contract in contracts:
        schedule = getattr(contract, "report_schedule", None)
        result.append((contract, schedule.kinds if schedule is not None else [PeriodKind.MONTH]))
    return result


def service_reports_schedule(*, today: dt.date | None = None, now: dt.datetime | None = None) -> list[int]:
    """Request the last whole period's report of every scheduled contract that has none yet; returns their ids.

    Run daily: on the first day of a month (quarter, year) it finds the period just ended, on the other days
    nothing new. Each (contract, kind, period) gets version 1 once, however often this runs (the unique
    constraint settles a race between two schedulers). Versions left pending by a dead worker are queued again.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    created = []
    for kind in REPORT_PERIOD_KINDS:
        period = previous_period(kind, today)
        for contract, kinds in contracts_to_report(period):
            if kind not in kinds:
                continue
            exists = ServiceReport.objects.filter(contract=contract, period_kind=kind, period_start=period.start)
            if exists.exists():
                continue
            created.append(_request_once(contract, period))
    _requeue_stuck(now, exclude=set(created))
    return [pk for pk in created if pk is not None]


def _request_once(contract: Contract, period: Period) -> int | None:
    """Version 1 of the period's report, unless a concurrent scheduler created it first."""
    try:
        with transaction.atomic():
            report = ServiceReport.objects.create(
                customer_id=contract.customer_id,
                contract=contract,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                version=1,
                automatic=True,
            )
            record_event(report=report, kind=ReportEventKind.REQUESTED, data={"scheduled": True})
            queue_generation(report.pk)
    except IntegrityError:
        return None
    return report.pk


def _requeue_stuck(now: dt.datetime, *, exclude: set) -> None:
    stuck = (
        ServiceReport.objects.filter(status=ReportStatus.PENDING)
        .filter(
            Q(generation_started_at__isnull=True, created_at__lt=now - PICK_UP_WAIT)
            | Q(generation_started_at__lt=now - GENERATION_TIMEOUT)
        )
        .exclude(pk__in=exclude)
        .values_list("pk", flat=True)
    )
    for report_id in stuck:
        with transaction.atomic():
            queue_generation(report_id)
