import pytest

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory, ProductFactory
from aftersales.customers.tests.factories import SiteFactory
from aftersales.tickets.tests.factories import TicketFactory


@pytest.fixture
def engineer(db):
    return UserFactory(role=Role.ENGINEER, first_name="工", last_name="王")


@pytest.fixture
def dispatcher(db):
    """Staff who see everything but neither work tickets nor supervise: they read, they do not write."""
    return UserFactory(role=Role.DISPATCHER)


@pytest.fixture
def customer_user(db):
    ticket_customer = SiteFactory().customer
    return UserFactory(role=Role.CUSTOMER, customer=ticket_customer)


@pytest.fixture
def solved_ticket(db):
    """A resolved ticket about two assets of one product and one of another."""
    site = SiteFactory()
    storage = ProductFactory(name="OceanStor 5500", model="V5")
    server = ProductFactory(name="FusionServer", model="2288H V5")
    ticket = TicketFactory(
        customer=site.customer,
        status="resolved",
        title="存储控制器离线",
        description="存储A控制器指示灯红色，业务中断。",
        root_cause="控制器固件缺陷导致死机。",
        resolution="升级控制器固件至 V500R007C60SPC300 并重启。",
        resolution_method="on_site",
    )
    ticket.assets.add(
        AssetFactory(site=site, product=storage),
        AssetFactory(site=site, product=storage),
        AssetFactory(site=site, product=server),
    )
    ticket.products = [storage, server]
    return ticket
