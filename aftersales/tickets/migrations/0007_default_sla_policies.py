"""Seed the SLA policies a new installation starts with (editable in the admin).

From the promises in the tender service plans: 7x24x365 support, a response within 30 minutes
(10 for silver, 5 for gold), an engineer on site within 2 hours, a fix within 4 hours and the
emergency plan when it is not fixed by then; an on-site engineer escalates after 1 hour.
"""

import datetime as dt

from django.db import migrations

BUSINESS_HOURS = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30))]
WORKING_DAY = 450  # minutes in the business-hours calendar's day

LADDERS = {
    "标准提醒": [
        (50, ["assignee"], ["in_app"], False),
        (80, ["assignee", "team_lead"], ["in_app", "sms"], True),
        (100, ["assignee", "team_lead", "duty_manager"], ["in_app", "sms", "email"], True),
        (150, ["manager", "duty_manager"], ["in_app", "sms", "email"], True),
    ],
    "应急预案": [(100, ["duty_manager", "expert_pool"], ["in_app", "sms", "email"], True)],
    "升级到三线": [(100, ["expert_pool", "team_lead"], ["in_app", "sms"], True)],
}

# priority: (response, arrival, resolution, escalation) in minutes; P3 and P4 count business hours.
STANDARD = {1: (30, 120, 240, 60), 2: (30, 240, 480, 120), 3: (120, None, 3 * WORKING_DAY, None),
            4: (240, None, 5 * WORKING_DAY, None)}
POLICIES = [
    ("标准服务", None, True, STANDARD),
    ("银牌服务", "silver", False, {**STANDARD, 1: (10, 120, 240, 60), 2: (10, 240, 480, 120)}),
    ("金牌服务", "gold", False, {**STANDARD, 1: (5, 120, 240, 60), 2: (5, 240, 480, 120), 3: (30, None, 3 * WORKING_DAY, None)}),
]
# Waiting for the customer stops the clocks that measure our work; waiting for a vendor or parts does not.
PAUSES = {"pending_customer": ["arrival", "resolution", "emergency_plan", "escalation"]}


def seed(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    WorkingInterval = apps.get_model("sla", "WorkingInterval")
    EscalationLadder = apps.get_model("sla", "EscalationLadder")
    LadderStep = apps.get_model("sla", "LadderStep")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    SlaPauseRule = apps.get_model("tickets", "SlaPauseRule")
    ServiceLevel = apps.get_model("contracts", "ServiceLevel")

    always = BusinessCalendar.objects.create(name="7x24x365", is_24x7=True)
    office = BusinessCalendar.objects.create(name="工作日 08:30–17:30")
    for weekday in range(5):
        for start, end in BUSINESS_HOURS:
            WorkingInterval.objects.create(calendar=office, weekday=weekday, start=start, end=end)
    ladders = {}
    for name, steps in LADDERS.items():
        ladders[name] = EscalationLadder.objects.create(name=name)
        for percent, recipients, channels, urgent in steps:
            LadderStep.objects.create(ladder=ladders[name], percent=percent, recipients=recipients,
                                      channels=channels, urgent=urgent)
    for name, level_code, is_default, targets in POLICIES:
        policy = SlaPolicy.objects.create(name=name, calendar=always, ladder=ladders["标准提醒"], is_default=is_default)
        for priority, (response, arrival, resolution, escalation) in targets.items():
            calendar = None if priority <= 2 else office
            rows = [("response", response, None), ("arrival", arrival, None), ("resolution", resolution, None),
                    ("emergency_plan", resolution if priority <= 2 else None, ladders["应急预案"]),
                    ("escalation", escalation, ladders["升级到三线"])]
            for clock, minutes, ladder in rows:
                if minutes:
                    SlaTarget.objects.create(policy=policy, priority=priority, clock=clock, minutes=minutes,
                                             calendar=calendar, ladder=ladder)
        for status, clocks in PAUSES.items():
            for clock in clocks:
                SlaPauseRule.objects.create(policy=policy, status=status, clock=clock)
        if level_code:
            ServiceLevel.objects.filter(code=level_code).update(sla_policy=policy)
    ServiceLevel.objects.filter(code="standard").update(
        sla_policy=SlaPolicy.objects.get(is_default=True))


def unseed(apps, schema_editor):
    apps.get_model("contracts", "ServiceLevel").objects.update(sla_policy=None)
    apps.get_model("tickets", "SlaPauseRule").objects.all().delete()
    apps.get_model("sla", "SlaPolicy").objects.all().delete()
    apps.get_model("sla", "EscalationLadder").objects.all().delete()
    apps.get_model("sla", "BusinessCalendar").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_sla_clocks_and_escalations"),
        ("sla", "0001_initial"),
        ("contracts", "0002_service_level_sla_policy"),
        ("tickets", "0002_default_priority_matrix"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
