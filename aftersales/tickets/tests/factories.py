"""Test factories."""

import factory
from django.utils import timezone

from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.tickets.models import Ticket


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket row as it would be after intake; use services to move it through its lifecycle."""

    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"SR20260101{n:04d}")
    channel = "phone"
    kind = "general_fault"
    priority = 3
    customer = factory.SubFactory(CustomerFactory)
    contact_name = "张三"
    contact_phone = "+8613800138000"
    title = "服务器无法开机"
    description = "机房一台服务器电源指示灯不亮。"
    created_by = factory.SubFactory(UserFactory)
    entitlement = "warranty"
    entitlement_facts = factory.LazyFunction(lambda: {"reason": "contract_in_force", "contract": "HT-TEST"})
    received_at = factory.LazyFunction(timezone.now)
