"""Test factories for preventive maintenance."""

import datetime as dt

import factory

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import SiteFactory
from aftersales.maintenance.models import ChecklistItem, ChecklistTemplate, Inspection, MaintenancePlan


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate

    name = factory.Sequence(lambda n: f"机房月度巡检{n}")


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    template = factory.SubFactory(ChecklistTemplateFactory)
    position = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"检查项{n}")
    kind = "pass_fail"


class MaintenancePlanFactory(factory.django.DjangoModelFactory):
    """A monthly plan on the 15th for a site of the contract's customer, done by an engineer."""

    class Meta:
        model = MaintenancePlan

    contract = factory.SubFactory(ContractFactory)
    site = factory.SubFactory(SiteFactory, customer=factory.SelfAttribute("..contract.customer"))
    title = factory.Sequence(lambda n: f"数据中心月度巡检{n}")
    checklist = factory.SubFactory(ChecklistTemplateFactory)
    recurrence = "monthly_day"
    day_of_month = 15
    engineer = factory.SubFactory(UserFactory, role=Role.ENGINEER)
    starts_on = dt.date(2026, 1, 1)
    lead_days = 30


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    plan = factory.SubFactory(MaintenancePlanFactory)
    scheduled_for = dt.date(2026, 3, 15)
    engineer = factory.SelfAttribute("plan.engineer")
