"""Test factories for spare parts."""

import factory

from aftersales.assets.tests.factories import VendorFactory
from aftersales.parts.models import Part, Stock, Warehouse


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Part

    vendor = factory.SubFactory(VendorFactory)
    part_number = factory.Sequence(lambda n: f"02310{n:04d}")
    description = "硬盘 1.2TB SAS"
    unit_cost = "1800.00"


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    name = factory.Sequence(lambda n: f"杭州备件库{n}")
    city = "杭州市"
    address = "滨江区网商路1号"


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stock

    warehouse = factory.SubFactory(WarehouseFactory)
    part = factory.SubFactory(PartFactory)
    on_hand = 5
