"""The supply promise for discontinued products: what the installed base needs, what covers it, and the daily
alert when stock falls short (on a fixture installed base)."""

import datetime as dt
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory, ProductFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import SiteFactory
from aftersales.notifications.models import NotificationPreference, Outbox
from aftersales.parts.choices import MovementKind
from aftersales.parts.services.stock import stock_move
from aftersales.parts.supply import spares_needed, supply_alert, supply_ends, supply_positions, supply_report
from aftersales.parts.tests.factories import PartFactory, StockFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 11, 9, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()


def in_force(customer, **kwargs):
    return ContractFactory(customer=customer, start_date=dt.date(2025, 1, 1), end_date=dt.date(2027, 12, 31), **kwargs)


@pytest.fixture
def base():
    """Storage arrays discontinued in 2018 (promised until 2028), 30 + 20 of them under two contracts in force,
    10 under an expired one and 5 under none; a switch discontinued in 2015 (promised until 2025: over)."""
    array = ProductFactory(name="OceanStor 5500 V3", end_of_sale=dt.date(2018, 6, 30))
    switch = ProductFactory(name="S5700", end_of_sale=dt.date(2015, 3, 1))
    on_sale = ProductFactory(name="OceanStor Dorado")
    site_a, site_b, site_c = SiteFactory(), SiteFactory(), SiteFactory()
    contract_a, contract_b = in_force(site_a.customer, number="HT-A"), in_force(site_b.customer, number="HT-B")
    expired = ContractFactory(
        customer=site_c.customer, number="HT-C", start_date=dt.date(2020, 1, 1), end_date=dt.date(2024, 12, 31)
    )
    AssetFactory.create_batch(30, site=site_a, customer=site_a.customer, product=array, contract=contract_a)
    AssetFactory.create_batch(20, site=site_b, customer=site_b.customer, product=array, contract=contract_b)
    AssetFactory.create_batch(10, site=site_c, customer=site_c.customer, product=array, contract=expired)
    AssetFactory.create_batch(5, site=site_c, customer=site_c.customer, product=array, contract=None)
    AssetFactory.create_batch(7, site=site_a, customer=site_a.customer, product=switch, contract=contract_a)
    AssetFactory.create_batch(9, site=site_a, customer=site_a.customer, product=on_sale, contract=contract_a)
    disk = PartFactory(part_number="02350SNK", description="硬盘 1.2TB SAS", spares_per_hundred=Decimal("5"))
    controller = PartFactory(part_number="03057176", description="控制器", spares_per_hundred=Decimal("2"))
    fan = PartFactory(part_number="02120581", description="风扇", spares_per_hundred=Decimal("10"))
    disk.compatible_products.set([array, on_sale])
    controller.compatible_products.set([array])
    fan.compatible_products.set([switch])
    central, closed = WarehouseFactory(name="中心库"), WarehouseFactory(name="旧库", is_active=False)
    StockFactory(part=disk, warehouse=central, on_hand=2)
    StockFactory(part=disk, warehouse=closed, on_hand=4)  # a closed warehouse covers nobody
    StockFactory(part=controller, warehouse=central, on_hand=1)
    return SimpleNamespace(array=array, switch=switch, disk=disk, controller=controller, fan=fan, central=central)


@pytest.fixture
def recipients():
    keeper = UserFactory(role=Role.PARTS_KEEPER, email="keeper@example.com")
    manager = UserFactory(role=Role.MANAGER, email="")  # no email address: in-app only
    UserFactory(role=Role.PARTS_KEEPER, is_active=False, email="gone@example.com")
    UserFactory(role=Role.ENGINEER, email="engineer@example.com")
    return keeper, manager


def test_the_supply_window_and_the_spares_needed():
    product = SimpleNamespace(end_of_sale=dt.date(2016, 2, 29), supply_years_after_end_of_sale=10)
    assert supply_ends(product) == dt.date(2026, 2, 28)
    assert supply_ends(SimpleNamespace(end_of_sale=None, supply_years_after_end_of_sale=10)) is None
    assert supply_ends(SimpleNamespace(end_of_sale=dt.date(9000, 1, 1), supply_years_after_end_of_sale=2000)) == (
        dt.date.max
    )
    assert [spares_needed(n, Decimal("2")) for n in (0, 1, 50, 51, 100)] == [0, 1, 1, 2, 2]


def test_the_pure_core_counts_a_part_once_for_every_product_it_fits():
    def product(pk, end_of_sale, parts):
        return SimpleNamespace(
            pk=pk,
            end_of_sale=end_of_sale,
            supply_years_after_end_of_sale=10,
            spare_parts=SimpleNamespace(all=lambda: parts),
        )

    shared = SimpleNamespace(pk=1, spares_per_hundred=Decimal("3"))
    own = SimpleNamespace(pk=2, spares_per_hundred=Decimal("1"))
    old = product(10, dt.date(2016, 6, 1), [shared, own])
    newer = product(11, dt.date(2020, 1, 1), [shared])
    over = product(12, dt.date(2010, 1, 1), [shared])  # promised until 2020
    rows = supply_positions([newer, old, over], {10: 40, 11: 60, 12: 500}, {1: 2}, dt.date(2026, 1, 1))
    assert [row.product.pk for row in rows] == [10, 11]  # soonest end first; the ended promise is left out
    shared_position, own_position = rows[0].parts
    assert (shared_position.installed, shared_position.needed, shared_position.on_hand) == (100, 3, 2)
    assert shared_position.short and shared_position.shortfall == 1
    assert (own_position.installed, own_position.needed, own_position.on_hand, own_position.short) == (40, 1, 0, True)
    assert rows[1].parts == (shared_position,)


def test_the_report_on_the_fixture_installed_base(base, django_assert_num_queries):
    with django_assert_num_queries(4):
        rows = supply_report(TODAY)
    assert [row.product for row in rows] == [base.array]  # the switch's promise ended in 2025
    row = rows[0]
    assert row.supply_ends == dt.date(2028, 6, 30)
    assert row.installed == 50  # neither the expired contract nor the uncovered units count
    assert [(c.number, c.assets) for c in row.contracts] == [("HT-A", 30), ("HT-B", 20)]
    positions = {position.part.part_number: position for position in row.parts}
    disk, controller = positions["02350SNK"], positions["03057176"]
    assert (disk.installed, disk.needed, disk.on_hand, disk.shortfall) == (50, 3, 2, 1)  # ceil(50 × 5 / 100)
    assert (controller.installed, controller.needed, controller.on_hand, controller.short) == (50, 1, 1, False)
    assert row.short


def test_the_alert_tells_keepers_and_managers_once_a_day(base, recipients):
    keeper, manager = recipients

    # one short part (the disk): keeper in-app and by email, the manager in-app only
    assert supply_alert(now=NOW) == 3
    assert supply_alert(now=NOW + dt.timedelta(hours=3)) == 0  # run again the same day: nothing new
    keys = set(Outbox.objects.values_list("key", flat=True))
    day = TODAY.isoformat()
    assert keys == {
        f"supply:{base.disk.pk}:{day}:{keeper.pk}:in_app",
        f"supply:{base.disk.pk}:{day}:{keeper.pk}:email",
        f"supply:{base.disk.pk}:{day}:{manager.pk}:in_app",
    }
    assert Outbox.objects.get(channel="email").recipient == "keeper@example.com"
    assert Outbox.objects.get(user=manager).url == reverse("supply_promise")

    # the next day it is said again
    assert supply_alert(now=NOW + dt.timedelta(days=1)) == 3
    assert Outbox.objects.count() == 6


def test_the_alert_reads_the_numbers_in_the_users_language(base, recipients):
    keeper, _ = recipients
    NotificationPreference.objects.create(user=keeper, language="en")
    supply_alert(now=NOW)
    message = Outbox.objects.get(user=keeper, channel="in_app")
    assert message.subject == "Spare parts short for a discontinued product: 02350SNK"
    assert message.body == (
        "02350SNK 硬盘 1.2TB SAS is promised to 50 units in service "
        f"({base.array}). They need 3 in stock, but only 2 are on hand: 1 short. Please order more."
    )


def test_no_alert_once_stock_covers_the_base(base, recipients):
    stock_move(actor=recipients[0], kind=MovementKind.RECEIVE, part=base.disk, warehouse=base.central, quantity=1)
    assert supply_alert(now=NOW) == 0
    assert not Outbox.objects.exists()


def test_no_alert_after_the_promise_ends(base, recipients):
    after = dt.datetime(2028, 7, 1, 9, 0, tzinfo=SHANGHAI)  # the array's promise ran until 2028-06-30
    assert supply_report(after.date()) == []
    assert supply_alert(now=after) == 0
    assert not Outbox.objects.exists()
