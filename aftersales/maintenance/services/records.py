"""The resident engineer's paperwork: the weekly plan signed with the customer's lead, the weekly report to
headquarters drafted from the work log, and training sessions with their sign-in (on a phone or on paper)."""

import datetime as dt
import mimetypes

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from aftersales.accounts import roles
from aftersales.accounts.models import User
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.core.time import local_zone
from aftersales.dispatch.models import WorkLogEntry
from aftersales.dispatch.services.signing import signature_image
from aftersales.maintenance.choices import DocumentStatus, InspectionStatus, Outcome, SignedVia
from aftersales.maintenance.models import (
    Inspection,
    InspectionResult,
    TrainingAttendee,
    TrainingMaterial,
    TrainingSession,
    WeeklyPlan,
    WeeklyPlanSignature,
    WeeklyReport,
)
from aftersales.notifications.choices import ChannelKind
from aftersales.notifications.services import enqueue, user_messages
from aftersales.tickets.models import Ticket
from aftersales.tickets.services.conversation import ALLOWED_ATTACHMENT_TYPES

ENGINEER, CUSTOMER = "engineer", "customer"
PRINTED_SHEET_TYPES = {"application/pdf", "image/jpeg", "image/png"}


# Shared checks ----------------------------------------------------------------------------------------------


def may_write_for(user, engineer) -> bool:
    """The resident engineer writes their own plans and reports; dispatchers and managers anybody's."""
    return (user.pk == getattr(engineer, "pk", None) and user.has_perm(roles.WORK)) or user.has_perm(roles.DISPATCH)


def may_run_training(user) -> bool:
    return any(user.has_perm(permission) for permission in (roles.WORK, roles.DISPATCH, roles.SUPERVISE))


def week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00 in the installation's zone (Beijing)."""
    zone = local_zone()
    start = dt.datetime.combine(week_start, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min, tzinfo=zone)


def _check_monday(week_start) -> None:
    if not isinstance(week_start, dt.date) or week_start.weekday() != 0:
        raise ValidationFailed(detail={"week_start": [_("A week starts on a Monday: choose a Monday.")]})


def _check_engineer(engineer) -> None:
    if engineer is None or not engineer.is_active or not engineer.has_perm(roles.WORK):
        raise ValidationFailed(detail={"engineer": [_("Choose an active engineer who can work on tickets.")]})


def _required_text(field: str, value, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(detail={field: [_("This field is required.")]})
    if max_length and len(text) > max_length:
        raise ValidationFailed(detail={field: [_("Write at most %(limit)s characters.") % {"limit": max_length}]})
    return text


def check_upload(upload, allowed_types=ALLOWED_ATTACHMENT_TYPES) -> str:
    """The same limits as ticket attachments: size from the settings, type by name; returns the type."""
    if upload is None:
        raise ValidationFailed(detail={"file": [_("Choose a file.")]})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed(detail={"file": [_("The file is larger than %(limit)s MB.") % {"limit": limit_mb}]})
    content_type = mimetypes.guess_type(upload.name)[0] or ""
    if content_type not in allowed_types:
        raise ValidationFailed(detail={"file": [_("This type of file is not accepted.")]})
    return content_type


# The weekly plan --------------------------------------------------------------------------------------------


@transaction.atomic
def weekly_plan_save(
    *, actor, customer, engineer, week_start, content, customer_lead, site=None, plan: WeeklyPlan | None = None
) -> WeeklyPlan:
    """Create the week's plan, or edit it while nobody has signed it. A plan's customer and engineer stay."""
    if plan is not None:
        plan = WeeklyPlan.objects.select_for_update().get(pk=plan.pk)
        customer, engineer = plan.customer, plan.engineer
    if not may_write_for(actor, engineer):
        raise PermissionDenied()
    if plan is not None and (plan.status != DocumentStatus.DRAFT or plan.signatures.exists()):
        raise InvalidTransition(_("The plan is signed and can no longer change."))
    _check_monday(week_start)
    _check_engineer(engineer)
    if site is not None and site.customer_id != customer.pk:
        raise ValidationFailed(detail={"site": [_("The site belongs to another customer.")]})
    values = {
        "week_start": week_start,
        "content": _required_text("content", content),
        "customer_lead": _required_text("customer_lead", customer_lead, 100),
        "site": site,
    }
    duplicate = WeeklyPlan.objects.filter(customer=customer, engineer=engineer, week_start=week_start)
    if plan is not None:
        duplicate = duplicate.exclude(pk=plan.pk)
    if duplicate.exists():
        raise ValidationFailed(detail={"week_start": [_("This engineer already has a plan for that week.")]})
    if plan is None:
        try:
            with transaction.atomic():
                return WeeklyPlan.objects.create(customer=customer, engineer=engineer, **values)
        except IntegrityError:  # written meanwhile by somebody else
            raise ValidationFailed(
                detail={"week_start": [_("This engineer already has a plan for that week.")]}
            ) from None
    for field, value in values.items():
        setattr(plan, field, value)
    plan.save(update_fields=[*values, "updated_at"])
    return plan


def may_collect_plan_signature(user, plan: WeeklyPlan) -> bool:
    return (plan.engineer_id == user.pk and user.has_perm(roles.WORK)) or user.has_perm(roles.DISPATCH)


@transaction.atomic
def weekly_plan_sign(*, actor, plan: WeeklyPlan, role: str, signer_name: str, signature: str) -> WeeklyPlanSignature:
    """The engineer signs first, then the customer's lead on the same phone; both signatures lock the plan."""
    plan = WeeklyPlan.objects.select_for_update().get(pk=plan.pk)
    if role == ENGINEER and plan.engineer_id != actor.pk:
        raise PermissionDenied(_("Only the plan's engineer signs as the engineer."))
    if not may_collect_plan_signature(actor, plan):
        raise PermissionDenied()
    if plan.status != DocumentStatus.DRAFT:
        raise InvalidTransition(_("The plan is signed and can no longer change."))
    if role not in (ENGINEER, CUSTOMER):
        raise ValidationFailed(detail={"role": [_("Choose who signs.")]})
    signer_name = _required_text("signer_name", signer_name, 100)
    image = signature_image(signature)
    signed_roles = set(plan.signatures.values_list("role", flat=True))
    if role in signed_roles:
        raise InvalidTransition(_("This signature is already on the plan."))
    if role == CUSTOMER and ENGINEER not in signed_roles:
        raise InvalidTransition(_("The engineer signs the plan before the customer."))
    signed = WeeklyPlanSignature.objects.create(
        plan=plan, role=role, signer_name=signer_name, signed_at=timezone.now(), image_png=image, user=actor
    )
    if role == CUSTOMER:
        plan.status = DocumentStatus.SIGNED
        plan.save(update_fields=["status", "updated_at"])
    return signed


# The weekly report ------------------------------------------------------------------------------------------


def _local(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment, local_zone()), "Y-m-d H:i")


def _work_done(engineer, customer, start, end) -> str:
    entries = (
        WorkLogEntry.objects.filter(author=engineer, work_order__customer=customer, at__gte=start, at__lt=end)
        .select_related("work_order")
        .order_by("at", "id")
    )
    lines = [
        _("%(when)s %(number)s: %(text)s (%(hours)s h)")
        % {"when": _local(entry.at), "number": entry.work_order.number, "text": entry.text, "hours": entry.hours}
        for entry in entries
    ]
    inspections = (
        Inspection.objects.filter(
            engineer=engineer,
            status=InspectionStatus.DONE,
            plan__contract__customer=customer,
            completed_at__gte=start,
            completed_at__lt=end,
        )
        .select_related("plan")
        .order_by("completed_at", "id")
    )
    lines += [
        _("%(when)s inspection %(plan)s: %(summary)s")
        % {"when": _local(inspection.completed_at), "plan": inspection.plan.title, "summary": inspection.summary}
        for inspection in inspections
    ]
    return "\n".join(line.rstrip(": ：") for line in lines)


def _problems(engineer, customer, start, end) -> str:
    failed = (
        InspectionResult.objects.filter(
            outcome=Outcome.FAIL,
            inspection__engineer=engineer,
            inspection__plan__contract__customer=customer,
            recorded_at__gte=start,
            recorded_at__lt=end,
        )
        .select_related("item", "inspection__plan")
        .order_by("recorded_at", "id")
    )
    lines = [
        _("Inspection %(plan)s, %(item)s failed: %(remark)s")
        % {"plan": result.inspection.plan.title, "item": result.item.label, "remark": result.text}
        for result in failed
    ]
    tickets = Ticket.objects.filter(customer=customer, received_at__gte=start, received_at__lt=end).order_by(
        "received_at", "id"
    )
    lines += [
        _("Ticket %(number)s opened: %(title)s") % {"number": ticket.number, "title": ticket.title}
        for ticket in tickets
    ]
    return "\n".join(line.rstrip(": ：") for line in lines)


def _next_week(engineer, customer, week_start: dt.date) -> str:
    following = week_start + dt.timedelta(days=7)
    plan = WeeklyPlan.objects.filter(customer=customer, engineer=engineer, week_start=following).first()
    lines = [plan.content.strip()] if plan else []
    planned = (
        Inspection.objects.filter(
            engineer=engineer,
            status=InspectionStatus.PLANNED,
            plan__contract__customer=customer,
            scheduled_for__gte=following,
            scheduled_for__lt=following + dt.timedelta(days=7),
        )
        .select_related("plan")
        .order_by("scheduled_for", "id")
    )
    lines += [
        _("%(day)s inspection %(plan)s") % {"day": inspection.scheduled_for.isoformat(), "plan": inspection.plan.title}
        for inspection in planned
    ]
    return "\n".join(lines)


@transaction.atomic
def weekly_report_draft(*, actor, engineer, customer, week_start, regenerate: bool = False) -> WeeklyReport:
    """The week's report drafted from the engineer's work log, inspections, findings and tickets.

    Asked again it returns the draft as edited; `regenerate` writes the generated texts over the edits."""
    if not may_write_for(actor, engineer):
        raise PermissionDenied()
    _check_monday(week_start)
    _check_engineer(engineer)
    report = (
        WeeklyReport.objects.select_for_update()
        .filter(customer=customer, engineer=engineer, week_start=week_start)
        .first()
    )
    if report is not None and (not regenerate or report.status != DocumentStatus.DRAFT):
        if regenerate:
            raise InvalidTransition(_("The report is sent and can no longer change."))
        return report
    start, end = week_bounds(week_start)
    texts = {
        "work_done": _work_done(engineer, customer, start, end),
        "problems": _problems(engineer, customer, start, end),
        "next_week": _next_week(engineer, customer, week_start),
    }
    if report is None:
        try:
            with transaction.atomic():
                return WeeklyReport.objects.create(customer=customer, engineer=engineer, week_start=week_start, **texts)
        except IntegrityError:  # drafted meanwhile: that draft wins
            return WeeklyReport.objects.get(customer=customer, engineer=engineer, week_start=week_start)
    for field, value in texts.items():
        setattr(report, field, value)
    report.save(update_fields=[*texts, "updated_at"])
    return report


def _locked_draft(actor, report: WeeklyReport) -> WeeklyReport:
    report = WeeklyReport.objects.select_for_update().select_related("engineer", "customer").get(pk=report.pk)
    if not may_write_for(actor, report.engineer):
        raise PermissionDenied()
    if report.status != DocumentStatus.DRAFT:
        raise InvalidTransition(_("The report is sent and can no longer change."))
    return report


@transaction.atomic
def weekly_report_update(*, actor, report: WeeklyReport, work_done: str, problems: str, next_week: str) -> WeeklyReport:
    report = _locked_draft(actor, report)
    report.work_done, report.problems, report.next_week = work_done.strip(), problems.strip(), next_week.strip()
    if not report.work_done:
        raise ValidationFailed(detail={"work_done": [_("Say what was done this week.")]})
    report.save(update_fields=["work_done", "problems", "next_week", "updated_at"])
    return report


@transaction.atomic
def weekly_report_send(*, actor, report: WeeklyReport) -> WeeklyReport:
    """Send the report to headquarters: the managers are told in the app; from then on it is read-only."""
    report = _locked_draft(actor, report)
    if not report.work_done.strip():
        raise ValidationFailed(detail={"work_done": [_("Say what was done this week.")]})
    report.status, report.sent_at = DocumentStatus.SENT, timezone.now()
    report.save(update_fields=["status", "sent_at", "updated_at"])
    context = {
        "engineer": str(report.engineer),
        "customer": report.customer.name,
        "week_start": report.week_start.isoformat(),
    }
    url = settings.AFTERSALES_BASE_URL + reverse("weekly_report_detail", args=[report.pk])
    messages = []
    for manager in User.objects.filter(role=roles.Role.MANAGER, is_active=True).order_by("pk"):
        messages += user_messages(
            user=manager,
            key=f"weekly_report:{report.pk}:sent:user:{manager.pk}",
            template="weekly_report_sent",
            context=context,
            url=url,
            channels=(ChannelKind.IN_APP,),
            urgent=False,
        )
    enqueue(messages)
    return report


# Training ---------------------------------------------------------------------------------------------------


def _session_values(*, topic, trainer, trainer_name, starts_at, ends_at, place) -> dict:
    errors = {}
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime) or ends_at <= starts_at:
        errors["ends_at"] = [_("The training ends after it starts.")]
    trainer_name = (trainer_name or "").strip()
    if trainer is not None and (not trainer.is_active or not trainer.is_staff_member):
        errors["trainer"] = [_("Choose an active member of staff as the trainer.")]
    if trainer is None and not trainer_name:
        errors["trainer_name"] = [_("Choose the trainer or write their name.")]
    if errors:
        raise ValidationFailed(detail=errors)
    return {
        "topic": _required_text("topic", topic, 200),
        "trainer": trainer,
        "trainer_name": trainer_name[:100],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": _required_text("place", place, 200),
    }


@transaction.atomic
def training_create(
    *, actor, customer, topic, starts_at, ends_at, place, trainer=None, trainer_name=""
) -> TrainingSession:
    if not may_run_training(actor):
        raise PermissionDenied()
    values = _session_values(
        topic=topic, trainer=trainer, trainer_name=trainer_name, starts_at=starts_at, ends_at=ends_at, place=place
    )
    return TrainingSession.objects.create(customer=customer, created_by=actor, **values)


def _locked_session(actor, session: TrainingSession) -> TrainingSession:
    if not may_run_training(actor):
        raise PermissionDenied()
    return TrainingSession.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def training_update(
    *, actor, session: TrainingSession, topic, starts_at, ends_at, place, trainer=None, trainer_name=""
) -> TrainingSession:
    session = _locked_session(actor, session)
    values = _session_values(
        topic=topic, trainer=trainer, trainer_name=trainer_name, starts_at=starts_at, ends_at=ends_at, place=place
    )
    for field, value in values.items():
        setattr(session, field, value)
    session.save(update_fields=[*values, "updated_at"])
    return session


@transaction.atomic
def training_material_add(*, actor, session: TrainingSession, upload) -> TrainingMaterial:
    session = _locked_session(actor, session)
    check_upload(upload)
    material = TrainingMaterial(session=session, name=upload.name[:200], size=upload.size, uploaded_by=actor)
    material.file.save(upload.name, upload, save=False)
    material.save()
    return material


@transaction.atomic
def training_attendee_add(*, actor, session: TrainingSession, name: str, department="", phone="") -> TrainingAttendee:
    session = _locked_session(actor, session)
    return TrainingAttendee.objects.create(
        session=session,
        name=_required_text("name", name, 100),
        department=(department or "").strip()[:100],
        phone=(phone or "").strip()[:50],
    )


@transaction.atomic
def training_sign_in(*, actor, attendee: TrainingAttendee, signature: str, via: str = SignedVia.PHONE):
    """An attendee signs in on the trainer's (or engineer's) phone; each signs once."""
    if not may_run_training(actor):
        raise PermissionDenied()
    attendee = TrainingAttendee.objects.select_for_update().get(pk=attendee.pk)
    if via != SignedVia.PHONE:
        raise ValidationFailed(detail={"via": [_("Paper sign-ins come with the uploaded sheet.")]})
    image = signature_image(signature)
    if attendee.signed_at is not None:
        raise InvalidTransition(_("This attendee has signed in already."))
    attendee.signed_at, attendee.signed_via, attendee.signature_png = timezone.now(), via, image
    attendee.save(update_fields=["signed_at", "signed_via", "signature_png"])
    return attendee


@transaction.atomic
def training_trainer_sign(*, actor, session: TrainingSession, signature: str) -> TrainingSession:
    session = _locked_session(actor, session)
    if session.trainer_id is not None and session.trainer_id != actor.pk and not actor.has_perm(roles.DISPATCH):
        raise PermissionDenied(_("Only the trainer signs as the trainer."))
    image = signature_image(signature)
    if session.trainer_signed_at is not None:
        raise InvalidTransition(_("The trainer has signed already."))
    session.trainer_signed_at, session.trainer_signature_png = timezone.now(), image
    session.save(update_fields=["trainer_signed_at", "trainer_signature_png", "updated_at"])
    return session


@transaction.atomic
def training_upload_printed_sheet(*, actor, session: TrainingSession, upload, attendees) -> TrainingSession:
    """The paper sheet, signed and scanned (PDF, JPEG or PNG): the attendees named sign in as on paper."""
    session = _locked_session(actor, session)
    check_upload(upload, PRINTED_SHEET_TYPES)
    attendee_ids = [attendee.pk for attendee in attendees]
    if TrainingAttendee.objects.filter(pk__in=attendee_ids).exclude(session=session).exists():
        raise ValidationFailed(detail={"attendees": [_("Choose attendees of this training.")]})
    previous = session.printed_sheet.name
    session.printed_sheet.save(upload.name, upload, save=False)
    if previous:
        # Only once the new sheet is committed: a rollback must leave the old sheet and its file in place.
        storage = session.printed_sheet.storage
        transaction.on_commit(lambda: storage.delete(previous), robust=True)
    session.save(update_fields=["printed_sheet", "updated_at"])
    TrainingAttendee.objects.filter(session=session, pk__in=attendee_ids, signed_at__isnull=True).update(
        signed_at=timezone.now(), signed_via=SignedVia.PRINTED
    )
    return session


@transaction.atomic
def training_feedback(*, actor, session: TrainingSession, feedback: str) -> TrainingSession:
    session = _locked_session(actor, session)
    session.feedback = _required_text("feedback", feedback)
    session.save(update_fields=["feedback", "updated_at"])
    return session
