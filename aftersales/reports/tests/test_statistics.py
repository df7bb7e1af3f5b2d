"""Internal monthly statistics: breakdowns, unfinished tickets and their owners, and the common problems."""

import datetime as dt
import zoneinfo

import pytest

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory, ProductFactory, VendorFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.knowledge.models import ProblemIncident
from aftersales.knowledge.tests.factories import ProblemFactory
from aftersales.reports.periods import month_of
from aftersales.reports.statistics import monthly_statistics
from aftersales.reports.terms import frequent_terms
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = month_of(dt.date(2026, 10, 1))
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=BEIJING)


def beijing(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=BEIJING)


@pytest.fixture
def month():
    """Eight October tickets of two customers, one September and one November ticket, and two cancelled."""
    city, bank = CustomerFactory(name="杭州市公积金中心"), CustomerFactory(name="城市商业银行")
    huawei, cisco = VendorFactory(name="Huawei"), VendorFactory(name="Cisco")
    server = ProductFactory(vendor=huawei, name="服务器", model="2288H", category="hardware")
    switch = ProductFactory(vendor=cisco, name="交换机", model="C9300", category="network")
    server_a = AssetFactory(product=server, site__customer=city)
    switch_a = AssetFactory(product=switch, site__customer=city)
    li, wang = UserFactory(role=Role.ENGINEER, first_name="娜", last_name="李"), UserFactory(role=Role.ENGINEER)

    def ticket(customer, day, *, title="服务器无法开机", assets=(), **values):
        made = TicketFactory(customer=customer, received_at=beijing(10, day), title=title, **values)
        made.assets.set(assets)
        return made

    resolved = {"status": "closed", "resolution_method": "on_site"}
    tickets = {
        "server1": ticket(
            city, 1, assets=[server_a], kind="major_fault", priority=2, **resolved, resolved_at=beijing(10, 1, 15)
        ),
        "server2": ticket(
            city, 8, assets=[server_a], kind="general_fault", priority=3, assignee=li, status="in_progress"
        ),
        "server3": ticket(
            city,
            15,
            title="服务器宕机",
            assets=[server_a],
            kind="major_fault",
            priority=2,
            assignee=li,
            status="resolved",
            resolution_method="remote",
            resolved_at=beijing(11, 2),
        ),
        "switch1": ticket(
            city,
            20,
            title="核心交换机端口故障",
            assets=[switch_a],
            kind="general_fault",
            priority=3,
            status="closed",
            resolution_method="phone",
            resolved_at=beijing(10, 21),
        ),
        "bank1": ticket(
            bank,
            3,
            title="OA系统无法登录",
            kind="consultation",
            priority=4,
            status="closed",
            resolution_method="phone",
            resolved_at=beijing(10, 3, 11),
        ),
        "bank2": ticket(
            bank, 9, title="OA系统登录很慢", kind="general_fault", priority=3, assignee=wang, status="pending_customer"
        ),
        "bank3": ticket(bank, 30, title="打印机卡纸", kind="service_request", priority=4, status="new"),
        "cancelled": ticket(bank, 31, title="打印机卡纸", kind="service_request", priority=4, status="cancelled"),
    }
    TicketFactory(customer=city, received_at=beijing(9, 30), title="服务器无法开机", assignee=wang, status="assigned")
    TicketFactory(customer=city, received_at=beijing(11, 1, 0), title="服务器无法开机")
    return {
        "city": city,
        "bank": bank,
        "server": server,
        "switch": switch,
        "server_a": server_a,
        "li": li,
        "wang": wang,
        **tickets,
    }


def manager():
    return UserFactory(role=Role.MANAGER)


def shares(rows) -> list[tuple]:
    return [(row.key, row.count, row.percent) for row in rows]


def test_the_month_is_broken_down_by_kind_priority_category_how_solved_and_customer(month):
    stats = monthly_statistics(user=manager(), period=OCTOBER, now=NOW)

    assert (stats.total, stats.resolved, stats.resolved_percent) == (8, 3, 37.5)
    assert shares(stats.by_kind) == [
        ("general_fault", 3, 37.5),
        ("major_fault", 2, 25.0),
        ("consultation", 1, 12.5),
        ("service_request", 2, 25.0),
    ]
    assert shares(stats.by_priority) == [(2, 2, 25.0), (3, 3, 37.5), (4, 3, 37.5)]
    assert shares(stats.by_category) == [("hardware", 3, 37.5), ("network", 1, 12.5), ("", 4, 50.0)]
    assert shares(stats.by_resolution) == [
        ("on_site", 1, 12.5),
        ("remote", 1, 12.5),
        ("phone", 2, 25.0),
        ("", 4, 50.0),
    ]
    assert [(row.label, row.count) for row in stats.by_vendor] == [("Huawei", 3), ("Cisco", 1)]
    assert [(row.label, row.count) for row in stats.by_product] == [
        ("Huawei 服务器 2288H", 3),
        ("Cisco 交换机 C9300", 1),
    ]
    assert [(row.label, row.count) for row in stats.by_customer] == [("城市商业银行", 4), ("杭州市公积金中心", 4)]
    assert stats.customers == 2


def test_unfinished_at_the_end_of_the_month_are_listed_oldest_first_with_their_owners(month):
    stats = monthly_statistics(user=manager(), period=OCTOBER, now=NOW)

    # September's still open ticket, and October's not resolved by 1 November (server3 was resolved on the 2nd);
    # the cancelled one and November's are not. Ages count to midnight at the month's end.
    september = stats.unfinished[0]
    assert [(row.number, row.owner, row.age_days) for row in stats.unfinished[1:]] == [
        (month["server2"].number, "李娜", 23),
        (month["bank2"].number, str(month["wang"]), 22),
        (month["server3"].number, "李娜", 16),
        (month["bank3"].number, "", 1),
    ]
    assert (september.owner, september.age_days, september.received_at) == (str(month["wang"]), 31, beijing(9, 30))
    assert stats.unfinished_count == 5
    assert [(load.owner, load.count, load.oldest_days) for load in stats.owners] == [
        (str(month["wang"]), 2, 31),
        ("李娜", 2, 23),
        ("", 1, 1),
    ]


def test_common_problems_are_the_repeat_equipment_products_categories_and_words_with_their_known_problems(month):
    problem = ProblemFactory(title="2288H 电源模块批次缺陷", products=[month["server"]])
    ProblemFactory(title="已关闭的问题", status="closed", products=[month["server"]])
    ProblemIncident.objects.create(
        problem=problem, ticket=month["server1"], linked_by=month["li"], linked_at=beijing(10, 2)
    )

    stats = monthly_statistics(user=manager(), period=OCTOBER, now=NOW)

    [asset] = stats.recurring_assets
    assert (asset.key, asset.count, [ref.title for ref in asset.problems]) == (
        month["server_a"].pk,
        3,
        ["2288H 电源模块批次缺陷"],
    )
    [product] = stats.recurring_products
    assert (product.label, product.count, [ref.reference for ref in product.problems]) == (
        "Huawei 服务器 2288H",
        3,
        [problem.reference],
    )
    assert [(row.category, row.kind, row.count) for row in stats.recurring_categories] == [
        ("hardware", "major_fault", 2)
    ]
    assert stats.terms == [("服务器", 3), ("OA", 2), ("开机", 2), ("登录", 2), ("系统", 2), ("打印机卡纸", 2)]
    assert [(ref.title, ref.incidents) for ref in stats.problems] == [("2288H 电源模块批次缺陷", 1)]


def test_customers_and_staff_without_internal_rights_see_nothing_of_other_customers(month):
    customer_user = UserFactory(role=Role.CUSTOMER, customer=month["bank"])

    stats = monthly_statistics(user=customer_user, period=OCTOBER, now=NOW)

    assert stats.total == 4
    assert {row.label for row in stats.by_customer} == {"城市商业银行"}
    assert stats.problems == [] and stats.recurring_assets == []


def test_an_empty_month_has_no_figures_and_no_division_by_zero():
    stats = monthly_statistics(user=manager(), period=month_of(dt.date(2020, 2, 1)), now=NOW)

    assert (stats.total, stats.resolved_percent, stats.by_kind, stats.unfinished, stats.terms) == (0, None, [], [], [])


def test_frequent_terms_prefer_whole_words_and_drop_words_every_fault_has():
    titles = [
        ("服务器无法开机", 5),
        ("服务器宕机", 3),
        ("打印机无法打印", 4),
        ("核心交换机端口故障", 2),
        ("交换机宕机", 2),
        ("OA系统无法登录", 6),
        ("单次出现的标题", 1),
    ]

    terms = dict(frequent_terms(titles))

    assert terms["服务器"] == 8 and terms["交换机"] == 4 and terms["打印机"] == 4 and terms["宕机"] == 5
    assert "无法" not in terms and "故障" not in terms
    assert "服务" not in terms and "务器" not in terms  # pieces of 服务器
    assert "务器宕机" not in terms  # characters that only meet in one title
    assert "单次" not in terms  # once is not recurring


def test_a_stop_word_inside_a_word_of_the_trade_does_not_cut_it():
    """在线 (online), 后台 (back office), 及时 (on time) and 处理器 (processor) hold a stop word; cut at it, the
    word was lost (a character alone counts for nothing)."""
    titles = [
        ("监控平台后台无法登录", 1),
        ("OA系统后台无法登录", 1),
        ("摄像头不在线", 1),
        ("门禁设备不在线", 1),
        ("工程师未及时到场", 1),
        ("投诉未及时响应", 1),
        ("服务器处理器告警", 1),
        ("存储处理器故障", 1),
        ("重启后正常", 1),
        ("断电后正常", 1),
    ]

    terms = dict(frequent_terms(titles))

    assert (terms["后台"], terms["登录"], terms["不在线"], terms["未及时"], terms["处理器"]) == (2, 2, 2, 2, 2)
    assert terms["正常"] == 2  # 后 still cuts "after": 重启后正常 is 重启 and 正常
