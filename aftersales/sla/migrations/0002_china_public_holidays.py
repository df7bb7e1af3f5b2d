"""Seed China's public holidays and make-up working days: the years the holidays package confirms, and two estimated."""

from django.db import migrations

from aftersales.sla.holidays import china_exceptions, seeded_years
from aftersales.sla.services import holidays_sync


def seed(apps, schema_editor):
    holidays_sync(china_exceptions(seeded_years()), model=apps.get_model("sla", "CalendarException"))


def unseed(apps, schema_editor):
    apps.get_model("sla", "CalendarException").objects.filter(source="seed").delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
