"""Benchmark the monthly service report of one customer and the internal monthly statistics on 1,000,000 tickets.

    python bench/reports.py                   # build the database (~5 min on 2 busy cores), then measure
    python bench/reports.py --measure-only    # measure again on the database built before
    python bench/reports.py --tickets 50000   # a quick try

Drops and recreates its own PostgreSQL database, `aftersales_bench_reports` on 127.0.0.1:5432 (user postgres,
trust auth), and no other. The master data and the tickets come from `bench/generate.py` (50 customers with a
Zipf-like volume, 3 years of tickets growing ~80 %, COPY with indexes rebuilt after); this script adds what the
SLA engine replays: every ticket's timeline as the services write it (created, assigned, accepted, a pause for
the customer on a fifth of them, resolved, confirmed, closed, archived or cancelled), and a work order for each
ticket solved on site. Nothing here is part of the pytest run.

It then times, after one warm-up, `--runs` calls of
1. `compute_figures(customer, contract, period)`: the service report (without the PDF) of the (customer,
   contract) with the most tickets in the last full month, and the raw SQL aggregate it rests on (the same
   figures in plain SQL: counts by kind and priority, response and resolution met from the events with fixed
   targets and no calendars or pauses, outages, work orders, follow-ups, complaints, repeat equipment, titles);
2. `monthly_statistics(user, period)` for the same month over every customer, and the raw SQL it rests on (the
   very queries it sends, run bare through psycopg with their rows fetched).
Target: each at most 2 s and at most twice its raw SQL. Exit status 0 when both are met, 1 otherwise.
"""

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate as base  # bench/generate.py: master data and the ticket COPY

DATABASE_NAME = "aftersales_bench_reports"
base.DATABASE_NAME = DATABASE_NAME
base.DATABASE_URL = f"{base.SERVER_URL}/{DATABASE_NAME}"
TARGET_SECONDS = 2.0
TARGET_RATIO = 2.0
PAUSED_SHARE = 0.2
PAUSE_NOTES = ["等待用户确认停机窗口", "等待用户提供日志", "用户机房暂不能进入"]

# The fields of a generated ticket row the timeline needs (positions in generate.TICKET_COLUMNS).
COLUMN = {name: index for index, name in enumerate(base.TICKET_COLUMNS)}
KEPT = (
    "id",
    "kind",
    "priority",
    "status",
    "channel",
    "entitlement",
    "customer_id",
    "site_id",
    "assignee_id",
    "created_by_id",
    "tier",
    "resolution_method",
    "received_at",
    "responded_at",
    "resolved_at",
    "confirmed_at",
    "closed_at",
    "archived_at",
    "updated_at",
)


# --- build -------------------------------------------------------------------------------------------------------


def build(arguments, started: float) -> None:
    base.configure_django()
    base.recreate_database()
    base.step(f"recreated database {DATABASE_NAME}", started)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    base.step("migrated", started)
    rng = random.Random(arguments.seed)
    data = base.create_master_data(rng, dt.date.today())
    base.step(f"master data: {len(data['customers'])} customers, {data['counts']['contracts']} contracts", started)

    kept: list[tuple] = []
    generate_rows = base.ticket_rows

    def recording(*args, **kwargs):
        for row, asset_id, day, sequence in generate_rows(*args, **kwargs):
            kept.append(tuple(row[COLUMN[name]] for name in KEPT))
            yield row, asset_id, day, sequence

    base.ticket_rows = recording
    counts = base.copy_tickets(arguments.tickets, data, rng, started)
    base.step(f"tickets by status: {dict(counts.most_common())}", started)
    events = copy_timelines(kept, data, random.Random(arguments.seed + 1), started)
    orders = copy_work_orders(kept, data, random.Random(arguments.seed + 2), started)
    kept.clear()

    from django.db import connection

    connection.close()
    import psycopg

    with psycopg.connect(base.DATABASE_URL, autocommit=True) as raw:
        raw.execute("VACUUM (ANALYZE)")
    base.step(f"{events:,} ticket events and {orders:,} work orders; vacuumed and analysed", started)


def _event_rows(ticket: tuple, data: dict, rng: random.Random, now: dt.datetime):
    """The events the ticket services would have written for this ticket, in order."""
    t = dict(zip(KEPT, ticket, strict=True))
    received, actor = t["received_at"], t["created_by_id"]
    worker = t["assignee_id"] or rng.choice(data["agents"])
    created = {
        "channel": t["channel"],
        "entitlement": t["entitlement"],
        "priority": t["priority"],
        "received_at": received.isoformat(),
    }
    yield (t["id"], "created", actor, received, "", "new", "", created)
    status = t["status"]
    if status == "new":
        return
    if status == "cancelled":
        yield (t["id"], "status_changed", actor, t["updated_at"], "new", "cancelled", "客户撤销", {"action": "cancel"})
        return
    responded = t["responded_at"]
    assigned_at = received + (responded - received) * rng.uniform(0.2, 0.8)
    yield (t["id"], "assigned", worker, assigned_at, "new", "assigned", "", {"assignee": worker, "tier": t["tier"]})
    if status == "assigned":
        return
    yield (t["id"], "status_changed", worker, responded, "assigned", "in_progress", "", {"action": "accept"})
    resolved = t["resolved_at"]
    end = resolved or now
    if status.startswith("pending_"):
        paused_at = responded + (end - responded) * rng.uniform(0.1, 0.9)
        action = {"pending_customer": "pend_customer", "pending_vendor": "pend_vendor", "pending_parts": "pend_parts"}
        note = rng.choice(PAUSE_NOTES)
        yield (t["id"], "status_changed", worker, paused_at, "in_progress", status, note, {"action": action[status]})
        return
    if resolved is None:
        return
    if rng.random() < PAUSED_SHARE:
        paused_at = responded + (resolved - responded) * rng.uniform(0.1, 0.4)
        resumed_at = paused_at + (resolved - paused_at) * rng.uniform(0.2, 0.8)
        note = rng.choice(PAUSE_NOTES)
        pend = {"action": "pend_customer"}
        yield (t["id"], "status_changed", worker, paused_at, "in_progress", "pending_customer", note, pend)
        resume = {"action": "resume"}
        yield (t["id"], "status_changed", worker, resumed_at, "pending_customer", "in_progress", "", resume)
    yield (t["id"], "status_changed", worker, resolved, "in_progress", "resolved", "", {"action": "resolve"})
    previous = "resolved"
    for column, action, to in (
        ("confirmed_at", "confirm", "confirmed"),
        ("closed_at", "close", "closed"),
        ("archived_at", "archive", "archived"),
    ):
        if t[column] is not None:
            yield (t["id"], "status_changed", worker, t[column], previous, to, "", {"action": action})
            previous = to


def _copy(table: str, columns: tuple[str, ...], rows, started: float, label: str) -> int:
    """COPY rows into `table` with its secondary indexes and constraints dropped, then rebuilt."""
    from django.db import connection, transaction

    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        constraints, indexes = base.table_constraints_and_indexes(cursor, table)
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        names = ", ".join(f'"{column}"' for column in columns)
        with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
                if count % 1_000_000 == 0:
                    base.step(f"copied {count:,} {label}", started)
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))")
    base.step(f"copied {count:,} {label}, indexes rebuilt", started)
    return count


def copy_timelines(kept: list[tuple], data: dict, rng: random.Random, started: float) -> int:
    from aftersales.tickets.models import TicketEvent

    now = dt.datetime.now(dt.UTC)

    def rows():
        for ticket in kept:
            for ticket_id, kind, actor, at, from_status, to_status, note, payload in _event_rows(
                ticket, data, rng, now
            ):
                yield (
                    ticket_id,
                    kind,
                    actor,
                    at,
                    from_status,
                    to_status,
                    note,
                    json.dumps(payload, ensure_ascii=False),
                )

    columns = ("ticket_id", "kind", "actor_id", "at", "from_status", "to_status", "note", "data")
    return _copy(TicketEvent._meta.db_table, columns, rows(), started, "ticket events")


def copy_work_orders(kept: list[tuple], data: dict, rng: random.Random, started: float) -> int:
    """One signed (or archived) on-site work order for each ticket solved on site."""
    from django.db import connection

    from aftersales.dispatch.models import WorkOrder

    fields = {field.column: field for field in WorkOrder._meta.concrete_fields if field.column != "id"}
    defaults = {
        column: field.get_db_prep_save(
            field.get_default() if field.has_default() or not field.null else None, connection
        )
        for column, field in fields.items()
    }

    def rows():
        for ticket in kept:
            t = dict(zip(KEPT, ticket, strict=True))
            if t["resolution_method"] != "on_site" or t["resolved_at"] is None:
                continue
            dispatched = t["responded_at"]
            started_at = dispatched + (t["resolved_at"] - dispatched) * rng.uniform(0.1, 0.5)
            values = {
                **defaults,
                "number": f"WO{t['id']:09d}-1",
                "ticket_id": t["id"],
                "customer_id": t["customer_id"],
                "site_id": t["site_id"],
                "kind": "on_site",
                "status": "archived" if t["archived_at"] else "signed",
                "version": 6,
                "dispatcher_id": rng.choice(data["agents"]),
                "dispatched_at": dispatched,
                "basis": "服务请求派单",
                "engineer_id": rng.choice(data["engineers"]),
                "accept_by": dispatched + dt.timedelta(minutes=15),
                "accepted_at": dispatched + dt.timedelta(minutes=rng.uniform(1, 14)),
                "problem_description": "现场处理",
                "started_at": started_at,
                "ended_at": t["resolved_at"],
                "labour_hours": round(rng.uniform(0.5, 6), 2),
                "travel_km": round(rng.uniform(2, 60), 1),
                "archived_at": t["archived_at"],
                "created_at": dispatched,
                "updated_at": t["resolved_at"],
            }
            yield tuple(values[column] for column in fields)

    return _copy(WorkOrder._meta.db_table, tuple(fields), rows(), started, "work orders")


# --- measure -----------------------------------------------------------------------------------------------------


def timed(function, runs: int) -> tuple[float, float, object]:
    """(median wall seconds, median CPU seconds, last result) of `runs` calls after one warm-up."""
    result = function()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def run_bare(statements: list[tuple[str, tuple]]) -> float:
    """Run SQL statements through psycopg directly, fetching every row; the seconds it took."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    start = time.perf_counter()
    with raw.cursor() as cursor:
        for sql, parameters in statements:
            cursor.execute(sql, parameters)
            if cursor.description is not None:
                cursor.fetchall()
    return time.perf_counter() - start


def captured(function) -> list[tuple[str, tuple]]:
    """The SQL statements (with their parameters) that `function` sends."""
    from django.db import connection

    statements = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        function()
    return statements


SERVICE_REPORT_SQL = [
    # Requests by kind and priority, resolved by the end, cancelled.
    """SELECT kind, priority, count(*), count(*) FILTER (WHERE resolved_at < %(until)s),
              count(*) FILTER (WHERE status = 'cancelled')
       FROM tickets_ticket WHERE customer_id = %(customer)s AND contract_id = %(contract)s
         AND received_at >= %(since)s AND received_at < %(until)s GROUP BY kind, priority""",
    # Response and resolution met, from every event of every ticket of the month (fixed 7x24 targets: the
    # engine's calendars, pauses and per-policy targets are what the replay adds).
    """WITH month AS (
           SELECT id, priority, received_at FROM tickets_ticket
           WHERE customer_id = %(customer)s AND contract_id = %(contract)s
             AND received_at >= %(since)s AND received_at < %(until)s),
       moments AS (
           SELECT e.ticket_id, count(*) AS events,
                  min(e.at) FILTER (WHERE e.data->>'action' = 'accept') AS responded,
                  max(e.at) FILTER (WHERE e.data->>'action' = 'resolve') AS resolved,
                  sum(CASE WHEN e.to_status LIKE 'pending%%' THEN 1 ELSE 0 END) AS pauses
           FROM tickets_ticketevent e JOIN month m ON m.id = e.ticket_id GROUP BY e.ticket_id)
       SELECT m.priority, count(*), sum(events), sum(pauses),
              count(*) FILTER (WHERE responded - m.received_at <= interval '30 minutes'),
              count(*) FILTER (WHERE responded - m.received_at > interval '30 minutes'),
              count(*) FILTER (WHERE resolved - m.received_at <= interval '8 hours'),
              count(*) FILTER (WHERE resolved - m.received_at > interval '8 hours')
       FROM month m JOIN moments ON moments.ticket_id = m.id GROUP BY m.priority""",
    # Outages of major and catastrophic faults, per piece of equipment.
    """SELECT a.asset_id, count(*), sum(LEAST(coalesce(t.resolved_at, %(until)s), %(until)s)
                                         - GREATEST(t.received_at, %(since)s))
       FROM tickets_ticket t LEFT JOIN tickets_ticket_assets a ON a.ticket_id = t.id
       WHERE t.customer_id = %(customer)s AND t.contract_id = %(contract)s
         AND t.kind IN ('major_fault', 'catastrophic_fault') AND t.status <> 'cancelled'
         AND t.received_at < %(until)s AND (t.resolved_at IS NULL OR t.resolved_at > %(since)s)
       GROUP BY a.asset_id""",
    # Work done.
    """SELECT count(*), count(*) FILTER (WHERE w.kind = 'on_site'), sum(w.labour_hours), sum(w.travel_km)
       FROM dispatch_workorder w JOIN tickets_ticket t ON t.id = w.ticket_id
       WHERE w.customer_id = %(customer)s AND t.contract_id = %(contract)s
         AND w.started_at >= %(since)s AND w.started_at < %(until)s
         AND w.status NOT IN ('declined', 'cancelled')""",
    # Follow-ups answered, complaints.
    """SELECT f.outcome, count(*), avg(f.score_overall) FROM quality_followup f
       JOIN tickets_ticket t ON t.id = f.ticket_id
       WHERE t.customer_id = %(customer)s AND t.contract_id = %(contract)s AND f.status = 'done'
         AND f.answered_at >= %(since)s AND f.answered_at < %(until)s GROUP BY f.outcome""",
    """SELECT count(*) FROM tickets_ticket WHERE customer_id = %(customer)s AND kind = 'complaint'
         AND (contract_id = %(contract)s OR contract_id IS NULL)
         AND received_at >= %(since)s AND received_at < %(until)s""",
    # Repeat equipment and the titles' words.
    """SELECT a.asset_id, count(*) FROM tickets_ticket_assets a JOIN tickets_ticket t ON t.id = a.ticket_id
       WHERE t.customer_id = %(customer)s AND t.contract_id = %(contract)s
         AND t.received_at >= %(since)s AND t.received_at < %(until)s
       GROUP BY a.asset_id HAVING count(*) >= 2 ORDER BY 2 DESC LIMIT 10""",
    """SELECT title, count(*) FROM tickets_ticket WHERE customer_id = %(customer)s AND contract_id = %(contract)s
         AND received_at >= %(since)s AND received_at < %(until)s GROUP BY title""",
]


def measure(arguments) -> int:
    base.configure_django()
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from aftersales.accounts.models import User
    from aftersales.contracts.models import Contract
    from aftersales.customers.models import Customer
    from aftersales.reports.periods import month_of, previous_period
    from aftersales.reports.service_report.figures import compute_figures
    from aftersales.reports.statistics import monthly_statistics
    from aftersales.tickets.sla_report import period_bounds, sla_compliance

    period = previous_period("month", timezone.localdate())
    period = month_of(period.start)
    since, until = period_bounds(period.start, period.end)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT customer_id, contract_id, count(*) FROM tickets_ticket WHERE received_at >= %s AND "
            "received_at < %s GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1",
            [since, until],
        )
        customer_id, contract_id, month_tickets = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM tickets_ticketevent e JOIN tickets_ticket t ON t.id = e.ticket_id WHERE "
            "t.customer_id = %s AND t.contract_id = %s AND t.received_at >= %s AND t.received_at < %s",
            [customer_id, contract_id, since, until],
        )
        month_events = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM tickets_ticket WHERE received_at >= %s AND received_at < %s", [since, until]
        )
        all_month = cursor.fetchone()[0]
    customer, contract = Customer.objects.get(pk=customer_id), Contract.objects.get(pk=contract_id)
    manager = User.objects.get(username="manager")
    runs = arguments.runs
    print(f"\n{total:,} tickets; month {period.start:%Y-%m}: {all_month:,} tickets of every customer")
    print(
        f"service report of {customer.name} under {contract.number}: {month_tickets:,} tickets, "
        f"{month_events:,} events (the largest customer-contract of the month)"
    )
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[0]}")

    report_wall, report_cpu, figures = timed(
        lambda: compute_figures(customer=customer, contract=contract, period=period), runs
    )
    replay_wall, replay_cpu, _ = timed(
        lambda: sla_compliance(
            user=manager, start=period.start, end=period.end, customer_id=customer.pk, contract_id=contract.pk
        ),
        runs,
    )
    parameters = {"customer": customer.pk, "contract": contract.pk, "since": since, "until": until}
    report_sql_wall, _, _ = timed(lambda: run_bare([(sql, parameters) for sql in SERVICE_REPORT_SQL]), runs)
    report_queries = captured(lambda: compute_figures(customer=customer, contract=contract, period=period))
    report_bare_wall, _, _ = timed(lambda: run_bare(report_queries), runs)

    stats_wall, stats_cpu, stats = timed(lambda: monthly_statistics(user=manager, period=period), runs)
    stats_queries = captured(lambda: monthly_statistics(user=manager, period=period))
    stats_sql_wall, _, _ = timed(lambda: run_bare(stats_queries), runs)

    print(f"\n{runs} runs after one warm-up each; medians")
    header = f"{'':58}{'wall s':>9}{'CPU s':>9}"
    print(header)
    print(f"{'1. service report (compute_figures, no PDF)':58}{report_wall:9.3f}{report_cpu:9.3f}")
    print(f"{'   of which the SLA replay (sla_compliance)':58}{replay_wall:9.3f}{replay_cpu:9.3f}")
    print(
        f"{'   its queries run bare (' + str(len(report_queries)) + ' statements, rows fetched)':58}{report_bare_wall:9.3f}"
    )
    print(
        f"{'   raw SQL aggregate it rests on (' + str(len(SERVICE_REPORT_SQL)) + ' statements)':58}{report_sql_wall:9.3f}"
    )
    print(f"{'2. monthly statistics (monthly_statistics)':58}{stats_wall:9.3f}{stats_cpu:9.3f}")
    print(
        f"{'   raw SQL it rests on (its ' + str(len(stats_queries)) + ' statements run bare)':58}{stats_sql_wall:9.3f}"
    )
    sla = figures["sla"]["total"]
    print(
        f"\nreport: {figures['tickets']['total']:,} tickets, clocks counted {sla['counted']:,} (met {sla['met']:,}, "
        f"breached {sla['breached']:,}, running {sla['running']:,}), {len(figures['breaches']):,} breaches, "
        f"{len(figures['availability']['systems'])} systems with outages, {figures['work']['count']:,} work orders"
    )
    print(f"statistics: {stats.total:,} tickets, {stats.unfinished_count:,} unfinished at the month's end")
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[0]}")

    verdicts = []
    for name, wall, raw in (
        ("service report", report_wall, report_sql_wall),
        ("statistics", stats_wall, stats_sql_wall),
    ):
        ratio = wall / raw if raw else float("inf")
        ok = wall <= TARGET_SECONDS and ratio <= TARGET_RATIO
        verdicts.append(ok)
        print(f"{name}: {wall:.3f} s, {ratio:.2f}x its raw SQL -> {'ok' if ok else 'TARGET MISSED'}")
    print(f"Result: {'PASS' if all(verdicts) else 'FAIL'} (target: <= {TARGET_SECONDS} s and <= {TARGET_RATIO}x)")
    return 0 if all(verdicts) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000, help="how many tickets (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=20260101, help="random seed, for a repeatable data set")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each measurement (default 5)")
    parser.add_argument("--measure-only", action="store_true", help="measure the database built before")
    arguments = parser.parse_args()
    started = time.monotonic()
    if not arguments.measure_only:
        build(arguments, started)
    return measure(arguments)


if __name__ == "__main__":
    sys.exit(main())
