"""Plan the demo data without touching the database: which assets exist and what happens to each ticket.

Everything is drawn from one seeded `random.Random`, relative to the moment the plan is made, so the
same seed gives the same data set (shifted to the day it is loaded). `--dry-run` prints a plan;
loading writes one.
"""

import datetime as dt
import random
import string
from collections import Counter
from dataclasses import dataclass, field

from aftersales.contracts.entitlement import add_years
from aftersales.core.time import local_date
from aftersales.demo import scenarios as texts
from aftersales.demo.catalogue import (
    CUSTOMERS,
    PRODUCTS,
    STAFF,
    CustomerSpec,
    ProductSpec,
)
from aftersales.demo.field_catalogue import PROFILES
from aftersales.demo.scenarios import SCENARIOS, SLA_SHOWCASES, Scenario, SlaShowcase
from aftersales.tickets.choices import Channel, Kind, Level, Status, Tier

PRODUCTS_BY_KEY = {product.key: product for product in PRODUCTS}
CUSTOMERS_BY_CODE = {customer.code: customer for customer in CUSTOMERS}
CUSTOMER_USERS = {spec.customer: spec for spec in STAFF if spec.customer}
MIN_TICKETS = 30
FIELD = "field"  # a field step's arguments' "op" says which dispatch service it calls (see demo.field_planning)
# Tickets received within this many days are replayed through the services; older ones are bulk-inserted.
RECENT_DAYS = 21

# Share of each final status, in percent; every status gets at least one ticket.
STATUS_SHARES = {
    Status.NEW: 5,
    Status.ASSIGNED: 5,
    Status.IN_PROGRESS: 7,
    Status.PENDING_CUSTOMER: 3,
    Status.PENDING_VENDOR: 3,
    Status.PENDING_PARTS: 3,
    Status.RESOLVED: 6,
    Status.CONFIRMED: 4,
    Status.CLOSED: 18,
    Status.ARCHIVED: 39,
    Status.CANCELLED: 7,
}
# How long ago (in hours) a ticket in this final status was received: open work is recent, archives old.
AGE_HOURS = {
    Status.NEW: (0.5, 20),
    Status.ASSIGNED: (1, 48),
    Status.IN_PROGRESS: (2, 144),
    Status.PENDING_CUSTOMER: (24, 480),
    Status.PENDING_VENDOR: (24, 480),
    Status.PENDING_PARTS: (24, 240),
    Status.RESOLVED: (12, 144),
    Status.CONFIRMED: (24, 240),
    Status.CLOSED: (72, 1440),
    Status.ARCHIVED: (480, 4300),
    Status.CANCELLED: (24, 4300),
}
# Tickets of the two demo customer users, so that each can see work in several states at once.
FEATURED = (
    ("HZGJJ", Status.NEW, True),
    ("HZGJJ", Status.IN_PROGRESS, True),
    ("HZGJJ", Status.PENDING_CUSTOMER, False),
    ("HZGJJ", Status.RESOLVED, True),
    ("HZGJJ", Status.RESOLVED, False),
    ("HZGJJ", Status.CONFIRMED, True),
    ("HZGJJ", Status.CLOSED, True),
    ("HZGJJ", Status.ARCHIVED, False),
    ("HZGJJ", Status.CANCELLED, True),
    ("CDJJYY", Status.NEW, True),
    ("CDJJYY", Status.ASSIGNED, True),
    ("CDJJYY", Status.IN_PROGRESS, False),
    ("CDJJYY", Status.PENDING_PARTS, False),
    ("CDJJYY", Status.RESOLVED, True),
    ("CDJJYY", Status.CONFIRMED, False),
    ("CDJJYY", Status.CLOSED, True),
    ("CDJJYY", Status.ARCHIVED, True),
    ("CDJJYY", Status.CANCELLED, True),
)
CUSTOMER_WEIGHTS = {"HZGJJ": 24, "SZGASP": 24, "CDJJYY": 20, "WHJAJY": 12, "NBHL": 11, "BJHDZW": 9}
STAFF_CHANNELS = {
    Channel.PHONE: 45,
    Channel.EMAIL: 18,
    Channel.FAX: 4,
    Channel.API: 7,
    Channel.INSPECTION: 15,
    Channel.FOLLOW_UP: 5,
}
CHANNEL_CREATORS = {
    Channel.PHONE: ("agent", "agent2"),
    Channel.EMAIL: ("agent", "agent2"),
    Channel.FAX: ("agent",),
    Channel.API: ("admin",),  # the video platform's alarm integration logs in as the administrator
    Channel.INSPECTION: ("dispatcher",),
    Channel.FOLLOW_UP: ("agent", "agent2"),
}
# Minutes between the request arriving and it being logged.
LOGGING_DELAY = {Channel.EMAIL: (5, 40), Channel.FAX: (10, 60), Channel.PHONE: (1, 6), Channel.FOLLOW_UP: (1, 10)}
LEVELS_BY_KIND = {
    Kind.CATASTROPHIC_FAULT: ((Level.HIGH, Level.HIGH),),
    Kind.MAJOR_FAULT: ((Level.HIGH, Level.MEDIUM), (Level.MEDIUM, Level.HIGH)),
    Kind.GENERAL_FAULT: ((Level.MEDIUM, Level.MEDIUM), (Level.MEDIUM, Level.LOW), (Level.LOW, Level.MEDIUM)),
    Kind.CONSULTATION: ((Level.LOW, Level.LOW),),
    Kind.SERVICE_REQUEST: ((Level.LOW, Level.LOW), (Level.LOW, Level.MEDIUM)),
    Kind.CHANGE_REQUEST: ((Level.MEDIUM, Level.LOW), (Level.LOW, Level.LOW)),
    Kind.COMPLAINT: ((Level.MEDIUM, Level.MEDIUM),),
}
PENDING_ACTION = {
    Status.PENDING_CUSTOMER: "pend_customer",
    Status.PENDING_VENDOR: "pend_vendor",
    Status.PENDING_PARTS: "pend_parts",
}


@dataclass(frozen=True)
class AssetPlan:
    key: str
    customer: str
    site: str
    product: ProductSpec
    contract: str | None
    serial_number: str
    software_name: str
    software_version: str
    install_date: dt.date
    acceptance_date: dt.date


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    actor: str  # username
    operation: str  # create, assign, transition, comment, or FIELD (a work order's or vendor case's step)
    arguments: dict = field(default_factory=dict)


@dataclass
class TicketPlan:
    key: int
    customer: str
    site: str
    assets: tuple[str, ...]
    channel: str
    kind: str
    urgency: int
    impact: int
    title: str
    description: str
    contact_name: str
    contact_phone: str
    received_at: dt.datetime
    final_status: str
    steps: list[Step] = field(default_factory=list)
    on_site_required: bool = False
    showcase: bool = False  # an SLA showcase, timed to the minute


@dataclass
class DemoPlan:
    now: dt.datetime
    assets: list[AssetPlan]
    tickets: list[TicketPlan]
    work_orders: int = 0
    part_requests: int = 0
    seed: int = 0

    def counts(self) -> dict[str, int]:
        field_steps = [step for ticket in self.tickets for step in ticket.steps if step.operation == FIELD]
        return {
            "users": len(STAFF),
            "customers": len(CUSTOMERS),
            "sites": sum(len(c.sites) for c in CUSTOMERS),
            "contacts": sum(len(c.contacts) for c in CUSTOMERS),
            "contracts": sum(len(c.contracts) for c in CUSTOMERS),
            "assets": len(self.assets),
            "tickets": len(self.tickets),
            "ticket events": sum(len(ticket.steps) for ticket in self.tickets) - len(field_steps),
            "comments": sum(1 for ticket in self.tickets for step in ticket.steps if step.operation == "comment"),
            "engineer profiles": len(PROFILES),
            "work orders": self.work_orders,
            "vendor cases": sum(1 for step in field_steps if step.arguments["op"] == "vendor_open"),
            "part requests": self.part_requests,
        }

    def status_counts(self) -> Counter:
        return Counter(ticket.final_status for ticket in self.tickets)


def contract_dates(started_years_ago: float, years: int, today: dt.date) -> tuple[dt.date, dt.date]:
    start = today - dt.timedelta(days=round(started_years_ago * 365.25))
    start = start.replace(day=1)
    return start, add_years(start, years) - dt.timedelta(days=1)


def serial_number(rng: random.Random, product: ProductSpec) -> str:
    alphabet = string.ascii_uppercase + string.digits
    letters = "".join(rng.choices(alphabet, k=7 if product.serial_format == "{a}" else 4))
    digits = "".join(rng.choices(string.digits, k=8))
    return product.serial_format.format(a=letters, d=digits)


def plan_assets(rng: random.Random, today: dt.date) -> list[AssetPlan]:
    assets, serials = [], set()
    for customer in CUSTOMERS:
        for group in customer.assets:
            product = PRODUCTS_BY_KEY[group.product]
            for _index in range(group.count):
                serial = serial_number(rng, product)
                while (product.key, serial) in serials:
                    serial = serial_number(rng, product)
                serials.add((product.key, serial))
                accepted = today - dt.timedelta(days=round(group.accepted_years_ago * 365.25) + rng.randint(0, 20))
                assets.append(
                    AssetPlan(
                        key=f"{customer.code}-{len(assets) + 1:03d}",
                        customer=customer.code,
                        site=group.site,
                        product=product,
                        contract=group.contract,
                        serial_number=serial,
                        software_name=group.software_name,
                        software_version=group.software_version,
                        install_date=accepted - dt.timedelta(days=rng.randint(10, 45)),
                        acceptance_date=accepted,
                    )
                )
    return assets


def status_quota(total: int) -> list[str]:
    counts = {status: max(1, round(total * share / 100)) for status, share in STATUS_SHARES.items()}
    counts[Status.ARCHIVED] += total - sum(counts.values())
    return [status for status, count in counts.items() for _index in range(count)]


def plan_demo(*, seed: int, tickets: int, now: dt.datetime) -> DemoPlan:
    if tickets < MIN_TICKETS:
        raise ValueError(f"At least {MIN_TICKETS} tickets are needed to show every status.")
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    now = now.replace(second=0, microsecond=0)
    assets = plan_assets(rng, local_date(now))
    planner = TicketPlanner(rng=rng, now=now, assets=assets)
    wanted = [(None, status, False) for status in status_quota(tickets - len(FEATURED))] + list(FEATURED)
    showcases = showcase_places(wanted)
    plans = [
        planner.showcase(showcases[index]) if index in showcases else planner.plan(customer, status, by_customer_user)
        for index, (customer, status, by_customer_user) in enumerate(wanted)
    ]
    plans.sort(key=lambda plan: plan.received_at)
    for key, plan in enumerate(plans, start=1):
        plan.key = key
    from aftersales.demo.field_planning import plan_field_work  # it builds on this module's plans
    from aftersales.demo.parts_planning import plan_part_requests

    work_orders = plan_field_work(plans, assets, now)
    part_requests = plan_part_requests(plans, assets, now)
    return DemoPlan(
        now=now, assets=assets, tickets=plans, work_orders=work_orders, part_requests=part_requests, seed=seed
    )


def showcase_places(wanted: list[tuple[str | None, str, bool]]) -> dict[int, SlaShowcase]:
    """Each SLA showcase takes the place of the first random ticket planned with its status."""
    places = {}
    for showcase in SLA_SHOWCASES:
        places[
            next(
                index
                for index, (customer, status, _by_customer_user) in enumerate(wanted)
                if customer is None and status == showcase.status and index not in places
            )
        ] = showcase
    return places


class TicketPlanner:
    """Draws one ticket's request and the steps that take it to its final status."""

    def __init__(self, *, rng: random.Random, now: dt.datetime, assets: list[AssetPlan]):
        self.rng = rng
        self.now = now
        self.assets = assets
        self.engineers_by_team: dict[str, list[str]] = {}
        for spec in STAFF:
            for team in spec.teams:
                self.engineers_by_team.setdefault(team, []).append(spec.username)

    def plan(self, customer_code: str | None, status: str, by_customer_user: bool) -> TicketPlan:
        rng = self.rng
        if customer_code is None:
            customer_code = rng.choices(list(CUSTOMER_WEIGHTS), weights=list(CUSTOMER_WEIGHTS.values()))[0]
        customer = CUSTOMERS_BY_CODE[customer_code]
        scenario, asset = self._scenario(customer)
        site = asset.site if asset else rng.choice(customer.sites).name
        channel, creator = self._channel(customer, scenario, by_customer_user)
        if creator in {spec.username for spec in CUSTOMER_USERS.values()}:
            user = CUSTOMER_USERS[customer.code]
            contact_name, contact_phone = user.last_name + user.first_name, user.phone
        else:
            contact = next((c for c in customer.contacts if c.site == site), customer.contacts[0])
            contact_name, contact_phone = contact.name, contact.phone
        product = f"{asset.product.name} {asset.product.model}".strip() if asset else ""
        urgency, impact = rng.choice(LEVELS_BY_KIND[scenario.kind])
        low, high = AGE_HOURS[status]
        created_at = self.now - dt.timedelta(hours=rng.uniform(low, high))
        delay = LOGGING_DELAY.get(channel, (0, 0))
        received_at = created_at - dt.timedelta(minutes=rng.uniform(*delay))
        plan = TicketPlan(
            key=0,
            customer=customer.code,
            site=site,
            assets=(asset.key,) if asset else (),
            channel=channel,
            kind=scenario.kind,
            urgency=urgency,
            impact=impact,
            title=" ".join(scenario.title.format(site=site, product=product).split())[:200],
            description=scenario.description.format(site=site, product=product),
            contact_name=contact_name,
            contact_phone=contact_phone,
            received_at=received_at,
            final_status=status,
        )
        plan.steps = self._timeline(plan, customer, scenario, creator, created_at)
        return plan

    def showcase(self, showcase: SlaShowcase) -> TicketPlan:
        """A ticket timed to the minute before `now` (no random choices: the SLA board shows the same each time)."""
        customer = CUSTOMERS_BY_CODE[showcase.customer]
        contact = next((c for c in customer.contacts if c.site == showcase.site), customer.contacts[0])
        received_at = self.now - dt.timedelta(minutes=showcase.received_minutes_ago)
        plan = TicketPlan(
            key=0,
            customer=customer.code,
            site=showcase.site,
            assets=(),
            channel=showcase.channel,
            kind=showcase.kind,
            urgency=showcase.urgency,
            impact=showcase.impact,
            title=showcase.title.format(site=showcase.site),
            description=showcase.description,
            contact_name=contact.name,
            contact_phone=contact.phone,
            received_at=received_at,
            final_status=showcase.status,
            on_site_required=showcase.on_site_required,
            showcase=True,
        )
        plan.steps = [
            Step(received_at + dt.timedelta(minutes=minutes), actor, operation, dict(arguments))
            for minutes, actor, operation, arguments in showcase.steps
        ]
        return plan

    def _scenario(self, customer: CustomerSpec) -> tuple[Scenario, AssetPlan | None]:
        own_assets = [asset for asset in self.assets if asset.customer == customer.code]
        tags = {asset.product.tag for asset in own_assets}
        candidates = [s for s in SCENARIOS if s.tag is None or s.tag in tags]
        weights = [0.15 if s.kind == Kind.CATASTROPHIC_FAULT else 0.5 if s.tag is None else 1 for s in candidates]
        scenario = self.rng.choices(candidates, weights=weights)[0]
        if scenario.tag is None:
            return scenario, None
        return scenario, self.rng.choice([asset for asset in own_assets if asset.product.tag == scenario.tag])

    def _channel(self, customer: CustomerSpec, scenario: Scenario, by_customer_user: bool) -> tuple[str, str]:
        customer_user = CUSTOMER_USERS.get(customer.code)
        if customer_user and (by_customer_user or self.rng.random() < 0.3):
            return Channel.PORTAL, customer_user.username
        if scenario.kind == Kind.COMPLAINT:
            channel = self.rng.choice((Channel.PHONE, Channel.FOLLOW_UP))
        elif scenario.tag in ("camera", "nvr") and self.rng.random() < 0.5:
            channel = Channel.API
        else:
            channels = [c for c in STAFF_CHANNELS if c != Channel.API]
            channel = self.rng.choices(channels, weights=[STAFF_CHANNELS[c] for c in channels])[0]
        return channel, self.rng.choice(CHANNEL_CREATORS[channel])

    def _timeline(
        self, plan: TicketPlan, customer: CustomerSpec, scenario: Scenario, creator: str, created_at: dt.datetime
    ) -> list[Step]:
        """Offsets from creation for each step, then squeezed so that the last one lies in the past."""
        rng, final = self.rng, plan.final_status
        customer_user = CUSTOMER_USERS.get(customer.code)
        offsets: list[tuple[float, str, str, dict]] = []  # (minutes after creation, actor, operation, arguments)
        clock = 0.0

        def add(minutes: float, actor: str, operation: str, **arguments) -> None:
            nonlocal clock
            clock += max(minutes, 0.2)
            offsets.append((clock, actor, operation, arguments))

        def transition(minutes: float, actor: str, action: str, note: str = "", **arguments) -> None:
            add(minutes, actor, "transition", action=action, note=note, **arguments)

        urgent = scenario.kind in (Kind.MAJOR_FAULT, Kind.CATASTROPHIC_FAULT)
        offsets.append((0.0, creator, "create", {}))
        if final == Status.NEW:
            if creator == getattr(customer_user, "username", None) and rng.random() < 0.5:
                add(rng.uniform(5, 30), creator, "comment", body=rng.choice(texts.CUSTOMER_COMMENTS), is_public=True)
            return self._squeeze(created_at, offsets)
        if final == Status.CANCELLED and creator == getattr(customer_user, "username", None) and rng.random() < 0.7:
            transition(rng.uniform(10, 120), creator, "withdraw", rng.choice(texts.WITHDRAW_NOTES))
            return self._squeeze(created_at, offsets)

        team = next(site.team for site in customer.sites if site.name == plan.site)
        engineer = rng.choice(self.engineers_by_team[team])
        if customer.code == "HZGJJ" and rng.random() < 0.6:
            engineer = "engineer"  # the demo's engineer login has a full queue
        dispatcher = rng.choice(("dispatcher", "dispatcher", "agent"))
        note = rng.choice(texts.ASSIGN_NOTES)
        if urgent and any(contract.level == "gold" for contract in customer.contracts):
            note = texts.GOLD_ASSIGN_NOTE
        add(
            rng.uniform(2, 15 if urgent else 45),
            dispatcher,
            "assign",
            assignee=engineer,
            team=team,
            tier=Tier.L2,
            note=note,
        )
        if final == Status.ASSIGNED:
            return self._squeeze(created_at, offsets)
        if final == Status.CANCELLED:
            transition(
                rng.uniform(30, 600), rng.choice(("agent", "manager", "qc")), "cancel", rng.choice(texts.CANCEL_NOTES)
            )
            return self._squeeze(created_at, offsets)

        transition(rng.uniform(3, 20 if urgent else 90), engineer, "accept")
        if rng.random() < 0.6:
            add(rng.uniform(2, 20), engineer, "comment", body=rng.choice(texts.PUBLIC_PROGRESS), is_public=True)
        if rng.random() < 0.35:
            add(rng.uniform(10, 120), engineer, "comment", body=rng.choice(texts.INTERNAL_NOTES), is_public=False)
        if customer_user and rng.random() < 0.25:
            add(
                rng.uniform(10, 120),
                customer_user.username,
                "comment",
                body=rng.choice(texts.CUSTOMER_COMMENTS),
                is_public=True,
            )
        worker = engineer
        if scenario.expert_team and rng.random() < 0.6:
            worker = rng.choice(self.engineers_by_team[scenario.expert_team])
            add(
                rng.uniform(30, 180),
                dispatcher,
                "assign",
                assignee=worker,
                team=scenario.expert_team,
                tier=Tier.L3,
                note=rng.choice(texts.ESCALATE_NOTES),
            )
            add(rng.uniform(20, 90), worker, "comment", body=rng.choice(texts.EXPERT_NOTES), is_public=False)
        if final == Status.IN_PROGRESS:
            return self._squeeze(created_at, offsets)
        if final in PENDING_ACTION:
            action = PENDING_ACTION[final]
            transition(rng.uniform(30, 360), worker, action, rng.choice(texts.PENDING_NOTES[action]))
            return self._squeeze(created_at, offsets)

        if rng.random() < 0.3:
            action = rng.choice(list(texts.PENDING_NOTES))
            transition(rng.uniform(30, 300), worker, action, rng.choice(texts.PENDING_NOTES[action]))
            transition(rng.uniform(240, 3 * 1440), worker, "resume")
        resolve = {
            "resolution": scenario.resolution,
            "resolution_method": scenario.method,
            "root_cause": scenario.root_cause,
            "corrective_action": scenario.corrective_action,
        }
        transition(rng.uniform(30, 240 if urgent else 960), worker, "resolve", **resolve)
        add(rng.uniform(1, 10), worker, "comment", body=rng.choice(texts.RESOLVED_COMMENTS), is_public=True)
        if final == Status.RESOLVED:
            return self._squeeze(created_at, offsets)

        confirmer = customer_user.username if customer_user and rng.random() < 0.8 else "agent"
        if final in (Status.CONFIRMED, Status.CLOSED, Status.ARCHIVED) and rng.random() < 0.1:
            transition(rng.uniform(60, 1440), confirmer, "reopen", rng.choice(texts.REOPEN_NOTES))
            transition(rng.uniform(60, 480), worker, "resolve", **resolve)
        if final == Status.CONFIRMED or rng.random() < 0.8:
            note = "" if confirmer != "agent" else rng.choice(texts.CONFIRM_NOTES)
            transition(rng.uniform(30, 2 * 1440), confirmer, "confirm", note)
        if final == Status.CONFIRMED:
            return self._squeeze(created_at, offsets)
        transition(rng.uniform(120, 3 * 1440), rng.choice(("qc", "qc", "manager")), "close")
        if final == Status.ARCHIVED:
            transition(rng.uniform(1440, 14 * 1440), "archivist", "archive")
        return self._squeeze(created_at, offsets)

    def _squeeze(self, created_at: dt.datetime, offsets: list[tuple[float, str, str, dict]]) -> list[Step]:
        latest = self.now - dt.timedelta(minutes=2)
        span = offsets[-1][0]
        room = (latest - created_at).total_seconds() / 60
        scale = min(1.0, room / span) if span else 1.0
        steps, previous = [], None
        for minutes, actor, operation, arguments in offsets:
            at = created_at + dt.timedelta(minutes=minutes * scale)
            if previous is not None and at <= previous:
                at = previous + dt.timedelta(seconds=1)
            steps.append(Step(at=at, actor=actor, operation=operation, arguments=arguments))
            previous = at
        return steps
