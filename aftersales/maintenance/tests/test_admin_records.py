"""The admin shows weekly plans, reports and training read-only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.maintenance.models import TrainingSession, WeeklyPlan, WeeklyReport

pytestmark = pytest.mark.django_db


def test_weekly_plans_reports_and_training_open_read_only_in_the_admin(client):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    engineer, customer = UserFactory(role=Role.ENGINEER), CustomerFactory()
    monday = dt.date(2026, 11, 30)
    plan = WeeklyPlan.objects.create(
        customer=customer, engineer=engineer, week_start=monday, content="巡检", customer_lead="周主任"
    )
    report = WeeklyReport.objects.create(customer=customer, engineer=engineer, week_start=monday, work_done="更换硬盘")
    now = timezone.now()
    session = TrainingSession.objects.create(
        customer=customer,
        topic="存储日常维护",
        starts_at=now,
        ends_at=now + dt.timedelta(hours=2),
        place="三楼会议室",
        created_by=admin,
    )
    client.force_login(admin)
    for model, obj in (("weeklyplan", plan), ("weeklyreport", report), ("trainingsession", session)):
        assert client.get(reverse(f"admin:maintenance_{model}_changelist")).status_code == 200
        page = client.get(reverse(f"admin:maintenance_{model}_change", args=[obj.pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
