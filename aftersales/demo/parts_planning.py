"""Plan the demo's part requests on recent tickets without touching the database.

Four requests, each a few `field` steps on its ticket's timeline (replayed through the parts services by
`demo.service_loading.PartWork` under the replay's clock, in time order with the ticket's own steps):

- late: requested more than the promise (7 days) ago from the central warehouse, shipped, not delivered; the
  sweep at the end of loading finds it past 100 % of its promise and escalates it;
- advance replacement (备件先行): delivered more than 14 days ago, the faulty part never came back;
- abroad: 21 days, ordered from the vendor's overseas depot, shipped, still running;
- on time: reserved in the nearest warehouse, shipped and delivered within hours.

Each is requested while its ticket is open (after the engineer accepted it, before it was resolved), by whoever
holds the ticket then; the parts keeper ships and delivers. Stock is counted against `STOCK` so every
reservation and issue finds its part. No random choices.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from aftersales.demo import service_catalogue as spec
from aftersales.demo.catalogue import CUSTOMERS
from aftersales.demo.field_planning import _assignee_at, _first
from aftersales.demo.planning import FIELD, RECENT_DAYS, AssetPlan, Step, TicketPlan
from aftersales.tickets.choices import Status

KEEPER = "keeper"
PROMISE_DOMESTIC = dt.timedelta(days=7)  # the demo contracts keep the default promise
FAULTY_RETURN = dt.timedelta(days=14)  # parts.services.requests.FAULTY_RETURN_DAYS
OPEN = (Status.PENDING_PARTS, Status.IN_PROGRESS, Status.PENDING_VENDOR, Status.PENDING_CUSTOMER)
FINISHED = (Status.RESOLVED, Status.CONFIRMED, Status.CLOSED, Status.ARCHIVED)
SITES = {(customer.code, site.name): site for customer in CUSTOMERS for site in customer.sites}


@dataclass
class Candidate:
    plan: TicketPlan
    accepted: dt.datetime
    end: dt.datetime  # resolved, or now for open tickets
    part: spec.SparePartSpec | None

    @property
    def pended(self) -> dt.datetime | None:
        return _first(self.plan, "pend_parts")


def plan_part_requests(tickets: list[TicketPlan], assets: list[AssetPlan], now: dt.datetime) -> int:
    """Add the part steps to chosen recent tickets; returns how many requests they make."""
    planner = PartPlanner(tickets, assets, now)
    planner.late()
    planner.advance_overdue()
    planner.abroad()
    planner.on_time()
    return planner.requests


class PartPlanner:
    def __init__(self, tickets: list[TicketPlan], assets: list[AssetPlan], now: dt.datetime):
        self.now = now
        self.stock = Counter({(warehouse, part): quantity for warehouse, part, quantity, _reorder in spec.STOCK})
        self.stock[spec.RMA_AT_VENDOR["warehouse"], spec.RMA_AT_VENDOR["part"]] -= 1  # it went to the vendor
        self.requests = 0
        assets_by_key = {asset.key: asset for asset in assets}
        cutoff = now - dt.timedelta(days=RECENT_DAYS)
        self.candidates = []
        for plan in tickets:
            accepted = _first(plan, "accept")
            if plan.received_at < cutoff or plan.showcase or accepted is None:
                continue
            resolved = _first(plan, "resolve")
            if plan.final_status in OPEN:
                end = now - dt.timedelta(minutes=5)
            elif plan.final_status in FINISHED and resolved:
                end = resolved
            else:
                continue
            asset = assets_by_key[plan.assets[0]] if plan.assets else None
            parts = spec.PARTS_BY_PRODUCT.get(asset.product.key, []) if asset else []
            self.candidates.append(Candidate(plan, accepted, end, parts[0] if parts else None))

    def _take(self, fits, prefer) -> Candidate | None:
        found = [candidate for candidate in self.candidates if fits(candidate)]
        if not found:
            return None
        best = min(found, key=lambda candidate: (candidate.part is None, *prefer(candidate), candidate.plan.key))
        self.candidates.remove(best)
        return best

    def _part(self, candidate: Candidate) -> spec.SparePartSpec:
        return candidate.part or next(part for part in spec.SPARE_PARTS if part.key == "hw-sfp")

    def _warehouse(self, candidate: Candidate, part: spec.SparePartSpec, *, central: bool = False) -> str:
        """The ticket's regional warehouse if it holds the part (the central one for `central`), else any."""
        province = SITES[candidate.plan.customer, candidate.plan.site].province
        order = sorted(
            (warehouse for warehouse in spec.WAREHOUSES if warehouse.kind != "van"),
            key=lambda warehouse: (
                (warehouse.kind != "central") if central else (province not in warehouse.provinces),
                warehouse.kind != "central",
            ),
        )
        for warehouse in order:
            if self.stock[warehouse.name, part.key] > 0:
                self.stock[warehouse.name, part.key] -= 1
                return warehouse.name
        return ""

    def _add(self, candidate: Candidate, moments: list[tuple[dt.datetime, str, dict]]) -> None:
        plan = candidate.plan
        plan.steps.extend(Step(at, actor, FIELD, arguments) for at, actor, arguments in moments)
        plan.steps.sort(key=lambda step: step.at)

    def _request(self, candidate, at, *, name, destination="domestic", warehouse="", advance=False, note=""):
        self.requests += 1
        part = self._part(candidate)
        arguments = {
            "op": "part_request",
            "request": name,
            "part": part.key,
            "destination": destination,
            "warehouse": warehouse,
            "advance": advance,
            "faulty_serial": spec.FAULTY_SERIAL.format(prefix=part.part_number[:4], key=candidate.plan.key)
            if advance
            else "",
            "note": note,
        }
        return at, _assignee_at(candidate.plan, at), arguments

    def _serial(self, candidate: Candidate, name: str) -> str:
        part = self._part(candidate)
        return f"{part.part_number[:4]}{candidate.plan.key:04d}{len(name):02d}" if part.serialised else ""

    def late(self) -> None:
        """Shipped from the central warehouse the next day and still on the road after the promise ran out."""
        latest = self.now - PROMISE_DOMESTIC - dt.timedelta(hours=3)
        candidate = self._take(
            lambda c: c.plan.final_status in OPEN and c.accepted < latest,
            lambda c: (c.plan.final_status != Status.PENDING_PARTS, c.accepted),
        )
        if candidate is None:
            return
        pended = candidate.pended
        before = pended - dt.timedelta(minutes=10) if pended else None
        at = before if before and candidate.accepted < before < latest else None
        at = at or min(candidate.accepted + dt.timedelta(minutes=30), latest)
        part = self._part(candidate)
        warehouse = self._warehouse(candidate, part, central=True)
        request = self._request(candidate, at, name="late", warehouse=warehouse, note=spec.PART_NOTES["late"])
        ship = {"op": "part_ship", "request": "late", "tracking": spec.TRACKING_NUMBERS[0]}
        ship["serial"] = self._serial(candidate, "late")
        self._add(candidate, [request, (at + dt.timedelta(hours=20), KEEPER, ship)])

    def advance_overdue(self) -> None:
        """The good part went first and was delivered over 14 days ago; the faulty one is overdue."""
        latest = self.now - FAULTY_RETURN - dt.timedelta(hours=2)
        candidate = self._take(
            lambda c: c.accepted + dt.timedelta(minutes=40) < min(c.end, latest),
            lambda c: (c.accepted,),
        )
        if candidate is None:
            return
        end = min(candidate.end - dt.timedelta(minutes=2), latest)
        at = candidate.accepted + dt.timedelta(minutes=5)
        delivered = min(at + dt.timedelta(hours=3), end)
        shipped = at + (delivered - at) / 4
        part = self._part(candidate)
        warehouse = self._warehouse(candidate, part)
        request = self._request(
            candidate, at, name="advance", warehouse=warehouse, advance=True, note=spec.PART_NOTES["advance"]
        )
        ship = {"op": "part_ship", "request": "advance", "tracking": "", "serial": self._serial(candidate, "advance")}
        deliver = {"op": "part_deliver", "request": "advance"}
        self._add(candidate, [request, (shipped, KEEPER, ship), (delivered, KEEPER, deliver)])

    def abroad(self) -> None:
        """Not in stock at home: the vendor ships from abroad; 21 days, still running."""
        latest = self.now - dt.timedelta(hours=2)
        candidate = self._take(
            lambda c: c.plan.final_status in OPEN and c.accepted < latest,
            lambda c: (c.plan.final_status not in (Status.PENDING_PARTS, Status.PENDING_VENDOR), c.accepted),
        )
        if candidate is None:
            return
        pended = candidate.pended
        before = pended - dt.timedelta(minutes=10) if pended else None
        at = before if before and candidate.accepted < before < latest else None
        at = at or min(candidate.accepted + dt.timedelta(minutes=30), latest)
        moments = [self._request(candidate, at, name="abroad", destination="abroad", note=spec.PART_NOTES["abroad"])]
        shipped = at + dt.timedelta(days=3)
        if shipped < latest:
            moments.append(
                (shipped, KEEPER, {"op": "part_ship", "request": "abroad", "tracking": spec.ABROAD_TRACKING})
            )
        self._add(candidate, moments)

    def on_time(self) -> None:
        """From the regional warehouse, delivered the same day well within the promise."""
        candidate = self._take(
            lambda c: c.end - c.accepted > dt.timedelta(minutes=90),
            lambda c: (c.plan.final_status not in FINISHED, c.pended is None, c.end - c.accepted),
        )
        if candidate is None:
            return
        pended = candidate.pended
        before = pended - dt.timedelta(minutes=5) if pended else None
        start = before if before and candidate.accepted < before < candidate.end else None
        start = start or candidate.accepted + (candidate.end - candidate.accepted) / 10
        resumed = _first(candidate.plan, "resume")
        end = resumed if resumed and resumed > start else candidate.end
        span = min(end - start, dt.timedelta(hours=8))
        part = self._part(candidate)
        warehouse = self._warehouse(candidate, part)
        request = self._request(candidate, start, name="on_time", warehouse=warehouse, note=spec.PART_NOTES["on_time"])
        ship = {"op": "part_ship", "request": "on_time", "tracking": spec.TRACKING_NUMBERS[1]}
        ship["serial"] = self._serial(candidate, "on_time")
        deliver = {"op": "part_deliver", "request": "on_time"}
        self._add(candidate, [request, (start + span * 0.3, KEEPER, ship), (start + span * 0.9, KEEPER, deliver)])
