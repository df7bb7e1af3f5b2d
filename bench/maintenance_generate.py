"""Benchmark inspection generation on PostgreSQL: a year of inspections for 10,000 maintenance plans.

    python bench/maintenance_generate.py                 # build `aftersales_bench_maintenance`, then measure
    python bench/maintenance_generate.py --plans 2000    # a quick try

Drops and recreates the database `aftersales_bench_maintenance` (and no other), migrates it, and writes through
the ORM: 40 engineers, 6 teams with leads, 200 customers with 2 sites and a contract each, 5 checklists, and the
plans (bulk_create), their recurrences mixed as a provider's would be: 25 % weekly (about 52 inspections a year
each), 30 % monthly on a day (1st to 31st), 30 % monthly on a weekday (first to fifth, or last), 15 % quarterly;
two thirds done by an engineer, the rest by a team (its lead is assigned); a tenth starting or ending within the
year. Then VACUUM (ANALYZE). It measures:

1. `inspections_generate(today=…, plans=<all plans>, horizon=364)`: one year ahead for every plan, on an empty
   inspection table; target <= 10 s;
2. the same call again: nothing is new (idempotence), and how long finding that out takes;
3. the nightly run the next day with each plan's own lead time (30 to 60 days): the one period that came into
   reach per plan, at most.

Exit status: 0 when 1 meets the target and 2 created nothing, 1 otherwise.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_NAME = "aftersales_bench_maintenance"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
DATABASE_URL = f"{SERVER_URL}/{DATABASE_NAME}"
TARGET_SECONDS = 10.0
TODAY = dt.date(2026, 1, 1)
RECURRENCES, RECURRENCE_WEIGHTS = ["weekly", "monthly_day", "monthly_weekday", "quarterly"], [25, 30, 30, 15]


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


def build(plans: int, rng: random.Random, started: float) -> None:
    from django.core.management import call_command

    from aftersales.accounts.models import Team, User
    from aftersales.accounts.roles import Role
    from aftersales.contracts.models import Contract, ServiceLevel
    from aftersales.customers.models import Customer, Site
    from aftersales.maintenance.models import ChecklistItem, ChecklistTemplate, MaintenancePlan

    call_command("migrate", verbosity=0, interactive=False)
    step("migrated", started)
    engineers = User.objects.bulk_create(
        User(username=f"engineer{n}", role=Role.ENGINEER, first_name="工", last_name=f"程{n}") for n in range(1, 41)
    )
    teams = [Team.objects.create(name=f"巡检{n}组", lead=engineers[n]) for n in range(6)]
    customers = Customer.objects.bulk_create(Customer(code=f"c{n:03d}", name=f"基准客户{n:03d}") for n in range(200))
    sites = Site.objects.bulk_create(
        Site(customer=customer, name=f"机房{n}", province="浙江省", city="杭州市", address="文三路100号")
        for customer in customers
        for n in (1, 2)
    )
    level = ServiceLevel.objects.order_by("rank").first()  # seeded by the migrations
    contracts = Contract.objects.bulk_create(
        Contract(
            number=f"HT-BENCH-{n:03d}",
            name="运维服务合同",
            customer=customer,
            service_level=level,
            start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2028, 12, 31),
        )
        for n, customer in enumerate(customers)
    )
    checklists = ChecklistTemplate.objects.bulk_create(ChecklistTemplate(name=f"巡检表{n}") for n in range(5))
    ChecklistItem.objects.bulk_create(
        ChecklistItem(template=checklist, position=n, label=f"检查项{n}") for checklist in checklists for n in range(8)
    )
    sites_of = {}
    for site in sites:
        sites_of.setdefault(site.customer_id, []).append(site)
    rows = []
    for n in range(plans):
        contract = contracts[n % len(contracts)]
        recurrence = rng.choices(RECURRENCES, weights=RECURRENCE_WEIGHTS)[0]
        plan = MaintenancePlan(
            contract=contract,
            site=rng.choice(sites_of[contract.customer_id]),
            title=f"巡检计划{n}",
            checklist=rng.choice(checklists),
            recurrence=recurrence,
            starts_on=TODAY,
            lead_days=rng.choice([30, 45, 60]),
        )
        if recurrence == "weekly":
            plan.weekday = rng.randrange(7)
        elif recurrence == "monthly_weekday":
            plan.weekday, plan.week_of_month = rng.randrange(7), rng.choice([1, 1, 1, 2, 3, 4, 5, -1])
        else:
            plan.day_of_month = rng.randint(1, 31)
        if rng.random() < 2 / 3:
            plan.engineer = rng.choice(engineers)
        else:
            plan.team = rng.choice(teams)
        if rng.random() < 0.05:
            plan.starts_on = TODAY + dt.timedelta(days=rng.randrange(300))
        elif rng.random() < 0.05:
            plan.ends_on = TODAY + dt.timedelta(days=rng.randrange(300))
        rows.append(plan)
    MaintenancePlan.objects.bulk_create(rows, batch_size=2000)
    step(f"created {plans:,} plans for {len(customers)} customers", started)

    import psycopg
    from django.db import connection

    connection.close()
    with psycopg.connect(DATABASE_URL, autocommit=True) as raw:
        raw.execute("VACUUM (ANALYZE)")
    step("vacuumed and analysed", started)


def timed(**arguments) -> tuple[int, float]:
    from aftersales.maintenance.models import MaintenancePlan
    from aftersales.maintenance.services.inspections import inspections_generate

    began = time.perf_counter()
    created = inspections_generate(plans=MaintenancePlan.objects.all(), **arguments)
    return created, time.perf_counter() - began


def measure() -> int:
    from django.db.models import Count

    from aftersales.maintenance.models import Inspection, MaintenancePlan

    plans = MaintenancePlan.objects.count()
    print(f"\nload average {os.getloadavg()[0]:.2f}; {plans:,} plans")
    by_rule = dict(MaintenancePlan.objects.values_list("recurrence").annotate(Count("id")))
    print("   plans by recurrence: " + ", ".join(f"{rule} {count:,}" for rule, count in sorted(by_rule.items())))

    created, seconds = timed(today=TODAY, horizon=364)
    stored = Inspection.objects.count()
    print(
        f"1. one year ahead ({TODAY} to {TODAY + dt.timedelta(days=364)}): {created:,} inspections in {seconds:.2f} s"
    )
    print(f"   ({created / seconds:,.0f} rows/s; {stored:,} rows in the table)")
    per_rule = dict(Inspection.objects.values_list("plan__recurrence").annotate(Count("id")))
    print("   inspections by recurrence: " + ", ".join(f"{k} {v:,}" for k, v in sorted(per_rule.items())))

    again, again_seconds = timed(today=TODAY, horizon=364)
    print(f"2. the same year again: {again:,} new in {again_seconds:.2f} s (idempotent: {again == 0})")

    nightly, nightly_seconds = timed(today=TODAY + dt.timedelta(days=1))
    print(f"3. the next night with each plan's lead time: {nightly:,} new in {nightly_seconds:.2f} s")

    passed = seconds <= TARGET_SECONDS and again == 0 and created == stored
    print(f"\nload average {os.getloadavg()[0]:.2f}")
    print(
        f"Result: {'PASS' if passed else 'FAIL'} (target: a year for every plan <= {TARGET_SECONDS:.0f} s, rerun 0 new)"
    )
    return 0 if passed else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", type=int, default=10_000, help="maintenance plans to build (default 10,000)")
    parser.add_argument("--seed", type=int, default=20260101, help="random seed, for a repeatable data set")
    arguments = parser.parse_args()

    configure_django()
    started = time.monotonic()
    recreate_database()
    step(f"recreated database {DATABASE_NAME}", started)
    import django

    django.setup()
    build(arguments.plans, random.Random(arguments.seed), started)
    sys.exit(measure())


if __name__ == "__main__":
    main()
