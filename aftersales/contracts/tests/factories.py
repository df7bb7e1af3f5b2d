"""Test factories."""

import datetime as dt

import factory
from django.utils import timezone

from aftersales.contracts.models import Contract, ServiceLevel, WarrantyTerm
from aftersales.customers.tests.factories import CustomerFactory


class ServiceLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLevel
        django_get_or_create = ["code"]

    code = "gold"
    name = "金牌"
    rank = 3


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"HT-2026-{n:04d}")
    name = "运维服务合同"
    customer = factory.SubFactory(CustomerFactory)
    service_level = factory.SubFactory(ServiceLevelFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))


class WarrantyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarrantyTerm

    contract = factory.SubFactory(ContractFactory)
    asset_class = "hardware"
    years = 3
