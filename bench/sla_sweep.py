"""Benchmark the SLA sweep on PostgreSQL: 100,000 open tickets whose clocks are running.

    python bench/sla_sweep.py                   # build `aftersales_bench_sla`, then measure
    python bench/sla_sweep.py --tickets 20000   # a quick try
    python bench/sla_sweep.py --measure-only    # measure again on the database built before
    python bench/sla_sweep.py --profile         # and cProfile one extra round of 1,000 due tickets

Drops and recreates the database `aftersales_bench_sla` (and no other), migrates it, writes staff,
teams with leads, a duty roster and open tickets with their timelines (COPY), computes every ticket's
SLA cache with the sweep's own functions, then VACUUM (ANALYZE). It measures:

1. `sla_sweep(now)` when nothing is due (median and p95 over many calls; target p95 <= 20 ms), and
   the plan of its due query (must be an index scan of ticket_sla_check_idx, never a Seq Scan);
2. `sla_sweep(now)` when exactly 1,000 tickets have just crossed the 50 % rung of their response
   clock (target <= 500 ms with the escalation and outbox rows it writes), over fresh sets of
   tickets, with the queries it runs; and, for information, 1,000 tickets breaching (100 % rung:
   assignee, team lead and duty manager told by in-app, SMS and email).

Exit status: 0 when both targets are met and the due query uses the index, 1 otherwise.
"""

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_NAME = "aftersales_bench_sla"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
DATABASE_URL = f"{SERVER_URL}/{DATABASE_NAME}"
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
PASSWORD = "demo-password"

IDLE_TARGET_MS = 20.0  # p95 of a sweep that finds nothing due
DUE_TARGET_MS = 500.0  # one sweep over 1,000 tickets that crossed a rung
DUE_TICKETS = 1_000
SEQUENTIAL_SCAN = re.compile(r"Seq Scan on tickets_ticket\b")

OPEN_STATUSES = ["new", "assigned", "in_progress", "pending_customer", "pending_vendor", "pending_parts"]
OPEN_WEIGHTS = [15, 20, 30, 17, 8, 10]
PENDING_ACTIONS = {"pending_customer": "pend_customer", "pending_vendor": "pend_vendor", "pending_parts": "pend_parts"}
PRIORITIES, PRIORITY_WEIGHTS = [1, 2, 3, 4], [3, 15, 50, 32]
LEVELS_FOR_PRIORITY = {1: [(1, 1)], 2: [(1, 2), (2, 1)], 3: [(2, 2), (1, 3), (3, 1)], 4: [(2, 3), (3, 2), (3, 3)]}
KIND_FOR_PRIORITY = {
    1: ["catastrophic_fault", "major_fault"],
    2: ["major_fault", "general_fault"],
    3: ["general_fault", "service_request", "change_request", "complaint"],
    4: ["consultation", "service_request", "general_fault"],
}
CHANNELS, CHANNEL_WEIGHTS = ["phone", "email", "portal", "api", "inspection"], [45, 20, 20, 10, 5]
SERVICE_LEVELS, SERVICE_LEVEL_WEIGHTS = [None, "standard", "silver", "gold"], [15, 45, 25, 15]
TITLES = [
    "服务器无法开机",
    "存储阵列告警：硬盘故障",
    "核心交换机端口频繁 up/down",
    "业务系统登录缓慢",
    "数据库连接数过高",
]
TEAMS = ["杭州二线组", "南京二线组", "上海二线组", "华南二线组", "数据库专家组", "网络安全专家组"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN_NAMES = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"]


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


def minute_floor(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


# --- data --------------------------------------------------------------------------------------


def create_people(rng: random.Random) -> dict:
    """Staff with e-mail and phone, teams with leads, the duty roster, a few customers; return their ids."""
    from django.contrib.auth.hashers import make_password

    from aftersales.accounts.models import DutyShift, Team, User
    from aftersales.accounts.roles import Role
    from aftersales.customers.models import Customer
    from aftersales.notifications.models import NotificationPreference

    password = make_password(PASSWORD)
    serial = iter(range(1, 10_000))

    def user(username: str, role: str) -> User:
        return User(
            username=username,
            role=role,
            first_name=rng.choice(GIVEN_NAMES),
            last_name=rng.choice(SURNAMES),
            password=password,
            email=f"{username}@bench.example",
            phone=f"+86139{next(serial):08d}",
        )

    staff = [user("agent", Role.AGENT), user("dispatcher", Role.DISPATCHER)]
    staff += [user(f"manager{n}", Role.MANAGER) for n in range(1, 4)]
    staff += [user(f"engineer{n}", Role.ENGINEER) for n in range(1, 41)]
    staff += [user(f"expert{n}", Role.EXPERT) for n in range(1, 9)]
    User.objects.bulk_create(staff)
    users = {u.username: u for u in User.objects.all()}
    engineers = [users[f"engineer{n}"] for n in range(1, 41)]
    experts = [users[f"expert{n}"] for n in range(1, 9)]

    teams = []
    for index, name in enumerate(TEAMS):
        members = engineers[index * 10 : index * 10 + 10] if index < 4 else experts[(index - 4) * 4 : (index - 3) * 4]
        team = Team.objects.create(name=name, lead=members[0])
        team.members.set(members)
        teams.append((team.pk, [member.pk for member in members]))

    # The organisation's roster: a day and a night shift every day, so someone is always on duty.
    managers = [users[f"manager{n}"] for n in range(1, 4)]
    shifts = []
    for weekday in range(7):
        shifts.append(
            DutyShift(
                weekday=weekday,
                start=dt.time(8, 30),
                end=dt.time(17, 30),
                duty_manager=managers[weekday % 3],
                duty_engineer=engineers[weekday],
            )
        )
        shifts.append(
            DutyShift(
                weekday=weekday,
                start=dt.time(17, 30),
                end=dt.time(8, 30),
                duty_manager=managers[(weekday + 1) % 3],
                duty_engineer=engineers[10 + weekday],
            )
        )
    DutyShift.objects.bulk_create(shifts)
    # A few people read English and keep quiet hours, as in any real team.
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=engineer, language="en", quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7))
        for engineer in engineers[::8]
    )
    customers = Customer.objects.bulk_create(
        Customer(code=f"c{n:02d}", name=f"基准客户 {n:02d}", phone="+8657187000000") for n in range(1, 9)
    )
    from aftersales.contracts.models import ServiceLevel

    return {
        "creators": [users["agent"].pk, users["dispatcher"].pk],
        "dispatcher": users["dispatcher"].pk,
        "teams": teams,
        "names": {u.pk: f"{u.last_name}{u.first_name}" for u in users.values()},
        "customers": [customer.pk for customer in customers],
        "levels": dict(ServiceLevel.objects.values_list("code", "pk")),
        "users": User.objects.count(),
    }


@dataclass
class Sequences:
    by_day: Counter = field(default_factory=Counter)

    def number(self, received_at: dt.datetime) -> str:
        day = received_at.astimezone(LOCAL_ZONE).date()
        self.by_day[day] += 1
        return f"SR{day:%Y%m%d}{self.by_day[day]:05d}"


def plan_ticket(rng: random.Random, ticket_id: int, now: dt.datetime, people: dict, book) -> tuple:
    """One open ticket and its timeline, aged so that its clocks run but no rung has been reached yet."""
    from aftersales.tickets.models import Ticket
    from aftersales.tickets.sla import clock_states

    status = rng.choices(OPEN_STATUSES, weights=OPEN_WEIGHTS)[0]
    priority = rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0]
    urgency, impact = rng.choice(LEVELS_FOR_PRIORITY[priority])
    level = rng.choices(SERVICE_LEVELS, weights=SERVICE_LEVEL_WEIGHTS)[0]
    channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
    team_id, members = rng.choice(people["teams"])
    ticket = Ticket(
        id=ticket_id,
        channel=channel,
        kind=rng.choice(KIND_FOR_PRIORITY[priority]),
        urgency=urgency,
        impact=impact,
        priority=priority,
        status=status,
        customer_id=rng.choice(people["customers"]),
        contact_name="赵科长",
        contact_phone=f"+86138{rng.randrange(10**8):08d}",
        title=rng.choice(TITLES),
        description="客户来电反映故障，请尽快安排处理。",
        tier="L3" if team_id == people["teams"][-1][0] or team_id == people["teams"][-2][0] else "L2",
        created_by_id=rng.choice(people["creators"]),
        service_level_id=people["levels"][level] if level else None,
        entitlement=rng.choice(["warranty", "billable"]),
        entitlement_facts={"reason": "paid_maintenance", "contract": "HT-BENCH"},
        on_site_required=priority <= 2 and rng.random() < 0.4,
    )
    if status != "new":
        ticket.team_id, ticket.assignee_id = team_id, rng.choice(members)
    minutes = {target.clock: target.minutes for target in book.targets_for(ticket)}
    response = minutes.get("response", 60)
    # Before acceptance the response clock is the first to reach a rung; after it, the slowest of the rest.
    if status in ("new", "assigned"):
        limit = response
    else:
        limit = min(value for clock, value in minutes.items() if clock != "response")
    scale = 0.45
    for _attempt in range(20):
        age = dt.timedelta(minutes=limit * scale * rng.uniform(0.05, 1.0))
        events = timeline(rng, ticket, now, age, response, people)
        states = clock_states(ticket, events, book, now)
        if not any(level.crossed for state in states for level in state.levels):
            break
        scale /= 2  # business time and wall time disagree less than feared, but never let a rung be due
    else:
        raise RuntimeError(f"could not age ticket {ticket_id} without reaching a rung")
    return ticket, events, states


def timeline(rng, ticket, now: dt.datetime, age: dt.timedelta, response_minutes: int, people: dict) -> list:
    """The events the intake, dispatch and lifecycle services would have written for this ticket."""
    from aftersales.tickets.models import TicketEvent

    received_at = now - age
    created_at = received_at + min(age * 0.1, dt.timedelta(minutes=1))
    ticket.received_at = received_at
    ticket.responded_at = None
    events = [
        TicketEvent(
            ticket_id=ticket.id,
            kind="created",
            actor_id=ticket.created_by_id,
            at=created_at,
            to_status="new",
            data={
                "channel": ticket.channel,
                "entitlement": ticket.entitlement,
                "priority": ticket.priority,
                "received_at": received_at.isoformat(),
            },
        )
    ]
    if ticket.status != "new":
        # Acknowledged well before the first rung of the response clock, so that clock was met quietly.
        room = min(age * 0.9, dt.timedelta(minutes=response_minutes * 0.4))
        assigned_at = created_at + (room - (created_at - received_at)) * rng.uniform(0.1, 0.5)
        events.append(
            TicketEvent(
                ticket_id=ticket.id,
                kind="assigned",
                actor_id=people["dispatcher"],
                at=assigned_at,
                from_status="new",
                to_status="assigned",
                data={
                    "assignee": ticket.assignee_id,
                    "assignee_name": people["names"][ticket.assignee_id],
                    "team": ticket.team_id,
                    "tier": ticket.tier,
                },
            )
        )
        if ticket.status != "assigned":
            accepted_at = assigned_at + (received_at + room - assigned_at) * rng.uniform(0.2, 0.9)
            ticket.responded_at = accepted_at
            events.append(status_event(ticket, accepted_at, "assigned", "in_progress", "accept"))
            if ticket.status in PENDING_ACTIONS:
                pended_at = accepted_at + (now - accepted_at) * rng.uniform(0.1, 0.9)
                events.append(
                    status_event(ticket, pended_at, "in_progress", ticket.status, PENDING_ACTIONS[ticket.status])
                )
    ticket.version = len(events)
    ticket.updated_at = events[-1].at
    return events


def status_event(ticket, at: dt.datetime, from_status: str, to_status: str, action: str):
    from aftersales.tickets.models import TicketEvent

    return TicketEvent(
        ticket_id=ticket.id,
        kind="status_changed",
        actor_id=ticket.assignee_id,
        at=at,
        from_status=from_status,
        to_status=to_status,
        data={"action": action},
    )


def copy_rows(cursor, model, objects, *, with_id: bool) -> int:
    """COPY model instances into their table, every concrete column converted as the ORM would save it."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    count = 0
    with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for instance in objects:
            copy.write_row([f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields])
            count += 1
    return count


def load_tickets(count: int, now: dt.datetime, people: dict, rng: random.Random, started: float) -> Counter:
    """Plan every ticket with its SLA cache (the sweep's own functions), then COPY tickets and events."""
    from django.db import connection, transaction

    from aftersales.tickets.models import Ticket, TicketEvent, TicketSequence
    from aftersales.tickets.sla import PolicyBook, cache_fields

    book = PolicyBook.load()
    numbers = Sequences()
    tickets, events = [], []
    statistics_: Counter = Counter()
    for ticket_id in range(1, count + 1):
        ticket, ticket_events, states = plan_ticket(rng, ticket_id, now, people, book)
        cache_fields(ticket, states)
        ticket.next_check_at = min((at for state in states if (at := state.next_level_at)), default=None)
        ticket.number = numbers.number(ticket.received_at)
        tickets.append(ticket)
        events += ticket_events
        statistics_[ticket.status] += 1
        statistics_[f"P{ticket.priority}"] += 1
        statistics_[f"health {ticket.sla_health}"] += 1
        statistics_["checked" if ticket.next_check_at else "not checked (paused)"] += 1
        if ticket_id % 20_000 == 0:
            step(f"planned {ticket_id:,} tickets with their clocks", started)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        copy_rows(cursor, Ticket, tickets, with_id=True)
        copy_rows(cursor, TicketEvent, events, with_id=False)
        TicketSequence.objects.bulk_create(TicketSequence(day=day, last=last) for day, last in numbers.by_day.items())
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), (SELECT max(id) FROM tickets_ticket))"
        )
        cursor.execute(f"COMMENT ON DATABASE \"{DATABASE_NAME}\" IS 'sla bench now={now.isoformat()}'")
    statistics_["events"] = len(events)
    step(f"copied {len(tickets):,} tickets and {len(events):,} events", started)
    return statistics_


def build(arguments) -> dt.datetime:
    started = time.monotonic()
    recreate_database()
    step(f"recreated database {DATABASE_NAME}", started)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    step("migrated", started)
    rng = random.Random(arguments.seed)
    people = create_people(rng)
    step(f"created {people['users']} users, {len(people['teams'])} teams with leads, 14 duty shifts", started)
    now = minute_floor(dt.datetime.now(dt.UTC))
    figures = load_tickets(arguments.tickets, now, people, rng, started)
    connection.close()

    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as raw:
        raw.execute("VACUUM (ANALYZE)")
    step("vacuumed and analysed", started)
    print(f"\n{arguments.tickets:,} open tickets, {figures['events']:,} events; 'now' of the bench: {now.isoformat()}")
    for group in (OPEN_STATUSES, ["P1", "P2", "P3", "P4"]):
        print("  " + "  ".join(f"{name} {figures[name]:,}" for name in group))
    print("  " + "  ".join(f"{name} {number:,}" for name, number in sorted(figures.items()) if " " in name))
    print(f"Built in {time.monotonic() - started:.1f} s\n")
    return now


def stored_now() -> dt.datetime:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        )
        row = cursor.fetchone()
    if not row or not row[0] or "now=" not in row[0]:
        sys.exit(f"{DATABASE_NAME} was not built by this script: run it without --measure-only first")
    return dt.datetime.fromisoformat(row[0].split("now=", 1)[1])


# --- measurement -------------------------------------------------------------------------------


@dataclass
class QueryLog:
    """Every statement the sweep runs, with its time in the database driver."""

    queries: list[tuple[str, float]] = field(default_factory=list)
    keep_sql: bool = False
    statements: list[tuple[str, object]] = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, time.perf_counter() - started))
            if self.keep_sql:
                self.statements.append((sql, params))

    @property
    def sql_ms(self) -> float:
        return sum(seconds for _sql, seconds in self.queries) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def explain(sql: str, params) -> str:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)  # EXPLAIN ANALYZE ran the FOR UPDATE: release what it locked
    return plan


def sweep_idle(now: dt.datetime, repetitions: int) -> tuple[float, float, bool]:
    from django.db import connection

    from aftersales.tickets.services import sla_sweep

    for _ in range(20):
        sla_sweep(now=now)
    log = QueryLog(keep_sql=True)
    with connection.execute_wrapper(log):
        result = sla_sweep(now=now)
    timings = []
    for _ in range(repetitions):
        started = time.perf_counter()
        result = sla_sweep(now=now)
        timings.append((time.perf_counter() - started) * 1000)
        assert result.tickets == 0, "the idle sweep found due tickets"
    median, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(f"1. Sweep with nothing due ({repetitions} calls after 20 warm-up, 'now' = the bench's now)")
    print(
        f"   median {median:.2f} ms   p95 {p95:.2f} ms   max {max(timings):.2f} ms   queries per call {len(log.queries)}"
    )
    sql, params = log.statements[0]
    shown = re.sub(r"^SELECT .*? FROM", "SELECT <ticket, customer and assignee columns> FROM", sql, flags=re.S)
    print(f"   due query: {shown}  (params {[str(param) for param in params]})")
    plan = explain(sql, params)
    print("   EXPLAIN (ANALYZE, BUFFERS):\n     " + plan.replace("\n", "\n     "))
    uses_index = "ticket_sla_check_idx" in plan and not SEQUENTIAL_SCAN.search(plan)
    if not uses_index:
        print("   !!!!!!!! THE DUE QUERY DOES NOT USE ticket_sla_check_idx (or scans tickets_ticket) !!!!!!!!")
    verdict = "ok" if p95 <= IDLE_TARGET_MS else f"p95 over {IDLE_TARGET_MS:.0f} ms"
    print(f"   verdict: {verdict}\n")
    return median, p95, uses_index


def make_due(now: dt.datetime, rng: random.Random, *, breach: bool) -> list[int]:
    """Turn 1,000 fresh dispatched tickets into assigned standard-policy P1s whose response clock just reached a rung.

    warning: received 20 minutes before `now`, so the 50 % rung (15 min) passed 5 minutes ago;
    breach: received 31 minutes before, the 50 % and 80 % rungs already fired, the 100 % rung just passed.
    Their timelines are rewritten (created, assigned) and next_check_at is the rung's time, as the
    previous sweep would have left it.
    """
    from django.db import transaction

    from aftersales.contracts.models import ServiceLevel
    from aftersales.tickets.models import SlaEscalation, Ticket, TicketEvent

    candidates = list(
        Ticket.objects.filter(assignee__isnull=False, escalations__isnull=True)
        .exclude(next_check_at__lte=now)
        .values_list("pk", flat=True)
    )
    if len(candidates) < DUE_TICKETS:
        sys.exit(f"only {len(candidates)} fresh dispatched tickets left: rebuild, or with more --tickets")
    ids = sorted(rng.sample(candidates, DUE_TICKETS))
    received_at = now - dt.timedelta(minutes=31 if breach else 20)
    rung_at = received_at + dt.timedelta(minutes=30 if breach else 15)
    standard = ServiceLevel.objects.get(code="standard").pk
    with transaction.atomic():
        tickets = list(Ticket.objects.filter(pk__in=ids).only("pk", "assignee_id", "team_id", "tier", "created_by_id"))
        Ticket.objects.filter(pk__in=ids).update(
            status="assigned",
            responded_at=None,
            priority=1,
            urgency=1,
            impact=1,
            kind="major_fault",
            service_level_id=standard,
            on_site_required=False,
            received_at=received_at,
            next_check_at=rung_at,
            updated_at=received_at + dt.timedelta(minutes=3),
        )
        TicketEvent.objects.filter(ticket_id__in=ids).delete()
        events = []
        for ticket in tickets:
            data = {
                "channel": "phone",
                "entitlement": "billable",
                "priority": 1,
                "received_at": received_at.isoformat(),
            }
            events.append(
                TicketEvent(
                    ticket_id=ticket.pk,
                    kind="created",
                    actor_id=ticket.created_by_id,
                    at=received_at + dt.timedelta(minutes=1),
                    to_status="new",
                    data=data,
                )
            )
            events.append(
                TicketEvent(
                    ticket_id=ticket.pk,
                    kind="assigned",
                    actor_id=ticket.created_by_id,
                    at=received_at + dt.timedelta(minutes=3),
                    from_status="new",
                    to_status="assigned",
                    data={"assignee": ticket.assignee_id, "team": ticket.team_id, "tier": ticket.tier},
                )
            )
        TicketEvent.objects.bulk_create(events)
        if breach:
            SlaEscalation.objects.bulk_create(
                SlaEscalation(
                    ticket_id=ticket_id,
                    clock="response",
                    percent=percent,
                    reached_at=received_at + dt.timedelta(minutes=minutes),
                    fired_at=received_at + dt.timedelta(minutes=minutes),
                )
                for ticket_id in ids
                for percent, minutes in ((50, 15), (80, 24))
            )
    return ids


@dataclass
class Round:
    kind: str
    ms: float
    tickets: int
    escalations: int
    messages: int
    queries: int
    sql_ms: float
    cpu_ms: float
    statements: Counter
    slowest: dict[str, list[float]]  # statement (start of its SQL) -> the time of each execution, ms


def sweep_due(now: dt.datetime, rng: random.Random, *, breach: bool) -> Round:
    from django.db import connection

    from aftersales.notifications.models import Outbox
    from aftersales.tickets.models import SlaEscalation
    from aftersales.tickets.services import sla_sweep

    ids = make_due(now, rng, breach=breach)
    escalations_before, outbox_before = SlaEscalation.objects.count(), Outbox.objects.count()
    log = QueryLog()
    with connection.execute_wrapper(log):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = sla_sweep(now=now)
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - cpu_started) * 1000
    written = (SlaEscalation.objects.count() - escalations_before, Outbox.objects.count() - outbox_before)
    assert result.tickets == len(ids), f"swept {result.tickets} tickets, expected {len(ids)}"
    assert written == (result.escalations, result.messages), f"rows written {written}, reported {result}"
    statements = Counter(sql.split(None, 1)[0].upper() for sql, _seconds in log.queries)
    slowest: dict[str, list[float]] = {}
    for sql, seconds in log.queries:
        slowest.setdefault(statement_label(sql), []).append(seconds * 1000)
    return Round(
        "breach" if breach else "warning",
        elapsed,
        result.tickets,
        result.escalations,
        result.messages,
        len(log.queries),
        log.sql_ms,
        cpu,
        statements,
        slowest,
    )


def statement_label(sql: str) -> str:
    """`UPDATE tickets_ticket`, `SELECT tickets_ticketevent`…: what a statement does to which table."""
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    return f"{verb} {table.group(1) if table else '?'}"


def print_rounds(title: str, rounds: list[Round]) -> None:
    print(title)
    print("   round   ms total  ms in SQL  Python CPU ms  tickets  escalations  messages  queries (by statement)")
    for number, round_ in enumerate(rounds, start=1):
        kinds = ", ".join(f"{name} {count}" for name, count in round_.statements.most_common())
        print(
            f"   {number:>5} {round_.ms:>10.1f} {round_.sql_ms:>10.1f} {round_.cpu_ms:>14.1f} {round_.tickets:>8,}"
            f" {round_.escalations:>12,}"
            f" {round_.messages:>9,}  {round_.queries} ({kinds})"
        )
    timings = [round_.ms for round_ in rounds]
    print(f"   median {statistics.median(timings):.1f} ms   worst {max(timings):.1f} ms")
    totals: dict[str, list[float]] = {}
    for round_ in rounds:
        for label, times in round_.slowest.items():
            totals.setdefault(label, []).append(sum(times))
    counts = {label: len(times) for label, times in rounds[-1].slowest.items()}
    ranked = sorted(totals.items(), key=lambda item: -statistics.median(item[1]))[:8]
    print(
        "   SQL time per round by statement (median): "
        + "; ".join(f"{label} x{counts.get(label, 0)} {statistics.median(times):.1f} ms" for label, times in ranked)
    )


def profile_round(now: dt.datetime, rng: random.Random) -> None:
    from aftersales.tickets.services import sla_sweep

    make_due(now, rng, breach=False)
    profiler = cProfile.Profile()
    profiler.enable()
    result = sla_sweep(now=now)
    profiler.disable()
    print(f"\ncProfile of one more warning round ({result.tickets} tickets, {result.escalations} escalations):")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(25)
        text = out.getvalue()
        print(f"--- by {order} ---")
        print(text[text.index("   ncalls") :].rstrip())


def measure(now: dt.datetime, arguments) -> int:
    from django.db import connection

    from aftersales.tickets.models import Ticket

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('ticket_sla_check_idx'))")
        index_size = cursor.fetchone()[0]
    checked = Ticket.objects.filter(next_check_at__isnull=False).count()
    print(
        f"load average {os.getloadavg()[0]:.2f}; {Ticket.objects.count():,} tickets, {checked:,} in ticket_sla_check_idx ({index_size})\n"
    )
    rng = random.Random(arguments.seed + 1)
    _median, idle_p95, uses_index = sweep_idle(now, arguments.repetitions)

    # A worker that has run before has imported the URLconf (links in messages) and filled Django's caches.
    warm_up = sweep_due(now, rng, breach=False)
    print(f"   (warm-up round, first escalations of this process: {warm_up.ms:.1f} ms, not counted)\n")

    warnings = [sweep_due(now, rng, breach=False) for _ in range(arguments.rounds)]
    print_rounds(
        f"2. {DUE_TICKETS:,} tickets crossing the 50 % rung of their response clock at once (one in-app message each)",
        warnings,
    )
    due_median = statistics.median(round_.ms for round_ in warnings)
    due_worst = max(round_.ms for round_ in warnings)
    print(
        f"   verdict: {'ok' if due_median <= DUE_TARGET_MS else f'median over {DUE_TARGET_MS:.0f} ms'}"
        f"{'' if due_worst <= DUE_TARGET_MS else f' (worst over {DUE_TARGET_MS:.0f} ms)'}\n"
    )
    if arguments.breach_rounds:
        breaches = [sweep_due(now, rng, breach=True) for _ in range(arguments.breach_rounds)]
        print_rounds(
            f"   (informational) {DUE_TICKETS:,} tickets breaching: 100 % rung, assignee, team lead and duty manager"
            " by in-app, SMS and email",
            breaches,
        )
    idle_after = statistics.median(timed_idle(now) for _ in range(50))
    print(f"\n   sweep with nothing due after the rounds: median {idle_after:.2f} ms")
    if arguments.profile:
        profile_round(now, rng)

    passed = idle_p95 <= IDLE_TARGET_MS and uses_index and due_median <= DUE_TARGET_MS
    print(f"\nload average {os.getloadavg()[0]:.2f}")
    print(
        f"Result: {'PASS' if passed else 'FAIL'} (targets: idle p95 <= {IDLE_TARGET_MS:.0f} ms with"
        f" ticket_sla_check_idx, {DUE_TICKETS:,} due <= {DUE_TARGET_MS:.0f} ms)"
    )
    return 0 if passed else 1


def timed_idle(now: dt.datetime) -> float:
    from aftersales.tickets.services import sla_sweep

    started = time.perf_counter()
    result = sla_sweep(now=now)
    assert result.tickets == 0, "tickets were left due after the rounds"
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets to build (default 100,000)")
    parser.add_argument("--seed", type=int, default=20261201, help="random seed, for a repeatable data set")
    parser.add_argument("--measure-only", action="store_true", help="measure the database built before")
    parser.add_argument("--repetitions", type=int, default=500, help="idle sweeps timed (default 500)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of 1,000 due tickets (default 5)")
    parser.add_argument("--breach-rounds", type=int, default=2, help="informational breach rounds (default 2)")
    parser.add_argument("--profile", action="store_true", help="cProfile one extra round of 1,000 due tickets")
    arguments = parser.parse_args()
    if arguments.tickets < 10_000:
        parser.error("--tickets must be at least 10,000 (the rounds need fresh assigned tickets)")

    configure_django()
    if arguments.measure_only:
        import django

        django.setup()
        now = stored_now()
    else:
        now = build(arguments)
    sys.exit(measure(now, arguments))


if __name__ == "__main__":
    main()
