"""Seed the service levels and the priority matrices a new installation starts with (editable in the admin)."""

from django.db import migrations

LEVELS = [("gold", "金牌", 3), ("silver", "银牌", 2), ("standard", "标准", 1)]


def default_priority(urgency: int, impact: int) -> int:
    # 1 = high. High urgency and high impact is P1; low and low is P4.
    return min(4, urgency + impact - 1)


def seed(apps, schema_editor):
    ServiceLevel = apps.get_model("contracts", "ServiceLevel")
    PriorityRule = apps.get_model("tickets", "PriorityRule")
    levels = {code: ServiceLevel.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})[0]
              for code, name, rank in LEVELS}
    for urgency in (1, 2, 3):
        for impact in (1, 2, 3):
            base = default_priority(urgency, impact)
            PriorityRule.objects.get_or_create(service_level=None, urgency=urgency, impact=impact,
                                               defaults={"priority": base})
            # Gold customers are one step more urgent than the default matrix.
            PriorityRule.objects.get_or_create(service_level=levels["gold"], urgency=urgency, impact=impact,
                                               defaults={"priority": max(1, base - 1)})


def unseed(apps, schema_editor):
    apps.get_model("tickets", "PriorityRule").objects.all().delete()
    apps.get_model("contracts", "ServiceLevel").objects.filter(code__in=[c for c, _n, _r in LEVELS]).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("contracts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
