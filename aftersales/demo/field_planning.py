"""Plan the demo's field work without touching the database: which recent tickets get work orders, and when.

Each work order (and the vendor case) is a list of `field` steps added to its ticket's timeline, so the loader
replays them through the dispatch services in time order with the ticket's own steps, under the same simulated
clock (`demo.field_loading` runs them). A flow is laid in a window of its ticket's timeline: after the engineer
accepted the ticket and before it was resolved (or before now, for open tickets). Finished tickets' orders end
just before the ticket was resolved; open tickets' orders are where they are now; when a window is shorter than
the flow, the flow is squeezed into it. No random choices: the same plan gives the same field work.
"""

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from aftersales.accounts.models import EngineerStatus
from aftersales.demo import field_catalogue as texts
from aftersales.demo.catalogue import CUSTOMERS, STAFF
from aftersales.demo.planning import FIELD, RECENT_DAYS, AssetPlan, Step, TicketPlan
from aftersales.demo.service_catalogue import PARTS_BY_PRODUCT
from aftersales.dispatch.choices import SignerRole, VendorCaseStatus, WorkOrderKind
from aftersales.tickets.choices import Kind, ResolutionMethod, Status

CUSTOMERS_BY_CODE = {customer.code: customer for customer in CUSTOMERS}
STAFF_BY_USERNAME = {spec.username: spec for spec in STAFF}
PROFILES_BY_USERNAME = {profile.username: profile for profile in texts.PROFILES}
CUSTOMER_USERS = {spec.customer: spec.username for spec in STAFF if spec.customer}
FAULTS = frozenset({Kind.CATASTROPHIC_FAULT, Kind.MAJOR_FAULT, Kind.GENERAL_FAULT})
WORK_KINDS = FAULTS | {Kind.CHANGE_REQUEST, Kind.SERVICE_REQUEST}  # jobs an engineer does (not advice or complaints)
OPEN_MARGIN = dt.timedelta(minutes=1)  # open tickets' field work ends this long before now
DISPATCHER = "dispatcher"


@dataclass
class Job:
    """One ticket's field work as it is planned: its window, its engineer and what the sheet is about."""

    plan: TicketPlan
    start: dt.datetime
    end: dt.datetime
    asset: AssetPlan | None
    engineer: str  # the ticket's assignee throughout the window
    serial: int = 0  # work orders planned on this ticket so far

    def order(self) -> str:
        self.serial += 1
        return f"{self.plan.key}-{self.serial}"

    @property
    def customer(self):
        return CUSTOMERS_BY_CODE[self.plan.customer]

    @property
    def site(self):
        return next(site for site in self.customer.sites if site.name == self.plan.site)

    @property
    def product(self) -> str:
        return f"{self.asset.product.name} {self.asset.product.model}".strip() if self.asset else ""


Offsets = list[tuple[float, str, dict]]  # (minutes from the flow's first step, actor, arguments)


def plan_field_work(tickets: list[TicketPlan], assets: list[AssetPlan], now: dt.datetime) -> int:
    """Add the field steps to the chosen recent tickets; returns how many work orders they dispatch."""
    cutoff = now - dt.timedelta(days=RECENT_DAYS)
    assets_by_key = {asset.key: asset for asset in assets}
    recent = [ticket for ticket in tickets if ticket.received_at >= cutoff and len(ticket.steps) > 1]
    planner = FieldPlanner(recent, assets_by_key, now)
    planner.vendor_case()
    planner.travelling()
    planner.declined_then_dispatched()
    # The job still on site takes a part from stock: a fault on equipment that has spare parts, if there is one.
    planner.open_job((Status.IN_PROGRESS, Status.PENDING_PARTS, Status.PENDING_CUSTOMER), on_site_job, parts=True)
    planner.open_job((Status.PENDING_CUSTOMER, Status.IN_PROGRESS, Status.PENDING_PARTS), work_done_job)
    planner.remote_job()
    planner.signed_job((Status.RESOLVED, Status.CONFIRMED, Status.CLOSED), link=False, archive=False)
    planner.signed_job((Status.CONFIRMED, Status.RESOLVED, Status.CLOSED), link=True, archive=False)
    planner.signed_job((Status.CLOSED, Status.CONFIRMED, Status.RESOLVED), link=False, archive=True)
    return planner.dispatched


class FieldPlanner:
    def __init__(self, tickets: list[TicketPlan], assets: dict[str, AssetPlan], now: dt.datetime):
        self.tickets = tickets
        self.assets = assets
        self.now = now
        self.taken: set[int] = set()
        # Engineers given a job (one engineer's jobs must not overlap), and those on leave from the start.
        self.busy = {profile.username for profile in texts.PROFILES if profile.status == EngineerStatus.OFF_DUTY}
        self.dispatched = 0

    # Choosing tickets ----------------------------------------------------------------------------------------

    def _choose(self, statuses, *, window: Callable, showcase: bool = False, prefer=None, busy=True) -> Job | None:
        """The best ticket for a job: one whose engineer has no other job here, then by the order of `statuses`,
        then by `prefer` (a sort key), then the widest window. The engineer is kept busy unless `busy` is false."""
        jobs = []
        for plan in self.tickets:
            if plan.final_status not in statuses or plan.showcase != showcase or plan.key in self.taken:
                continue
            bounds = window(plan)
            if bounds and bounds[1] - bounds[0] > dt.timedelta(minutes=2):
                asset = self.assets[plan.assets[0]] if plan.assets else None
                engineer = _assignee_at(plan, bounds[1])  # the window starts after the last assignment
                jobs.append(Job(plan, bounds[0], bounds[1], asset, engineer))
        if not jobs:
            return None
        best = min(
            jobs,
            key=lambda job: (
                job.engineer in self.busy,
                statuses.index(job.plan.final_status),
                prefer(job) if prefer else (),
                job.start - job.end,
                job.plan.key,
            ),
        )
        self.taken.add(best.plan.key)
        if busy:
            self.busy.add(best.engineer)
        return best

    def _open_window(self, plan: TicketPlan) -> tuple[dt.datetime, dt.datetime] | None:
        accepted, end = _first(plan, "accept"), self.now - OPEN_MARGIN
        return (max(accepted, _last_assigned(plan, end)), end) if accepted else None

    def _after_last_step(self, plan: TicketPlan) -> tuple[dt.datetime, dt.datetime]:
        return plan.steps[-1].at, self.now - OPEN_MARGIN

    @staticmethod
    def _until_resolved(plan: TicketPlan) -> tuple[dt.datetime, dt.datetime] | None:
        """From the last assignment to the resolution, for tickets resolved on site or by remote login."""
        accepted, resolved = _first(plan, "accept"), _first(plan, "resolve")
        if _resolution_method(plan) not in (ResolutionMethod.ON_SITE, ResolutionMethod.REMOTE):
            return None
        return (max(accepted, _last_assigned(plan, resolved)), resolved) if accepted and resolved else None

    # The jobs -------------------------------------------------------------------------------------------------

    def vendor_case(self) -> None:
        """The SLA showcase waiting for the vendor: the case, the vendor's missed call-back, its late answer."""

        def window(plan):
            pended = _first(plan, "pend_vendor")
            escalated = any(step.arguments.get("tier") == "L3" for step in plan.steps if step.operation == "assign")
            return (pended, self.now - OPEN_MARGIN) if pended and escalated else None

        job = self._choose((Status.PENDING_VENDOR,), window=window, showcase=True, busy=False) or self._choose(
            (Status.PENDING_VENDOR,), window=window, busy=False
        )
        if job is None:
            return
        expert = job.engineer
        case = dict(texts.VENDOR_CASE)
        offsets = [
            (0, expert, {"op": "vendor_open", **case}),
            (
                45,
                expert,
                {"op": "vendor_update", "note": texts.VENDOR_CHASED, "status": VendorCaseStatus.WAITING_VENDOR},
            ),
            (75, expert, {"op": "vendor_update", "note": texts.VENDOR_ANSWERED, "responded": True}),
        ]
        times = self._lay(job, offsets, anchor="start")
        # The vendor promised to call back before we had to chase it, and to fix it within a working day.
        offsets[0][2]["promised_response_at"] = times[0] + (times[1] - times[0]) * 0.6
        offsets[0][2]["promised_resolution_at"] = times[0] + dt.timedelta(hours=8)

    def travelling(self) -> None:
        """The showcase whose engineer is not on site yet: the order is accepted and the engineer on the road."""

        def find(showcase):
            return self._choose(
                (Status.IN_PROGRESS,),
                window=self._open_window,
                showcase=showcase,
                prefer=lambda job: (not job.plan.on_site_required, *_on_site_fit(job)),
            )

        job = find(True) or find(False)
        if job is None:
            return
        job.plan.on_site_required = True
        engineer = job.engineer
        order = self._dispatch_offsets(job, engineer, WorkOrderKind.ON_SITE)
        offsets = [
            order,
            (0.3, engineer, _op(order, "act", action="accept")),
            (0.8, engineer, _op(order, "act", action="set_off")),
        ]
        self._lay(job, [(minutes + 1, actor, arguments) for minutes, actor, arguments in offsets], anchor="start")

    def declined_then_dispatched(self) -> None:
        """The assignee declines a remote job; another engineer of the team has just been sent it."""
        statuses = (Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING_CUSTOMER, Status.PENDING_PARTS)
        job = self._choose(statuses, window=self._after_last_step)
        if job is None:
            return
        declining = job.engineer
        other = _team_mate(declining, self.busy)
        self.busy.add(other)
        first = self._dispatch_offsets(job, declining, WorkOrderKind.REMOTE)
        second = self._dispatch_offsets(job, other, WorkOrderKind.REMOTE, offset=24)
        offsets = [first, (7, declining, _op(first, "act", action="decline", note=texts.DECLINE_REASON)), second]
        self._lay(job, offsets, anchor="end")

    def open_job(self, statuses, build: Callable[["FieldPlanner", Job, str], Offsets], parts: bool = False) -> None:
        prefer = _on_site_fit
        if parts:

            def prefer(job):
                fault, far = _on_site_fit(job)
                return fault, not job.asset or job.asset.product.key not in PARTS_BY_PRODUCT, far

        job = self._choose(statuses, window=self._open_window, prefer=prefer)
        if job is None:
            return
        job.plan.on_site_required = True
        offsets = build(self, job, job.engineer)
        self._lay(job, offsets, anchor="end")

    def remote_job(self) -> None:
        """Working remotely on access the customer lent, after the customer approved the change."""
        statuses = (Status.IN_PROGRESS, Status.PENDING_CUSTOMER, Status.PENDING_PARTS)
        job = self._choose(
            statuses,
            window=self._open_window,
            prefer=lambda job: (
                job.plan.customer not in CUSTOMER_USERS,
                not job.asset,
                job.plan.kind not in WORK_KINDS,
            ),
        )
        if job is None:
            return
        engineer = job.engineer
        order = self._dispatch_offsets(job, engineer, WorkOrderKind.REMOTE)
        customer_user = CUSTOMER_USERS.get(job.plan.customer, "")
        credential = {
            "system": f"{job.plan.site}{job.product or '业务系统'}",
            "address": texts.CREDENTIAL["address"].format(domain=job.customer.email_domain),
            "username": texts.CREDENTIAL["username"],
            "password": texts.CREDENTIAL["password"],
            "lent_by": job.plan.contact_name,
            "valid_hours": 48,
        }
        description = texts.CHANGE_DESCRIPTION.format(product=job.product or "业务系统")
        offsets = [
            order,
            (4, engineer, _op(order, "act", action="accept")),
            (10, engineer, _op(order, "lend", **credential)),
            (15, engineer, _op(order, "act", action="start_remote")),
            (40, engineer, _op(order, "log", text=texts.REMOTE_LOG[0][0], hours=texts.REMOTE_LOG[0][1])),
            (
                50,
                engineer,
                _op(
                    order,
                    "approval_request",
                    description=description,
                    send_to="" if customer_user else job.plan.contact_phone,
                ),
            ),
            (
                70,
                customer_user or engineer,  # without a portal user the contact decides through the one-time link
                _op(order, "approval_decide", name=job.plan.contact_name, by_link=not customer_user),
            ),
            (100, engineer, _op(order, "log", text=texts.REMOTE_LOG[1][0], hours=texts.REMOTE_LOG[1][1])),
        ]
        self._lay(job, offsets, anchor="end")

    def signed_job(self, statuses, *, link: bool, archive: bool) -> None:
        """A finished ticket's order: completed and signed by both before the ticket was resolved."""
        job = self._choose(
            statuses,
            window=self._until_resolved,
            prefer=lambda job: (_resolution_method(job.plan) != ResolutionMethod.ON_SITE, *_on_site_fit(job)),
        )
        if job is None:
            return
        resolve = next(step for step in job.plan.steps if step.arguments.get("action") == "resolve")
        engineer = job.engineer
        on_site = resolve.arguments["resolution_method"] == ResolutionMethod.ON_SITE
        if on_site:
            job.plan.on_site_required = True
            offsets = on_site_job(self, job, engineer, resolution=resolve.arguments["resolution"])
        else:
            offsets = remote_done_job(self, job, engineer, resolution=resolve.arguments["resolution"])
        order = offsets[0][2]["order"]
        last = offsets[-1][0]
        offsets.append((last + 3, engineer, _op(order, "sign", role=SignerRole.ENGINEER, name=_full_name(engineer))))
        if link or not on_site:
            offsets.append((last + 5, engineer, _op(order, "send_link", send_to=job.plan.contact_phone)))
            offsets.append((last + 18, engineer, _op(order, "sign_link", name=job.plan.contact_name)))
        else:
            offsets.append(
                (last + 5, engineer, _op(order, "sign", role=SignerRole.CUSTOMER, name=job.plan.contact_name))
            )
        times = self._lay(job, offsets, anchor="end")
        if archive:
            at = min(times[-1] + dt.timedelta(days=2), self.now - dt.timedelta(minutes=5))
            if at > times[-1]:
                job.plan.steps.append(Step(at, "archivist", FIELD, _op(order, "act", action="archive")))
                job.plan.steps.sort(key=lambda step: step.at)

    # Laying steps in time -------------------------------------------------------------------------------------

    def _dispatch_offsets(self, job: Job, engineer: str, kind: str, offset: float = 0) -> tuple[float, str, dict]:
        self.dispatched += 1
        basis = texts.BASIS.format(customer=job.customer.name, title=job.plan.title)
        task = texts.ON_SITE_TASK if kind == WorkOrderKind.ON_SITE else texts.REMOTE_TASK
        arguments = {"op": "dispatch", "order": job.order(), "engineer": engineer, "kind": kind, "basis": basis}
        arguments |= {"task": task, "method": texts.REMOTE_METHOD if kind == WorkOrderKind.REMOTE else ""}
        return offset, DISPATCHER, arguments

    @staticmethod
    def _lay(job: Job, offsets: Offsets, *, anchor: str) -> list[dt.datetime]:
        """Put the flow's steps on the ticket's timeline, inside its window; returns their times."""
        start, end = job.start + dt.timedelta(seconds=30), job.end - dt.timedelta(seconds=30)
        span = offsets[-1][0]
        room = (end - start).total_seconds() / 60
        scale = min(1.0, room / span) if span else 1.0
        first = start if anchor == "start" or span * scale >= room else end - dt.timedelta(minutes=span)
        times = [first + dt.timedelta(minutes=minutes * scale) for minutes, _actor, _arguments in offsets]
        job.plan.steps.extend(
            Step(at, actor, FIELD, arguments) for at, (_m, actor, arguments) in zip(times, offsets, strict=True)
        )
        job.plan.steps.sort(key=lambda step: step.at)  # stable: a field step after a ticket step of the same time
        return times


def on_site_job(planner: FieldPlanner, job: Job, engineer: str, resolution: str = "") -> Offsets:
    """Dispatched, accepted, on the road, checked in, work and a part logged; completed when `resolution` is given."""
    order = planner._dispatch_offsets(job, engineer, WorkOrderKind.ON_SITE)
    name = order[2]["order"]
    part = texts.PARTS.get(job.asset.product.tag if job.asset else "", texts.DEFAULT_PART)
    position = _near(job.site.latitude, job.site.longitude)
    offsets = [
        order,
        (4, engineer, _op(name, "act", action="accept")),
        (10, engineer, _op(name, "act", action="set_off")),
        (50, engineer, _op(name, "check_in", **position, accuracy_m=12)),
        (65, engineer, _op(name, "log", text=texts.ON_SITE_LOG[0][0], hours=texts.ON_SITE_LOG[0][1])),
        (
            80,
            engineer,
            _op(
                name,
                # The job still on site takes its part from stock (the van, the region's warehouse, the central
                # one); finished jobs keep the free-text line they were written with.
                "stock_part" if not resolution and job.asset else "part",
                description=part.description,
                part_number=part.part_number,
                serial_number=f"SN{job.plan.key:04d}{job.serial:02d}" if part.part_number else "",
                unit_price=part.unit_price,
                **({"product": job.asset.product.key, "site": job.plan.site} if not resolution and job.asset else {}),
            ),
        ),
        (120, engineer, _op(name, "log", text=texts.ON_SITE_LOG[1][0], hours=texts.ON_SITE_LOG[1][1])),
    ]
    if resolution:
        km = _travel_km(engineer, job)
        cost = f"{float(km) * texts.MILEAGE_ALLOWANCE:.2f}"
        offsets.append((124, engineer, _op(name, "update", travel_km=km, travel_cost=cost)))
        offsets.append((128, engineer, _op(name, "complete", resolution=resolution, **position, accuracy_m=18)))
    return offsets


def work_done_job(planner: FieldPlanner, job: Job, engineer: str) -> Offsets:
    return on_site_job(planner, job, engineer, resolution=texts.DONE_RESOLUTION)


def remote_done_job(planner: FieldPlanner, job: Job, engineer: str, resolution: str) -> Offsets:
    order = planner._dispatch_offsets(job, engineer, WorkOrderKind.REMOTE)
    name = order[2]["order"]
    return [
        order,
        (3, engineer, _op(name, "act", action="accept")),
        (10, engineer, _op(name, "act", action="start_remote")),
        (40, engineer, _op(name, "log", text=texts.REMOTE_LOG[0][0], hours=texts.REMOTE_LOG[0][1])),
        (70, engineer, _op(name, "log", text=texts.REMOTE_LOG[1][0], hours=texts.REMOTE_LOG[1][1])),
        (80, engineer, _op(name, "complete", resolution=resolution)),
    ]


# Helpers ----------------------------------------------------------------------------------------------------


def _op(order, op: str, **arguments) -> dict:
    name = order if isinstance(order, str) else order[2]["order"]
    return {"op": op, "order": name, **arguments}


def _on_site_fit(job: Job) -> tuple[bool, bool]:
    """Sort key of a ticket for an on-site job: a fault on a piece of equipment, near the engineer's home base."""
    engineer = PROFILES_BY_USERNAME.get(job.engineer)
    local = engineer is not None and engineer.province == job.site.province
    return (job.plan.kind not in FAULTS or not job.asset, not local)


def _resolution_method(plan: TicketPlan) -> str:
    return next(
        (step.arguments["resolution_method"] for step in plan.steps if step.arguments.get("action") == "resolve"), ""
    )


def _first(plan: TicketPlan, action: str) -> dt.datetime | None:
    return next(
        (step.at for step in plan.steps if step.operation == "transition" and step.arguments["action"] == action),
        None,
    )


def _last_assigned(plan: TicketPlan, before: dt.datetime) -> dt.datetime:
    """When the ticket was last assigned before `before`: the window starts there, so one engineer holds it."""
    return max(step.at for step in plan.steps if step.operation == "assign" and step.at < before)


def _assignee_at(plan: TicketPlan, moment: dt.datetime) -> str:
    """Who the ticket is assigned to at `moment`, by its planned assign steps."""
    assignee = ""
    for step in plan.steps:
        if step.at > moment:
            break
        if step.operation == "assign":
            assignee = step.arguments["assignee"]
    return assignee or "engineer"


def _team_mate(username: str, busy: set[str]) -> str:
    """Another engineer of the same team (for a declined job), one without a job if the team has one."""
    teams = set(STAFF_BY_USERNAME[username].teams)
    mates = [
        spec.username
        for spec in STAFF
        if spec.username != username and teams & set(spec.teams) and spec.username in PROFILES_BY_USERNAME
    ]
    mates.sort(key=lambda mate: mate in busy)
    return mates[0] if mates else "engineer"


def _full_name(username: str) -> str:
    spec = STAFF_BY_USERNAME[username]
    return spec.last_name + spec.first_name


def _near(latitude: str, longitude: str) -> dict:
    """A phone's fix a few metres from the site's coordinates."""
    return {"latitude": f"{float(latitude) + 0.00021:.6f}", "longitude": f"{float(longitude) - 0.00017:.6f}"}


def _travel_km(engineer: str, job: Job) -> str:
    """There and back by road: the straight line from home base, times 1.3 for the roads."""
    profile = PROFILES_BY_USERNAME[engineer]
    home = (math.radians(float(profile.latitude)), math.radians(float(profile.longitude)))
    site = (math.radians(float(job.site.latitude)), math.radians(float(job.site.longitude)))
    half = (
        math.sin((site[0] - home[0]) / 2) ** 2
        + math.cos(home[0]) * math.cos(site[0]) * math.sin((site[1] - home[1]) / 2) ** 2
    )
    return f"{2 * 1.3 * 2 * 6371.0 * math.asin(math.sqrt(half)):.1f}"
