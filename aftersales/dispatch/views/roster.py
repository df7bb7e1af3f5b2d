"""Staff pages about people: the printable engineers' roster (维修人员名单) and the week's duty roster (值班表)."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.db.models import Prefetch, QuerySet
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import EngineerProfile, Region, Team
from aftersales.accounts.selectors import on_duty, roster_week
from aftersales.assets.models import Vendor
from aftersales.core.time import local_date
from aftersales.dispatch.models import Certification
from aftersales.tickets.views.sla_board import staff_page

EXPIRY_WARNING_DAYS = 60
# Weeks outside these years are typing mistakes; they also keep the date arithmetic away from year 1 and 9999.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class EngineerRosterFilter(forms.Form):
    team = forms.ModelChoiceField(Team.objects.all(), required=False, label=_("Team"), empty_label=_("All"))
    region = forms.ModelChoiceField(Region.objects.all(), required=False, label=_("Region"), empty_label=_("All"))
    vendor = forms.ModelChoiceField(
        Vendor.objects.filter(pk__in=Certification.objects.values("vendor_id")),
        required=False,
        label=_("Certified by vendor"),
        empty_label=_("All"),
    )


@dataclass(frozen=True)
class CertificationRow:
    certification: Certification
    expired: bool
    expiring: bool  # still valid, but not for more than EXPIRY_WARNING_DAYS


def roster_engineers(
    *, user, team: Team | None = None, region: Region | None = None, vendor: Vendor | None = None
) -> QuerySet[EngineerProfile]:
    """Active engineers with their skills and certifications (only `vendor`'s when given): three queries."""
    certifications = Certification.objects.visible_to(user).select_related("vendor")
    profiles = EngineerProfile.objects.filter(user__is_active=True)
    if not user.is_staff_member:
        profiles = profiles.none()
    if team:
        profiles = profiles.filter(team=team)
    if region:
        profiles = profiles.filter(region=region)
    if vendor:
        certifications = certifications.filter(vendor=vendor)
        profiles = profiles.filter(user__in=certifications.values("engineer_id"))
    return profiles.select_related("user", "team", "region").prefetch_related(
        "skills",
        Prefetch(
            "user__certifications",
            queryset=certifications.order_by("vendor__name", "name", "valid_until"),
            to_attr="roster_certifications",
        ),
    )


def certification_rows(profile: EngineerProfile, today: dt.date) -> list[CertificationRow]:
    warn_until = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    return [
        CertificationRow(item, expired=item.valid_until < today, expiring=today <= item.valid_until <= warn_until)
        for item in profile.user.roster_certifications
    ]


@staff_page
def engineer_roster(request):
    chosen = EngineerRosterFilter(request.GET)
    filters = chosen.cleaned_data if chosen.is_valid() else {}
    today = local_date()
    profiles = roster_engineers(user=request.user, **{name: value for name, value in filters.items() if value})
    rows = [(profile, certification_rows(profile, today)) for profile in profiles]
    context = {
        "form": chosen,
        "rows": rows,
        "filtered": any(filters.values()),
        "vendor": filters.get("vendor"),
        "today": today,
        "warning_days": EXPIRY_WARNING_DAYS,
    }
    return render(request, "dispatch/engineer_roster.html", context)


class DutyRosterQuery(forms.Form):
    team = forms.ModelChoiceField(
        Team.objects.all(), required=False, label=_("Team"), empty_label=_("Whole organisation")
    )
    week = forms.DateField(
        required=False,
        label=_("Week of"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def clean_week(self):
        week = self.cleaned_data["week"]
        if week and not FIRST_YEAR <= week.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Choose a week between %(first)s and %(last)s."), params={"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return week


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@staff_page
def duty_roster(request):
    query = DutyRosterQuery(request.GET)
    query.is_valid()  # a bad value falls back to its default, and the form says what was wrong
    team = query.cleaned_data.get("team")
    week_start = monday_of(query.cleaned_data.get("week") or local_date())
    team_id = team.pk if team else None
    now = timezone.now()
    context = {
        "query": query,
        "team": team,
        "roster": roster_week(team_id, week_start),
        "now": now,
        "on_duty": on_duty(now, team_id),
        "this_week": monday_of(local_date()),
    }
    return render(request, "dispatch/duty_roster.html", context)


urlpatterns = [
    path("engineers/", engineer_roster, name="engineer_roster"),
    path("duty-roster/", duty_roster, name="duty_roster"),
]
