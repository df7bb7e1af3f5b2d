"""The stock pages: the list with its filters and a fixed number of queries, a part's page and its movement forms,
the supply promise page; staff only, and a refusal changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory, ProductFactory, VendorFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import SiteFactory
from aftersales.parts.models import Part, Stock, StockMovement
from aftersales.parts.tests.factories import PartFactory, StockFactory, WarehouseFactory
from aftersales.tickets.views.queue import PAGE_SIZE

pytestmark = pytest.mark.django_db

# session, user, Django's two permission lookups, the page of stock, the unread bell, and the two filter selects
# (each counted, then read)
LIST_QUERIES = 10


@pytest.fixture
def keeper(client):
    user = UserFactory(role=Role.PARTS_KEEPER)
    client.force_login(user)
    return user


def rows(response):
    return [(row.warehouse.name, row.part.part_number) for row in response.context["page"]["rows"]]


def stock_of(part, warehouse):
    row = Stock.objects.get(part=part, warehouse=warehouse)
    return row.on_hand, row.allocated


def test_the_list_filters_and_highlights_what_to_reorder(client, keeper):
    huawei, ibm = VendorFactory(name="华为"), VendorFactory(name="IBM")
    central, van = WarehouseFactory(name="A 中心库"), WarehouseFactory(name="B 王工的车", kind="van")
    disk = PartFactory(vendor=huawei, part_number="02350SNK", description="硬盘 1.2TB SAS")
    fan = PartFactory(vendor=ibm, part_number="00Y7781", description="风扇模块")
    StockFactory(warehouse=central, part=disk, on_hand=10, allocated=0, reorder_point=5)
    StockFactory(warehouse=central, part=fan, on_hand=6, allocated=3, reorder_point=4)  # 3 available < 4
    StockFactory(warehouse=van, part=disk, on_hand=1, allocated=0, reorder_point=0)  # no reorder point set

    everything = client.get(reverse("stock_list"))
    assert everything.status_code == 200
    assert rows(everything) == [("A 中心库", "00Y7781"), ("A 中心库", "02350SNK"), ("B 王工的车", "02350SNK")]
    assert [row.is_below for row in everything.context["page"]["rows"]] == [True, False, False]
    assert everything.content.decode().count('data-below="true"') == 1

    def listed(query):
        return rows(client.get(reverse("stock_list"), query))

    assert listed({"below": "on"}) == [("A 中心库", "00Y7781")]
    assert listed({"warehouse": van.pk}) == [("B 王工的车", "02350SNK")]
    assert listed({"vendor": ibm.pk}) == [("A 中心库", "00Y7781")]
    assert listed({"q": "硬盘"}) == [("A 中心库", "02350SNK"), ("B 王工的车", "02350SNK")]
    assert listed({"q": "00y77"}) == [("A 中心库", "00Y7781")]
    # garbage filters are ignored, and the page says so
    garbage = client.get(reverse("stock_list"), {"warehouse": "9" * 30, "vendor": "x", "page": "-3"})
    assert garbage.status_code == 200 and len(rows(garbage)) == 3
    assert 'data-testid="filter-invalid"' in garbage.content.decode()


def test_the_list_reads_a_fixed_number_of_queries_and_pages(client, keeper, django_assert_num_queries):
    warehouse = WarehouseFactory()
    for count in (1, 5):
        for _ in range(count):
            StockFactory(warehouse=warehouse)
        with django_assert_num_queries(LIST_QUERIES):
            client.get(reverse("stock_list"))
    with django_assert_num_queries(LIST_QUERIES + 1):  # the chosen warehouse is looked up
        client.get(reverse("stock_list"), {"below": "on", "q": "硬盘", "warehouse": warehouse.pk})


def test_the_list_has_pages_without_counting(client, keeper):
    warehouse = WarehouseFactory()
    parts = PartFactory.create_batch(PAGE_SIZE + 1)
    Stock.objects.bulk_create(Stock(warehouse=warehouse, part=part, on_hand=1) for part in parts)

    first = client.get(reverse("stock_list"), {"warehouse": warehouse.pk})
    assert len(first.context["page"]["rows"]) == PAGE_SIZE and first.context["page"]["has_next"]
    assert f"warehouse={warehouse.pk}&amp;page=2" in first.content.decode()
    second = client.get(reverse("stock_list"), {"warehouse": warehouse.pk, "page": 2})
    assert len(second.context["page"]["rows"]) == 1 and not second.context["page"]["has_next"]


def test_customers_do_not_see_the_stock_pages(client):
    part = StockFactory().part
    customer = UserFactory(role=Role.CUSTOMER, customer=SiteFactory().customer)
    client.force_login(customer)
    for url in (reverse("stock_list"), reverse("part_detail", args=[part.pk]), reverse("supply_promise")):
        assert client.get(url).status_code == 404
    move = {"kind": "receive", "warehouse": part.stock.get().warehouse_id, "quantity": 1}
    assert client.post(reverse("stock_move_view", args=[part.pk]), move).status_code == 404
    assert not StockMovement.objects.exists()


def test_the_part_page_shows_stock_products_and_movements(client, keeper, django_assert_max_num_queries):
    product = ProductFactory(name="OceanStor 5500 V3", end_of_sale=dt.date(2018, 6, 30))
    stock = StockFactory(on_hand=4, allocated=1)
    stock.part.compatible_products.set([product])
    url = reverse("part_detail", args=[stock.part.pk])
    client.post(
        reverse("stock_move_view", args=[stock.part.pk]),
        {"kind": "receive", "warehouse": stock.warehouse_id, "quantity": 2},
    )

    with django_assert_max_num_queries(12):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "OceanStor 5500 V3" in html and "2018-06-30" in html
    assert [(row.warehouse, row.on_hand, row.allocated) for row in page.context["stock"]] == [(stock.warehouse, 6, 1)]
    assert [movement.kind for movement in page.context["movements"]] == ["receive"]
    assert set(page.context["move_forms"]) == {"receive", "transfer", "scrap", "return"}
    assert client.get(reverse("part_detail", args=[987_654_321])).status_code == 404


def test_keepers_receive_transfer_scrap_and_return(client, keeper):
    stock = StockFactory(on_hand=5)
    part, central = stock.part, stock.warehouse
    van = WarehouseFactory(kind="van")
    url = reverse("stock_move_view", args=[part.pk])

    for data in (
        {"kind": "receive", "warehouse": central.pk, "quantity": 3, "note": "到货"},
        {"kind": "transfer", "warehouse": central.pk, "to_warehouse": van.pk, "quantity": 2},
        {"kind": "scrap", "warehouse": van.pk, "quantity": 1},
        {"kind": "return", "warehouse": van.pk, "quantity": 1, "serial_number": "SN9"},
    ):
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"] == reverse("part_detail", args=[part.pk])

    assert stock_of(part, central) == (6, 0) and stock_of(part, van) == (2, 0)
    assert list(StockMovement.objects.order_by("id").values_list("kind", "actor")) == [
        ("receive", keeper.pk),
        ("transfer", keeper.pk),
        ("scrap", keeper.pk),
        ("return", keeper.pk),
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "scrap", "quantity": 9},  # more than there is
        {"kind": "consume", "quantity": 1},  # not a keeper's kind of movement
        {"kind": "reserve", "quantity": 1},
        {"kind": "transfer", "quantity": 1},  # no warehouse to go to
        {"kind": "receive", "quantity": 0},
        {"kind": "receive", "quantity": "abc"},
        {"kind": "receive", "quantity": "99999999999999999999"},
        {"kind": "receive", "quantity": 1, "warehouse": "9" * 30},
        {"kind": "", "quantity": 1},
        {},
    ],
)
def test_refusals_change_nothing_and_keep_what_was_typed(client, keeper, data):
    stock = StockFactory(on_hand=5)
    payload = {"warehouse": stock.warehouse_id, "note": "盘点差异", **data}
    response = client.post(reverse("stock_move_view", args=[stock.part.pk]), payload)
    assert response.status_code == 200
    assert stock_of(stock.part, stock.warehouse) == (5, 0) and not StockMovement.objects.exists()
    if data.get("kind") in ("scrap", "transfer", "receive"):
        assert response.context["move_forms"][data["kind"]].errors
        assert "盘点差异" in response.content.decode()


def test_a_closed_warehouse_cannot_be_chosen(client, keeper):
    stock = StockFactory(on_hand=5, warehouse=WarehouseFactory(is_active=False))
    response = client.post(
        reverse("stock_move_view", args=[stock.part.pk]),
        {"kind": "scrap", "warehouse": stock.warehouse_id, "quantity": 1},
    )
    assert response.status_code == 200 and response.context["move_forms"]["scrap"].errors["warehouse"]
    assert stock_of(stock.part, stock.warehouse) == (5, 0)


def test_staff_who_may_not_move_stock_read_but_cannot_post(client):
    stock = StockFactory(on_hand=5)
    quality = UserFactory(role=Role.QUALITY)
    client.force_login(quality)
    page = client.get(reverse("part_detail", args=[stock.part.pk]))
    assert page.status_code == 200 and page.context["move_forms"] == {}
    response = client.post(
        reverse("stock_move_view", args=[stock.part.pk]),
        {"kind": "scrap", "warehouse": stock.warehouse_id, "quantity": 1},
    )
    assert response.status_code == 200
    assert stock_of(stock.part, stock.warehouse) == (5, 0) and not StockMovement.objects.exists()
    engineer = UserFactory(role=Role.ENGINEER)
    client.force_login(engineer)
    assert client.get(reverse("stock_list")).status_code == 200
    assert client.get(reverse("supply_promise")).status_code == 200


def test_the_supply_page_lists_contracts_stock_and_shortages(client, keeper, django_assert_num_queries):
    array = ProductFactory(name="OceanStor 5500 V3", end_of_sale=dt.date(2018, 6, 30))
    site = SiteFactory()
    contract = ContractFactory(customer=site.customer, number="HT-A")
    AssetFactory.create_batch(3, site=site, customer=site.customer, product=array, contract=contract)
    disk = PartFactory(part_number="02350SNK", spares_per_hundred=Decimal("50"))  # 3 × 50% → 2 needed
    disk.compatible_products.set([array])
    StockFactory(part=disk, on_hand=1)

    with django_assert_num_queries(4 + 5):  # the report's four, and the page's session, user, two perms, bell
        page = client.get(reverse("supply_promise"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="supply-contract" data-number="HT-A"' in html
    assert 'data-part="02350SNK" data-needed="2" data-on-hand="1" class="table-warning" data-short="true"' in html
    assert "2028-06-30" in html


def test_the_admin_keeps_quantities_read_only():
    stock_admin = admin.site._registry[Stock]
    assert {"on_hand", "allocated"} <= set(stock_admin.readonly_fields)
    assert "reorder_point" not in stock_admin.readonly_fields
    assert not admin.site._registry[StockMovement].has_change_permission(None)
    assert admin.site._registry[Part].filter_horizontal == ["compatible_products"]
