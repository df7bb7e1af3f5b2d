"""Keeping the holiday table in step with the holidays package; an administrator's entry always wins."""

import datetime as dt

import pytest
from django.core.management import call_command

from aftersales.sla.choices import ExceptionKind, ExceptionSource
from aftersales.sla.holidays import HolidayException, is_estimated
from aftersales.sla.models import CalendarException
from aftersales.sla.services import holidays_sync

pytestmark = pytest.mark.django_db

NATIONAL_DAY = dt.date(2030, 10, 1)


def seeded(day, kind=ExceptionKind.HOLIDAY, name="国庆节", confirmed=False):
    return HolidayException(day=day, kind=kind, name=name, confirmed=confirmed)


def test_the_migration_seeded_every_confirmed_year_and_two_estimated_ones():
    years = set(CalendarException.objects.dates("day", "year").values_list("day__year", flat=True))
    confirmed_years = {year for year in years if not is_estimated(year)}

    assert min(years) == 2001
    assert len(years - confirmed_years) == 2
    assert CalendarException.objects.get(day=dt.date(2026, 2, 14)).kind == ExceptionKind.WORKDAY
    assert not CalendarException.objects.filter(day__year=max(years), confirmed=True).exists()


def test_a_sync_adds_new_dates_corrects_changed_ones_and_drops_stale_estimates():
    holidays_sync([seeded(NATIONAL_DAY), seeded(NATIONAL_DAY + dt.timedelta(days=7))])

    counts = holidays_sync([seeded(NATIONAL_DAY, confirmed=True), seeded(NATIONAL_DAY + dt.timedelta(days=1))])

    assert counts == {"created": 1, "updated": 1, "kept": 0, "removed": 1}
    rows = CalendarException.objects.filter(day__year=2030).order_by("day")
    assert [(row.day.day, row.confirmed, row.source) for row in rows] == [
        (1, True, ExceptionSource.SEED),
        (2, False, ExceptionSource.SEED),
    ]


def test_an_administrators_entry_is_never_overwritten_or_removed_by_a_sync():
    CalendarException.objects.create(
        day=NATIONAL_DAY, kind=ExceptionKind.WORKDAY, name="公司安排上班", source=ExceptionSource.ADMIN
    )
    CalendarException.objects.create(day=dt.date(2030, 10, 9), kind=ExceptionKind.HOLIDAY, source=ExceptionSource.ADMIN)

    counts = holidays_sync([seeded(NATIONAL_DAY)])

    assert counts["kept"] == 1
    row = CalendarException.objects.get(day=NATIONAL_DAY)
    assert (row.kind, row.name) == (ExceptionKind.WORKDAY, "公司安排上班")
    assert CalendarException.objects.filter(day=dt.date(2030, 10, 9)).exists()


def test_the_command_dry_run_changes_nothing(capsys):
    CalendarException.objects.filter(day__year=2026).delete()

    call_command("sync_holidays", "--dry-run")

    assert "(dry run) created" in capsys.readouterr().out
    assert not CalendarException.objects.filter(day__year=2026).exists()
