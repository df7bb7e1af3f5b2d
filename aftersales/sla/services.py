"""Writes to the SLA rules."""

from collections.abc import Iterable

from django.db import transaction

from aftersales.sla.choices import ExceptionSource
from aftersales.sla.holidays import HolidayException


@transaction.atomic
def holidays_sync(exceptions: Iterable[HolidayException], *, model=None) -> dict[str, int]:
    """Bring the seeded public holidays and make-up days up to date; an administrator's entry always wins.

    `model` lets a data migration pass its historical CalendarException.
    """
    if model is None:
        from aftersales.sla.models import CalendarException as model
    exceptions = list(exceptions)
    existing = {row.day: row for row in model.objects.all()}
    created = updated = kept = 0
    for exception in exceptions:
        row = existing.get(exception.day)
        fields = {"kind": exception.kind, "name": exception.name[:100], "confirmed": exception.confirmed}
        if row is None:
            model.objects.create(day=exception.day, source=ExceptionSource.SEED, **fields)
            created += 1
        elif row.source == ExceptionSource.ADMIN:
            kept += 1
        elif any(getattr(row, name) != value for name, value in fields.items()):
            model.objects.filter(pk=row.pk).update(**fields)
            updated += 1
    # A seeded date the package no longer lists for a year it covers (an estimate the notice corrected) goes.
    years, days = {exception.day.year for exception in exceptions}, {exception.day for exception in exceptions}
    stale = [
        row.pk
        for day, row in existing.items()
        if row.source == ExceptionSource.SEED and day.year in years and day not in days
    ]
    model.objects.filter(pk__in=stale).delete()
    return {"created": created, "updated": updated, "kept": kept, "removed": len(stale)}
