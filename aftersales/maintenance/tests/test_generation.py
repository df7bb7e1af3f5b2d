"""Plans generate their inspections ahead of time, exactly one per period however often generation runs."""

import datetime as dt
import threading

import pytest
from django.db import connection

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.maintenance.models import Inspection
from aftersales.maintenance.recurrence import occurrences
from aftersales.maintenance.services.inspections import inspections_generate
from aftersales.maintenance.tasks import generate_inspections
from aftersales.maintenance.tests.factories import MaintenancePlanFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


def days(plan) -> list[dt.date]:
    return list(Inspection.objects.filter(plan=plan).order_by("scheduled_for").values_list("scheduled_for", flat=True))


def test_generation_creates_exactly_one_inspection_per_period_even_when_run_twice():
    monthly = MaintenancePlanFactory(day_of_month=15, lead_days=60)
    weekly = MaintenancePlanFactory(recurrence="weekly", weekday=0, day_of_month=None, lead_days=14)

    assert inspections_generate(today=TODAY) == 2 + 2
    assert inspections_generate(today=TODAY) == 0
    assert days(monthly) == [dt.date(2026, 3, 15), dt.date(2026, 4, 15)]
    assert days(weekly) == [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    # The next night only the period that came into reach is added.
    assert inspections_generate(today=TODAY + dt.timedelta(days=1)) == 1
    assert days(weekly) == [dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 16)]
    assert Inspection.objects.count() == 5


def test_the_engineer_is_the_plans_or_else_its_team_lead_and_inactive_or_ended_plans_stay_quiet():
    lead = UserFactory(role=Role.ENGINEER)
    by_team = MaintenancePlanFactory(engineer=None, team=TeamFactory(lead=lead))
    by_engineer = MaintenancePlanFactory()
    MaintenancePlanFactory(is_active=False)
    MaintenancePlanFactory(ends_on=dt.date(2026, 3, 10))
    MaintenancePlanFactory(starts_on=dt.date(2026, 5, 1))
    contract_ending = MaintenancePlanFactory(contract__end_date=dt.date(2026, 3, 14))

    assert inspections_generate(today=TODAY) == 2
    assert Inspection.objects.get(plan=by_team).engineer == lead
    assert Inspection.objects.get(plan=by_engineer).engineer == by_engineer.engineer
    assert Inspection.objects.get(plan=by_engineer).status == "planned"
    assert days(contract_ending) == []


def test_a_horizon_and_a_set_of_plans_for_a_years_worth():
    weekly = MaintenancePlanFactory(recurrence="weekly", weekday=4, day_of_month=None)  # 2026 has 52 Fridays
    other = MaintenancePlanFactory()
    count = inspections_generate(today=dt.date(2026, 1, 1), plans=[weekly], horizon=364)
    assert count == 52 and len(days(weekly)) == 52 and days(other) == []


def test_the_nightly_task_generates():
    MaintenancePlanFactory(starts_on=dt.date(2020, 1, 1), lead_days=40)
    assert generate_inspections.call() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_still_make_one_inspection_per_period():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one at a time; the race needs PostgreSQL")
    plans = [MaintenancePlanFactory(recurrence="weekly", weekday=n % 7, day_of_month=None) for n in range(20)]
    barrier = threading.Barrier(2)
    counts = []

    def worker():
        try:
            barrier.wait()
            counts.append(inspections_generate(today=TODAY, horizon=364))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Inspection.objects.filter(plan__in=plans).count()
    assert total == sum(counts) == sum(len(days(plan)) for plan in plans)
    assert total == sum(len(occurrences(plan, TODAY, TODAY + dt.timedelta(days=364))) for plan in plans) > 1000
    assert Inspection.objects.filter(plan__in=plans).values("plan", "scheduled_for").distinct().count() == total


def test_two_overlapping_calls_in_sequence_share_their_periods():
    plan = MaintenancePlanFactory(recurrence="weekly", weekday=0, day_of_month=None)
    first = inspections_generate(today=TODAY, horizon=20)
    second = inspections_generate(today=TODAY + dt.timedelta(days=10), horizon=20)
    assert (first, second) == (3, 2)
    assert days(plan) == [dt.date(2026, 3, n) for n in (2, 9, 16, 23, 30)]


def test_the_admin_form_asks_for_what_the_rule_needs_and_the_contracts_site():
    from aftersales.customers.tests.factories import SiteFactory
    from aftersales.maintenance.admin import MaintenancePlanForm

    plan = MaintenancePlanFactory()
    data = {
        "contract": plan.contract.pk,
        "site": SiteFactory().pk,  # another customer's
        "title": "季度巡检",
        "checklist": plan.checklist.pk,
        "recurrence": "monthly_weekday",
        "weekday": "0",
        "starts_on": "2026-01-01",
        "lead_days": "30",
        "is_active": "on",
    }
    form = MaintenancePlanForm(data)
    assert not form.is_valid()
    assert set(form.errors) == {"week_of_month", "site", "engineer"}
    data.update(site=plan.site.pk, week_of_month="-1", engineer=plan.engineer.pk)
    assert MaintenancePlanForm(data).is_valid()
