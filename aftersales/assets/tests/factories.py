"""Test factories."""

import factory

from aftersales.assets.models import Asset, Product, Vendor
from aftersales.customers.tests.factories import SiteFactory


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ["name"]

    name = "Huawei"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"服务器{n}")
    model = "2288H V5"
    category = "hardware"


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    site = factory.SubFactory(SiteFactory)
    customer = factory.SelfAttribute("site.customer")
    product = factory.SubFactory(ProductFactory)
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
