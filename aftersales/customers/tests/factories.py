"""Test factories."""

import factory

from aftersales.customers.models import Contact, Customer, Site


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"cust{n}")
    name = factory.Sequence(lambda n: f"测试用户单位{n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"机房{n}")
    province = "浙江省"
    city = "杭州市"
    district = "西湖区"
    address = "文三路100号"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = "+8613800138000"
