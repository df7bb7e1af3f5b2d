"""SLA policies and business calendars: the data `calendar.py` and `clocks.py` compute with."""

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.choices import Weekday
from aftersales.notifications.choices import ChannelKind
from aftersales.sla import calendar as business_time
from aftersales.sla.choices import Clock, ExceptionKind, ExceptionSource, Recipient

MINUTES_PER_DAY = 24 * 60


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value}) from error


class BusinessCalendar(models.Model):
    """When the clocks run: 7x24, or weekly working intervals plus China's holidays and make-up days."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=60, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    is_24x7 = models.BooleanField(
        _("7x24x365"), default=False, help_text=_("Clocks run every minute of every day, holidays included.")
    )
    observes_public_holidays = models.BooleanField(
        _("observes public holidays"),
        default=True,
        help_text=_("Public holidays are days off and make-up working days are worked (调休)."),
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def as_calendar(self, exceptions: list["CalendarException"] | None = None) -> business_time.Calendar:
        """The pure calendar; pass the exception rows to share one query between many calendars."""
        zone = zoneinfo.ZoneInfo(self.time_zone)
        if self.is_24x7:
            return business_time.Calendar.always(zone)
        week = [[] for _day in range(7)]
        for interval in self.intervals.all():
            week[interval.weekday].append(interval.minutes)
        week = tuple(tuple(sorted(day)) for day in week)
        if not self.observes_public_holidays:
            return business_time.Calendar(zone=zone, week=week)
        if exceptions is None:
            exceptions = list(CalendarException.objects.all())
        workday = next((day for day in week if day), ())
        overrides = {row.day: (() if row.kind == ExceptionKind.HOLIDAY else workday) for row in exceptions}
        return business_time.Calendar(zone=zone, week=week, exceptions=overrides)


class WorkingInterval(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        ordering = ["calendar", "weekday", "start"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def minutes(self) -> tuple[int, int]:
        end = self.end.hour * 60 + self.end.minute
        return self.start.hour * 60 + self.start.minute, end or MINUTES_PER_DAY

    def clean(self):
        if self.start is None or self.end is None:
            return
        start, end = self.minutes
        if start >= end:
            raise ValidationError({"end": _("The interval must end after it starts.")})
        siblings = WorkingInterval.objects.filter(calendar_id=self.calendar_id, weekday=self.weekday).exclude(
            pk=self.pk
        )
        if any(other_start < end and start < other_end for other_start, other_end in (s.minutes for s in siblings)):
            raise ValidationError(_("This interval overlaps another one on the same day."))


class CalendarException(models.Model):
    """A dated exception to the weekly pattern: a public holiday or a make-up working day (调休)."""

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ExceptionKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"), default=True, help_text=_("Unconfirmed dates are estimated before the official notice.")
    )
    source = models.CharField(
        _("source"), max_length=10, choices=ExceptionSource.choices, default=ExceptionSource.ADMIN
    )

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.get_kind_display()} {self.name}"


class EscalationLadder(models.Model):
    """Who is told, how, at which share of a target: e.g. 50% assignee, 100% duty manager, 150% manager."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("escalation ladder")
        verbose_name_plural = _("escalation ladders")
        ordering = ["name"]

    def __str__(self):
        return self.name


def validate_recipients(value) -> None:
    if not isinstance(value, list) or not value or not set(value) <= set(Recipient.values):
        raise ValidationError(_("Choose at least one recipient from the list."))


def validate_channels(value) -> None:
    if not isinstance(value, list) or not value or not set(value) <= set(ChannelKind.values):
        raise ValidationError(_("Choose at least one channel from the list."))


class LadderStep(models.Model):
    ladder = models.ForeignKey(
        EscalationLadder, verbose_name=_("ladder"), on_delete=models.CASCADE, related_name="steps"
    )
    percent = models.PositiveSmallIntegerField(
        _("share of the target (%)"), help_text=_("100 is the due time; 150 is half the target past it.")
    )
    recipients = models.JSONField(_("who is told"), default=list, validators=[validate_recipients])
    channels = models.JSONField(_("channels"), default=list, validators=[validate_channels])
    urgent = models.BooleanField(
        _("urgent"),
        default=True,
        help_text=_("Urgent notices go at once; others wait for quiet hours to end and are bundled."),
    )

    class Meta:
        verbose_name = _("ladder step")
        verbose_name_plural = _("ladder steps")
        ordering = ["ladder", "percent"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "percent"], name="ladder_step_unique_percent"),
            models.CheckConstraint(condition=models.Q(percent__gte=1), name="ladder_step_percent_positive"),
        ]

    def __str__(self):
        return f"{self.ladder} {self.percent}%"


class SlaPolicy(models.Model):
    """Targets per priority; a service level points at its policy, the default policy covers the rest."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Used by every target that names no calendar of its own."),
    )
    ladder = models.ForeignKey(
        EscalationLadder,
        verbose_name=_("escalation ladder"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Used by every target that names no ladder of its own."),
    )
    is_default = models.BooleanField(
        _("default policy"), default=False, help_text=_("Applies to tickets without a service level.")
    )
    for_complaints = models.BooleanField(
        _("for complaints"),
        default=False,
        help_text=_("Applies to every complaint, whatever the customer's service level."),
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="sla_policy_one_default"
            ),
            models.UniqueConstraint(
                fields=["for_complaints"],
                condition=models.Q(for_complaints=True),
                name="sla_policy_one_for_complaints",
            ),
        ]

    def __str__(self):
        return self.name


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(_("priority"), help_text=_("1 is the most urgent."))
    clock = models.CharField(_("clock"), max_length=20, choices=Clock.choices)
    minutes = models.PositiveIntegerField(_("target (minutes)"), help_text=_("Business minutes on its calendar."))
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ladder = models.ForeignKey(
        EscalationLadder,
        verbose_name=_("escalation ladder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["policy", "priority", "clock"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority", "clock"], name="sla_target_unique_clock"),
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=4), name="sla_target_priority_range"
            ),
            models.CheckConstraint(condition=models.Q(minutes__gte=1), name="sla_target_minutes_positive"),
        ]

    def __str__(self):
        return f"{self.policy} P{self.priority} {self.get_clock_display()} {self.minutes} min"

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)
