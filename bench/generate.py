"""Build the `aftersales_bench` PostgreSQL database: 50 customers and 1,000,000 tickets.

    python bench/generate.py                  # the full data set
    python bench/generate.py --tickets 20000  # a quick try

Drops and recreates the database `aftersales_bench` (and no other), migrates it, writes
the master data through the ORM and the tickets with COPY, then VACUUM (ANALYZE).
"""

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_NAME = "aftersales_bench"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
DATABASE_URL = f"{SERVER_URL}/{DATABASE_NAME}"
PASSWORD = "demo-password"
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
YEARS = 3
CUSTOMERS = 50
ENGINEERS = 40
EXPERTS = 8


def configure_django() -> None:
    """Point Django at the bench database; must run before django.setup()."""
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["AFTERSALES_PLAIN_STATIC"] = "1"


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def step(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)


# --- master data -------------------------------------------------------------------------------

CITIES = [
    ("浙江省", "杭州市", ["西湖区", "上城区", "拱墅区", "滨江区"]),
    ("浙江省", "宁波市", ["海曙区", "鄞州区"]),
    ("浙江省", "温州市", ["鹿城区", "瓯海区"]),
    ("江苏省", "南京市", ["玄武区", "鼓楼区", "建邺区"]),
    ("江苏省", "苏州市", ["姑苏区", "工业园区"]),
    ("上海市", "上海市", ["浦东新区", "徐汇区", "静安区"]),
    ("广东省", "广州市", ["天河区", "越秀区"]),
    ("广东省", "深圳市", ["福田区", "南山区"]),
    ("四川省", "成都市", ["武侯区", "高新区"]),
    ("湖北省", "武汉市", ["江汉区", "洪山区"]),
]
ORGANISATIONS = [
    ("住房公积金管理中心", "政务"),
    ("人民医院", "医疗"),
    ("中心医院", "医疗"),
    ("城市商业银行", "金融"),
    ("农村商业银行", "金融"),
    ("电力公司", "能源"),
    ("自来水公司", "公用事业"),
    ("轨道交通集团", "交通"),
    ("大学", "教育"),
    ("税务局", "政务"),
    ("社会保险事业管理中心", "政务"),
    ("烟草专卖局", "政务"),
    ("广播电视台", "传媒"),
]
SITE_NAMES = ["主机房", "灾备机房", "办公楼", "营业部", "分中心", "数据中心"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN_NAMES = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
]
POSITIONS = ["信息科科长", "系统管理员", "网络管理员", "机房值班员", "信息中心主任"]
VENDORS = {
    "华为": [("FusionServer 2288H V6", "hardware"), ("OceanStor 5310", "hardware"), ("CloudEngine S5735", "network")],
    "新华三": [("UniServer R4900 G5", "hardware"), ("S6520X 交换机", "network"), ("SecPath F1000 防火墙", "network")],
    "浪潮": [("NF5280M6", "hardware"), ("AS5300G5 存储", "hardware")],
    "联想": [("ThinkSystem SR650", "hardware"), ("ThinkCentre M720 终端", "hardware")],
    "达梦": [("DM8 数据库", "software")],
    "人大金仓": [("KingbaseES V8", "software")],
    "深信服": [("AF 下一代防火墙", "network"), ("AC 上网行为管理", "network")],
    "奇安信": [("天擎终端安全", "software"), ("网神 SecGate 3600", "network")],
    "本公司": [("公积金核心业务系统", "software"), ("医院信息系统 HIS", "software"), ("综合柜面系统", "software")],
}
SOFTWARE_VERSIONS = ["V1.0", "V2.3", "V3.1.2", "V5.0", "V8.1"]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def mobile(rng: random.Random) -> str:
    return f"+86{rng.choice(['138', '139', '136', '150', '186', '189'])}{rng.randrange(10**8):08d}"


def create_master_data(rng: random.Random, today: dt.date) -> dict:
    """Customers with sites, contacts, contracts and assets; staff; return what tickets refer to."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from aftersales.accounts.models import Team, User
    from aftersales.accounts.roles import Role
    from aftersales.assets.models import Asset, Product, Vendor
    from aftersales.contracts.models import Contract, ServiceLevel
    from aftersales.customers.models import Contact, Customer, Site

    password = make_password(PASSWORD)  # hashed once: PBKDF2 per user would cost seconds

    def user(username: str, role: str, first_name: str = "", **extra) -> User:
        return User(
            username=username,
            role=role,
            first_name=first_name,
            password=password,
            email=f"{username}@example.com",
            **extra,
        )

    staff = [
        user("admin", Role.ADMIN, "管理员", is_staff=True, is_superuser=True),
        user("agent", Role.AGENT, "坐席"),
        user("dispatcher", Role.DISPATCHER, "派单员"),
        user("manager", Role.MANAGER, "值班经理"),
        user("qc", Role.QUALITY, "质控"),
        user("keeper", Role.PARTS_KEEPER, "备件管理员"),
        user("archivist", Role.ARCHIVIST, "归档员"),
    ]
    staff += [user(f"agent{n}", Role.AGENT, person_name(rng)) for n in range(1, 9)]
    staff += [user(f"engineer{n}", Role.ENGINEER, person_name(rng)) for n in range(1, ENGINEERS + 1)]
    staff += [user(f"expert{n}", Role.EXPERT, person_name(rng)) for n in range(1, EXPERTS + 1)]
    User.objects.bulk_create(staff)
    staff = {u.username: u for u in User.objects.all()}
    Token.objects.create(user=staff["agent"])

    teams = Team.objects.bulk_create(
        [
            Team(name=name)
            for name in ["杭州二线组", "南京二线组", "上海二线组", "华南二线组", "数据库专家组", "网络安全专家组"]
        ]
    )
    engineer_ids = [u.id for u in staff.values() if u.role == Role.ENGINEER]
    expert_ids = [u.id for u in staff.values() if u.role == Role.EXPERT]
    agent_ids = [u.id for u in staff.values() if u.role == Role.AGENT]
    Team.members.through.objects.bulk_create(
        [
            Team.members.through(team_id=teams[index % 4].id, user_id=user_id)
            for index, user_id in enumerate(engineer_ids)
        ]
        + [
            Team.members.through(team_id=teams[4 + index % 2].id, user_id=user_id)
            for index, user_id in enumerate(expert_ids)
        ]
    )

    levels = list(ServiceLevel.objects.order_by("-rank"))
    customers = []
    names = set()
    while len(customers) < CUSTOMERS:
        province, city, _districts = rng.choice(CITIES)
        organisation, industry = rng.choice(ORGANISATIONS)
        name = f"{city}{organisation}"
        if name in names:
            continue
        names.add(name)
        number = len(customers) + 1
        customers.append(
            Customer(
                code=f"c{number:03d}",
                name=name,
                industry=industry,
                address=f"{province}{city}某路{rng.randrange(1, 999)}号",
                phone=f"+86571{rng.randrange(10**7, 10**8)}",
            )
        )
    customers = Customer.objects.bulk_create(customers)

    sites, contacts, contracts = [], [], []
    for customer in customers:
        province, city, districts = next(c for c in CITIES if customer.name.startswith(c[1]))
        for site_name in rng.sample(SITE_NAMES, rng.randint(2, 5)):
            sites.append(
                Site(
                    customer=customer,
                    name=site_name,
                    province=province,
                    city=city,
                    district=rng.choice(districts),
                    address=f"某路{rng.randrange(1, 999)}号",
                )
            )
        for index in range(rng.randint(1, 3)):
            start = today - dt.timedelta(days=365 * (YEARS - index) + rng.randrange(90))
            contracts.append(
                Contract(
                    number=f"HT-{customer.code}-{start.year}-{index + 1}",
                    name=f"{customer.name}运维服务合同",
                    customer=customer,
                    start_date=start,
                    end_date=start + dt.timedelta(days=365 * (YEARS + 1)),
                    service_level=rng.choice(levels),
                    hourly_rate=300,
                    travel_rate=500,
                )
            )
    sites = Site.objects.bulk_create(sites)
    contracts = Contract.objects.bulk_create(contracts)
    for site in sites:
        contacts.extend(
            Contact(
                customer_id=site.customer_id,
                site=site,
                name=person_name(rng),
                phone=mobile(rng),
                position=rng.choice(POSITIONS),
            )
            for _ in range(rng.randint(1, 2))
        )
    contacts = Contact.objects.bulk_create(contacts)

    vendors = Vendor.objects.bulk_create([Vendor(name=name, support_phone="400-800-0000") for name in VENDORS])
    products = Product.objects.bulk_create(
        [
            Product(vendor=vendor, name=name, model=name.split()[0], category=category)
            for vendor in vendors
            for name, category in VENDORS[vendor.name]
        ]
    )
    sites_by_customer: dict[int, list] = {}
    for site in sites:
        sites_by_customer.setdefault(site.customer_id, []).append(site)
    contracts_by_customer: dict[int, list] = {}
    for contract in contracts:
        contracts_by_customer.setdefault(contract.customer_id, []).append(contract)
    assets = []
    for customer in customers:
        for _ in range(rng.randint(15, 60)):
            product = rng.choice(products)
            installed = today - dt.timedelta(days=rng.randrange(200, 365 * YEARS + 200))
            assets.append(
                Asset(
                    customer=customer,
                    site=rng.choice(sites_by_customer[customer.id]),
                    product=product,
                    contract=rng.choice(contracts_by_customer[customer.id]),
                    serial_number=f"SN{len(assets):07d}",
                    software_name=product.name if product.category == "software" else "",
                    software_version=rng.choice(SOFTWARE_VERSIONS) if product.category == "software" else "",
                    install_date=installed,
                    acceptance_date=installed + dt.timedelta(days=30),
                )
            )
    assets = Asset.objects.bulk_create(assets)

    # Customer users (portal): one per customer, so portal tickets have a realistic creator.
    customer_users = User.objects.bulk_create(
        [
            user(f"customer{index}", Role.CUSTOMER, person_name(rng), customer=customer)
            for index, customer in enumerate(customers, start=1)
        ]
    )

    assets_by_site: dict[int, list[int]] = {}
    for asset in assets:
        assets_by_site.setdefault(asset.site_id, []).append(asset.id)
    contacts_by_site: dict[int, list] = {}
    for contact in contacts:
        contacts_by_site.setdefault(contact.site_id, []).append((contact.name, str(contact.phone)))
    return {
        "customers": [
            {
                "id": customer.id,
                "sites": [site.id for site in sites_by_customer[customer.id]],
                "contracts": [(c.id, c.service_level_id) for c in contracts_by_customer[customer.id]],
                "user": next(u.id for u in customer_users if u.customer_id == customer.id),
            }
            for customer in customers
        ],
        "assets_by_site": assets_by_site,
        "contacts_by_site": contacts_by_site,
        "teams": [team.id for team in teams],
        "engineers": engineer_ids,
        "experts": expert_ids,
        "agents": agent_ids,
        "counts": {
            "users": User.objects.count(),
            "sites": len(sites),
            "contacts": len(contacts),
            "contracts": len(contracts),
            "assets": len(assets),
        },
    }


# --- tickets ----------------------------------------------------------------------------------

OPEN_STATUSES = ["new", "assigned", "in_progress", "pending_customer", "pending_vendor", "pending_parts"]
OPEN_WEIGHTS = [15, 20, 30, 17, 8, 10]
PRIORITY_LEVELS = {  # priority -> the (urgency, impact) pairs that give it
    1: [(1, 1)],
    2: [(1, 2), (2, 1)],
    3: [(2, 2), (1, 3), (3, 1)],
    4: [(2, 3), (3, 2), (3, 3)],
}
PRIORITIES, PRIORITY_WEIGHTS = [1, 2, 3, 4], [3, 15, 50, 32]
KINDS = ["general_fault", "major_fault", "catastrophic_fault", "consultation", "service_request", "change_request"]
KINDS += ["complaint"]
KIND_WEIGHTS = [55, 6, 0.5, 18, 14, 5, 1.5]
CHANNELS = ["phone", "email", "portal", "fax", "api", "inspection", "follow_up"]
CHANNEL_WEIGHTS = [45, 20, 20, 2, 5, 5, 3]
TIERS, TIER_WEIGHTS = ["L1", "L2", "L3"], [60, 32, 8]
ENTITLEMENTS = [  # kind, and the facts a ticket stores (JSON text for COPY)
    ("warranty", '{"reason": "in_warranty", "contract": "HT-BENCH", "warranty_end": "2029-12-31"}'),
    ("billable", '{"reason": "paid_maintenance", "contract": "HT-BENCH"}'),
    ("advice_only", '{"reason": "no_contract"}'),
]
ENTITLEMENT_WEIGHTS = [60, 30, 10]
TITLES = [
    "服务器无法开机",
    "存储阵列告警：硬盘故障",
    "核心交换机端口频繁 up/down",
    "业务系统登录缓慢",
    "数据库连接数过高",
    "打印机无法打印",
    "防火墙策略变更申请",
    "备份作业失败",
    "终端无法访问内网",
    "系统升级咨询",
    "报表导出数据不一致",
    "机房空调温度告警",
    "UPS 电池告警",
    "证书即将过期",
    "新增用户账号申请",
]
DESCRIPTIONS = [
    "客户来电反映故障，现场人员已重启一次，问题仍然存在，请尽快安排处理。",
    "监控平台产生告警，影响部分业务办理，客户要求两小时内到场。",
    "用户通过门户提交，附有截图，需二线工程师远程协助排查。",
    "巡检时发现隐患，建议安排停机窗口更换部件。",
]
RESOLUTIONS = [
    ("on_site", "现场更换故障硬盘，阵列重建完成，业务恢复。", "硬盘老化"),
    ("remote", "远程登录调整数据库参数并清理无效会话，性能恢复正常。", "连接池配置不当"),
    ("phone", "电话指导用户重新配置客户端，问题解决。", "客户端配置错误"),
    ("email", "邮件回复操作手册及配置说明，客户确认已解决。", ""),
    ("on_site", "更换交换机光模块，端口稳定。", "光模块故障"),
]


TICKET_COLUMNS = (
    "id",
    "number",
    "channel",
    "kind",
    "urgency",
    "impact",
    "priority",
    "status",
    "customer_id",
    "site_id",
    "contact_name",
    "contact_phone",
    "title",
    "description",
    "tier",
    "team_id",
    "assignee_id",
    "created_by_id",
    "contract_id",
    "service_level_id",
    "entitlement",
    "entitlement_facts",
    "resolution_method",
    "resolution",
    "root_cause",
    "received_at",
    "responded_at",
    "resolved_at",
    "confirmed_at",
    "closed_at",
    "archived_at",
    "updated_at",
    "version",
)


def age_weighted_days(rng: random.Random, count: int, days: int) -> list[int]:
    """Day offsets back from today, more tickets on recent days (growth) and on weekdays."""
    today = dt.date.today()
    weights = []
    for back in range(days):
        growth = 1.0 + 0.8 * (days - back) / days  # the business grew ~80% over the period
        weekday = (today - dt.timedelta(days=back)).weekday()
        weights.append(growth * (0.35 if weekday >= 5 else 1.0))
    return rng.choices(range(days), weights=weights, k=count)


HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 9, 12, 12, 10, 6, 9, 12, 11, 10, 8, 5, 3, 2, 2, 1, 1]


def received_times(rng: random.Random, count: int, now: dt.datetime) -> list[dt.datetime]:
    """`count` aware received times over the last YEARS years, in ascending order."""
    days = 365 * YEARS + 1
    today_local = now.astimezone(LOCAL_ZONE).date()
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
    times = []
    for back, hour in zip(age_weighted_days(rng, count, days), hours, strict=True):
        day = today_local - dt.timedelta(days=back)
        local = dt.datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_ZONE) + dt.timedelta(
            seconds=rng.randrange(3600)
        )
        times.append(min(local.astimezone(dt.UTC), now - dt.timedelta(seconds=rng.randrange(60, 3600))))
    times.sort()
    return times


def closed_status(rng: random.Random, age_days: float) -> str:
    if age_days < 14:
        return rng.choices(["resolved", "confirmed", "closed", "cancelled"], weights=[30, 20, 45, 5])[0]
    if age_days < 90:
        return rng.choices(["closed", "archived", "cancelled"], weights=[70, 25, 5])[0]
    return rng.choices(["archived", "closed", "cancelled"], weights=[92, 5, 3])[0]


def ticket_rows(rng: random.Random, count: int, data: dict, now: dt.datetime, statistics: Counter):
    """Yield (ticket row dict, asset id or None, day, sequence) in id order."""
    customers = data["customers"]
    # A few big customers log most requests (Zipf-like).
    customer_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(customers))]
    customer_choices = rng.choices(customers, weights=customer_weights, k=count)
    sequence_by_day: Counter = Counter()
    hour = dt.timedelta(hours=1)
    for index, received_at in enumerate(received_times(rng, count, now)):
        age_days = (now - received_at).total_seconds() / 86400
        open_probability = 0.05 + 0.6 * math.exp(-age_days / 10)
        if rng.random() < open_probability:
            status = rng.choices(OPEN_STATUSES, weights=OPEN_WEIGHTS)[0]
        else:
            status = closed_status(rng, age_days)
        statistics[status] += 1
        priority = rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0]
        urgency, impact = rng.choice(PRIORITY_LEVELS[priority])
        customer = customer_choices[index]
        site_id = rng.choice(customer["sites"])
        contract_id, service_level_id = rng.choice(customer["contracts"])
        contact_name, contact_phone = rng.choice(data["contacts_by_site"].get(site_id) or [("张三", "+8613800138000")])
        channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
        tier = rng.choices(TIERS, weights=TIER_WEIGHTS)[0]
        entitlement, entitlement_facts = rng.choices(ENTITLEMENTS, weights=ENTITLEMENT_WEIGHTS)[0]
        created_by = customer["user"] if channel == "portal" else rng.choice(data["agents"])

        team_id = assignee_id = None
        if status != "new":
            if tier == "L1":
                assignee_id = rng.choice(data["agents"])
            elif tier == "L2":
                team_id = rng.choice(data["teams"][:4])
                assignee_id = rng.choice(data["engineers"])
            else:
                team_id = rng.choice(data["teams"][4:])
                assignee_id = rng.choice(data["experts"])

        responded_at = resolved_at = confirmed_at = closed_at = archived_at = None
        resolution_method = resolution = root_cause = ""
        last = received_at
        version = 1
        if status not in ("new", "cancelled"):
            responded_at = min(received_at + dt.timedelta(minutes=rng.uniform(2, 45)), now)
            last, version = responded_at, 3
        if status in ("resolved", "confirmed", "closed", "archived"):
            resolved_at = min(responded_at + hour * rng.expovariate(1 / 8), now)
            resolution_method, resolution, root_cause = rng.choice(RESOLUTIONS)
            last, version = resolved_at, 5
        if status in ("confirmed", "closed", "archived"):
            confirmed_at = min(resolved_at + hour * rng.uniform(1, 48), now)
            last, version = confirmed_at, 6
        if status in ("closed", "archived"):
            closed_at = min(confirmed_at + hour * rng.uniform(1, 72), now)
            last, version = closed_at, 7
        if status == "archived":
            archived_at = min(closed_at + dt.timedelta(days=rng.uniform(7, 45)), now)
            last, version = archived_at, 8
        if status == "cancelled":
            last, version = min(received_at + hour * rng.uniform(0.1, 24), now), 2

        day = received_at.astimezone(LOCAL_ZONE).date()
        sequence_by_day[day] += 1
        sequence = sequence_by_day[day]
        site_assets = data["assets_by_site"].get(site_id)
        asset_id = rng.choice(site_assets) if site_assets and rng.random() < 0.7 else None
        # The service's number format; a day past 9999 requests simply gets a 5-digit sequence.
        number = f"SR{day:%Y%m%d}{sequence:04d}"
        row = (
            index + 1,
            number,
            channel,
            rng.choices(KINDS, weights=KIND_WEIGHTS)[0],
            urgency,
            impact,
            priority,
            status,
            customer["id"],
            site_id,
            contact_name,
            contact_phone,
            rng.choice(TITLES),
            rng.choice(DESCRIPTIONS),
            tier,
            team_id,
            assignee_id,
            created_by,
            contract_id,
            service_level_id,
            entitlement,
            entitlement_facts,
            resolution_method,
            resolution,
            root_cause,
            received_at,
            responded_at,
            resolved_at,
            confirmed_at,
            closed_at,
            archived_at,
            last,
            version,
        )
        yield row, asset_id, day, sequence


def table_constraints_and_indexes(cursor, table: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Foreign-key and unique constraints, and the other non-primary indexes, of a table (to rebuild after COPY)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname",
        [table],
    )
    return constraints, cursor.fetchall()


def copy_tickets(count: int, data: dict, rng: random.Random, started: float) -> Counter:
    """COPY the tickets, their assets and the day sequences, with indexes and FKs rebuilt after the load."""
    from django.db import connection, transaction

    from aftersales.tickets.models import Ticket, TicketSequence

    ticket_table = Ticket._meta.db_table
    through = Ticket.assets.through
    through_table = through._meta.db_table
    ticket_column = through._meta.get_field("ticket").column
    asset_column = through._meta.get_field("asset").column
    now = dt.datetime.now(dt.UTC)
    statistics: Counter = Counter()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        saved = {table: table_constraints_and_indexes(cursor, table) for table in (ticket_table, through_table)}
        for table, (constraints, indexes) in saved.items():
            for name, _definition in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')

        # Columns added to the model later (by someone else) and not generated here get their defaults.
        extra = {}
        for field in Ticket._meta.concrete_fields:
            if field.column not in TICKET_COLUMNS:
                value = field.get_default() if field.has_default() or not field.null else None
                extra[field.column] = field.get_db_prep_save(value, connection)
                print(f"  note: column {field.column} is filled with its default {extra[field.column]!r}")
        extra_values = tuple(extra.values())
        columns = ", ".join(f'"{column}"' for column in (*TICKET_COLUMNS, *extra))

        psycopg_cursor = cursor.cursor  # Django's wrapper holds the psycopg 3 cursor
        asset_links = []
        sequences = {}
        with psycopg_cursor.copy(f'COPY "{ticket_table}" ({columns}) FROM STDIN') as copy:
            for row, asset_id, day, sequence in ticket_rows(rng, count, data, now, statistics):
                copy.write_row(row + extra_values)
                ticket_id = row[0]
                if asset_id is not None:
                    asset_links.append((ticket_id, asset_id))
                sequences[day] = sequence
                if ticket_id % 100_000 == 0:
                    step(f"copied {ticket_id:,} tickets", started)
        if count % 100_000:
            step(f"copied {count:,} tickets", started)
        with psycopg_cursor.copy(f'COPY "{through_table}" ({ticket_column}, {asset_column}) FROM STDIN') as copy:
            for link in asset_links:
                copy.write_row(link)
        TicketSequence.objects.bulk_create(TicketSequence(day=day, last=last) for day, last in sequences.items())
        step(f"copied {len(asset_links):,} ticket-asset links and {len(sequences):,} day sequences", started)

        for table, (constraints, indexes) in saved.items():
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            step(f"rebuilt {len(indexes)} indexes and {len(constraints)} constraints of {table}", started)
        for table in (ticket_table, through_table):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))")
    return statistics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000, help="how many tickets (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=20260101, help="random seed, for a repeatable data set")
    arguments = parser.parse_args()
    if arguments.tickets < 1:
        parser.error("--tickets must be at least 1")

    started = time.monotonic()
    configure_django()
    recreate_database()
    step(f"recreated database {DATABASE_NAME}", started)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    step("migrated", started)

    rng = random.Random(arguments.seed)
    data = create_master_data(rng, dt.date.today())
    counts = data["counts"]
    step(
        f"created {len(data['customers'])} customers, {counts['sites']} sites, {counts['contacts']} contacts, "
        f"{counts['contracts']} contracts, {counts['assets']} assets, {counts['users']} users",
        started,
    )

    statistics = copy_tickets(arguments.tickets, data, rng, started)
    connection.close()

    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as raw:
        # VACUUM as well as ANALYZE: it sets the visibility map (index-only scans) and hint bits, as autovacuum
        # would have long since done on a production table.
        raw.execute("VACUUM (ANALYZE)")
        size = raw.execute("SELECT pg_size_pretty(pg_total_relation_size('tickets_ticket'))").fetchone()[0]
    step("vacuumed and analysed", started)

    open_count = sum(statistics[status] for status in OPEN_STATUSES)
    print(f"\ntickets by status ({arguments.tickets:,} in all, {open_count / arguments.tickets:.1%} open):")
    for status, number in statistics.most_common():
        print(f"  {status:17} {number:>9,}  {number / arguments.tickets:6.2%}")
    print(f"tickets_ticket with indexes: {size}")
    print(f"\nGenerated {DATABASE_URL} in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
