"""The figures of one service report: a customer's contract over a month, quarter or year.

Everything is read as the customer's own users read it (`CustomerReader`: the tickets, events, work orders and
follow-ups of that customer only, no internal notes, no warning rungs, no known-problem records), so what the
report tells the customer is by construction what the customer may see.

SLA compliance is not computed here: `tickets.sla_report.sla_compliance` replays every clock of every ticket
received in the period from its events with the SLA engine, and the report keeps the customer's promises
(response, on-site arrival, resolution) from it. Each breach is explained by replaying that one ticket again
(its clock's timeline: started, paused for what and why, resumed, breached, met).

The result is plain JSON (codes, numbers, ISO times in UTC, durations in seconds), stored on the report version
so a report once sent never changes; `presentation.present` turns it into labels for a page or the PDF.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from aftersales.assets.models import Asset
from aftersales.contracts.models import Contract
from aftersales.customers.models import Customer
from aftersales.dispatch.choices import WorkOrderKind, WorkOrderStatus
from aftersales.dispatch.models import WorkOrder
from aftersales.quality.choices import FollowUpStatus, Outcome
from aftersales.quality.models import SCORE_FIELDS, FollowUp
from aftersales.reports.periods import Period
from aftersales.reports.service_report import availability
from aftersales.reports.statistics import recurring_assets, title_terms
from aftersales.sla.choices import ClockStatus
from aftersales.tickets.choices import EventKind, Kind, Status
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.sla import CLOCK_ORDER, CUSTOMER_CLOCKS, PolicyBook, clock_states
from aftersales.tickets.sla_report import Breach, period_bounds, sla_compliance

SCHEMA = 1
OUTAGE_KINDS = (Kind.MAJOR_FAULT, Kind.CATASTROPHIC_FAULT)
# Each breach in the report is explained from its ticket's timeline; a month with more breaches than this
# lists the rest without their timelines (the Excel file lists them all).
BREACHES_EXPLAINED = 200
WORK_ORDERS_LISTED = 300
RECURRING_LISTED = 10
TERMS_LISTED = 15
NOT_DONE = (WorkOrderStatus.DECLINED, WorkOrderStatus.CANCELLED)
# What a customer reads of a clock's timeline: the warning rungs ("level") are the provider's own business.
CUSTOMER_MOMENTS = frozenset({"started", "paused", "resumed", "breached", "met", "stopped"})


@dataclass(frozen=True)
class CustomerReader:
    """Reads as the customer's own users do (see `core.models.VisibleQuerySet.visible_to`)."""

    customer_id: int
    pk = None
    is_authenticated = True
    is_active = True
    is_customer_user = True
    is_staff_member = False
    is_superuser = False

    def has_perm(self, permission: str, obj=None) -> bool:
        return False


def iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None


def seconds(duration: dt.timedelta) -> int:
    return int(duration.total_seconds())


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def report_tickets(reader: CustomerReader, contract: Contract, period: Period):
    since, until = period_bounds(period.start, period.end)
    return Ticket.objects.visible_to(reader).filter(
        contract_id=contract.pk, received_at__gte=since, received_at__lt=until
    )


def compute_figures(*, customer: Customer, contract: Contract, period: Period, now: dt.datetime | None = None) -> dict:
    """The report's figures as they stand at `now` (default: the current time)."""
    now = now or timezone.now()
    reader = CustomerReader(customer.pk)
    since, until = period_bounds(period.start, period.end)
    tickets = report_tickets(reader, contract, period)
    sla, breaches = _sla(reader, customer, contract, period, now)
    return {
        "schema": SCHEMA,
        "computed_at": iso(now),
        "customer": {"id": customer.pk, "name": customer.name},
        "contract": {
            "id": contract.pk,
            "number": contract.number,
            "name": contract.name,
            "service_level": contract.service_level.name,
        },
        "period": {
            "kind": period.kind,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "since": iso(since),
            "until": iso(until),
        },
        "tickets": _ticket_counts(tickets, until),
        "sla": sla,
        "breaches": breaches,
        "availability": _availability(reader, contract, since, min(now, until)),
        "work": _work(reader, contract, since, until),
        "satisfaction": _satisfaction(reader, contract, since, until),
        "complaints": _complaints(reader, contract, since, until),
        "common_problems": _common_problems(reader, tickets),
    }


# Tickets ------------------------------------------------------------------------------------------------------


def _ticket_counts(tickets, until: dt.datetime) -> dict:
    rows = (
        tickets.order_by()
        .values_list("kind", "priority")
        .annotate(
            n=Count("id"),
            resolved=Count("id", filter=Q(resolved_at__lt=until)),
            cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        )
    )
    kinds, priorities, matrix = Counter(), Counter(), []
    total = resolved = cancelled = 0
    for kind, priority, count, done, dropped in rows:
        kinds[kind] += count
        priorities[priority] += count
        matrix.append({"kind": kind, "priority": priority, "count": count})
        total, resolved, cancelled = total + count, resolved + done, cancelled + dropped
    return {
        "total": total,
        "resolved": resolved,
        "cancelled": cancelled,
        "by_kind": [{"kind": kind, "count": kinds[kind]} for kind in Kind.values if kinds[kind]],
        "by_priority": [{"priority": p, "count": priorities[p]} for p in sorted(priorities)],
        "matrix": sorted(matrix, key=lambda cell: (Kind.values.index(cell["kind"]), cell["priority"])),
    }


# SLA ----------------------------------------------------------------------------------------------------------


def _sla(reader, customer: Customer, contract: Contract, period: Period, now: dt.datetime) -> tuple[dict, list]:
    """Compliance of the customer's promises from the SLA engine's replay, and each breach explained."""
    report = sla_compliance(
        user=reader, start=period.start, end=period.end, customer_id=customer.pk, contract_id=contract.pk, now=now
    )
    rows = [row for row in report.rows if row.clock in CUSTOMER_CLOCKS]
    by_clock: dict[str, dict] = {}
    for row in rows:
        line = by_clock.setdefault(row.clock, {"clock": row.clock, "counted": 0, "met": 0, "breached": 0, "running": 0})
        for name in ("counted", "met", "breached", "running"):
            line[name] += getattr(row, name)
    total = {name: sum(line[name] for line in by_clock.values()) for name in ("counted", "met", "breached", "running")}
    for line in [*by_clock.values(), total]:
        line["percent"] = percent(line["met"], line["met"] + line["breached"])
    sla = {
        "rows": [
            {
                "priority": row.priority,
                "clock": row.clock,
                "counted": row.counted,
                "met": row.met,
                "breached": row.breached,
                "running": row.running,
                "percent": row.percent_met,
            }
            for row in sorted(rows, key=lambda row: (row.priority, CLOCK_ORDER[row.clock]))
        ],
        "by_clock": sorted(by_clock.values(), key=lambda line: CLOCK_ORDER[line["clock"]]),
        "total": total,
    }
    breaches = [breach for breach in report.breaches if breach.clock in CUSTOMER_CLOCKS]
    return sla, _explained(reader, breaches, period, now)


def _explained(reader, breaches: list[Breach], period: Period, now: dt.datetime) -> list[dict]:
    explained_ids = {breach.ticket_id for breach in breaches[:BREACHES_EXPLAINED]}
    replays = _replays(reader, explained_ids, period, now)
    titles = dict(Ticket.objects.filter(pk__in={b.ticket_id for b in breaches}).values_list("pk", "title"))
    result = []
    for index, breach in enumerate(breaches):
        line = {
            "ticket_id": breach.ticket_id,
            "number": breach.number,
            "title": titles.get(breach.ticket_id, ""),
            "priority": breach.priority,
            "clock": breach.clock,
            "target": seconds(breach.target),
            "due_at": iso(breach.due_at),
            "stopped_at": iso(breach.stopped_at),
            "overdue": seconds(breach.overdue),
        }
        if index < BREACHES_EXPLAINED and breach.ticket_id in replays:
            line.update(_explanation(*replays[breach.ticket_id], breach.clock, now))
        result.append(line)
    return result


def _replays(reader, ticket_ids: set[int], period: Period, now: dt.datetime) -> dict[int, tuple]:
    """Each ticket's clock states and the notes of its status changes (the ones the customer may read)."""
    if not ticket_ids:
        return {}
    tickets = Ticket.objects.filter(pk__in=ticket_ids).only(
        "id", "number", "kind", "priority", "received_at", "on_site_required", "service_level_id", "resolution"
    )
    events = defaultdict(list)
    for event in (
        TicketEvent.objects.visible_to(reader)
        .filter(ticket_id__in=ticket_ids)
        .only("id", "ticket_id", "kind", "at", "from_status", "to_status", "note", "data")
        .order_by("ticket_id", "at", "id")
    ):
        events[event.ticket_id].append(event)
    book = PolicyBook.load(holidays_from=period.start - dt.timedelta(days=1))
    replays = {}
    for ticket in tickets:
        own = events[ticket.pk]
        notes = {
            (event.at, event.to_status): event.note_for(reader)
            for event in own
            if event.kind == EventKind.STATUS_CHANGED and event.to_status
        }
        states = {state.clock: state for state in clock_states(ticket, own, book, now)}
        replays[ticket.pk] = (ticket, states, notes)
    return replays


def _explanation(ticket: Ticket, states: dict, notes: dict, clock: str, now: dt.datetime) -> dict:
    state = states.get(clock)
    if state is None:
        return {}
    moments, paused, paused_since = [], dt.timedelta(0), None
    for moment in state.timeline:
        if moment.what not in CUSTOMER_MOMENTS:
            continue
        if moment.what == "paused":
            paused_since = moment.at
        elif paused_since is not None and moment.what in ("resumed", "met", "stopped"):
            paused, paused_since = paused + (moment.at - paused_since), None
        moments.append(
            {
                "at": iso(moment.at),
                "what": moment.what,
                "status": moment.status,
                "note": notes.get((moment.at, moment.status), "") if moment.status else "",
            }
        )
    if paused_since is not None and state.status in (ClockStatus.PAUSED, ClockStatus.BREACHED):
        paused += now - paused_since
    return {"used": seconds(state.used), "paused": seconds(paused), "moments": moments, "resolution": ticket.resolution}


# Availability -------------------------------------------------------------------------------------------------


def _availability(reader, contract: Contract, since: dt.datetime, until: dt.datetime) -> dict:
    """Downtime per piece of equipment from the major and catastrophic faults (see `availability`)."""
    faults = list(
        Ticket.objects.visible_to(reader)
        .filter(contract_id=contract.pk, kind__in=OUTAGE_KINDS, received_at__lt=until)
        .exclude(status=Status.CANCELLED)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=since))
        .values_list("pk", "number", "received_at", "resolved_at")
    )
    outages = {pk: ((received, resolved or until), number) for pk, number, received, resolved in faults}
    by_asset = defaultdict(list)
    for ticket_id, asset_id in Ticket.assets.through.objects.filter(ticket_id__in=list(outages)).values_list(
        "ticket_id", "asset_id"
    ):
        by_asset[asset_id].append(ticket_id)
    named = {ticket_id for ticket_ids in by_asset.values() for ticket_id in ticket_ids}
    unnamed = [ticket_id for ticket_id in outages if ticket_id not in named]
    assets = Asset.objects.select_related("product__vendor", "site").in_bulk(list(by_asset))
    length = until - since
    systems = [
        _system(asset_id, str(assets[asset_id]), assets[asset_id].site.name, ticket_ids, outages, since, until)
        for asset_id, ticket_ids in by_asset.items()
    ]
    if unnamed:
        systems.append(_system(None, "", "", unnamed, outages, since, until))
    systems.sort(key=lambda system: (system["availability"], system["name"]))
    overall = _system(None, "", "", list(outages), outages, since, until)
    return {
        "since": iso(since),
        "until": iso(until),
        "length": seconds(length),
        "systems": systems,
        "overall": {key: overall[key] for key in ("downtime", "outages", "availability")},
        "assets_under_contract": Asset.objects.filter(contract_id=contract.pk).count(),
    }


def _system(asset_id, name: str, site: str, ticket_ids, outages: dict, since, until) -> dict:
    intervals = [outages[ticket_id][0] for ticket_id in ticket_ids]
    pieces = availability.merged(availability.clipped(interval, since, until) for interval in intervals)
    down = availability.downtime(intervals, since, until)
    return {
        "asset_id": asset_id,
        "name": name,
        "site": site,
        "downtime": seconds(down),
        "outages": len(pieces),
        "availability": availability.percent_available(down, until - since),
        "tickets": sorted(outages[ticket_id][1] for ticket_id in ticket_ids),
    }


# Work done, satisfaction, complaints --------------------------------------------------------------------------


def _work(reader, contract: Contract, since: dt.datetime, until: dt.datetime) -> dict:
    """Work orders started in the period (declined and cancelled ones were no work)."""
    orders = (
        WorkOrder.objects.visible_to(reader)
        .filter(ticket__contract_id=contract.pk, started_at__gte=since, started_at__lt=until)
        .exclude(status__in=NOT_DONE)
    )
    totals = orders.aggregate(
        count=Count("id"),
        on_site=Count("id", filter=Q(kind=WorkOrderKind.ON_SITE)),
        remote=Count("id", filter=Q(kind=WorkOrderKind.REMOTE)),
        hours=Sum("labour_hours"),
        km=Sum("travel_km"),
    )
    listed = orders.select_related("ticket", "engineer").order_by("started_at", "id")[:WORK_ORDERS_LISTED]
    return {
        "count": totals["count"],
        "on_site": totals["on_site"],
        "remote": totals["remote"],
        # Quantized: SQLite sums decimals as floats ("3.5"), PostgreSQL keeps the scale ("3.50").
        "labour_hours": str((totals["hours"] or Decimal(0)).quantize(Decimal("0.01"))),
        "travel_km": str((totals["km"] or Decimal(0)).quantize(Decimal("0.1"))),
        "orders": [
            {
                "number": order.number,
                "ticket": order.ticket.number,
                "kind": order.kind,
                "status": order.status,
                "engineer": str(order.engineer),
                "started_at": iso(order.started_at),
                "ended_at": iso(order.ended_at),
                "labour_hours": str(order.labour_hours),
                "task": order.task_description or order.problem_description,
            }
            for order in listed
        ],
    }


def _satisfaction(reader, contract: Contract, since: dt.datetime, until: dt.datetime) -> dict:
    """Follow-ups answered in the period: outcomes, the average of each score (1-5) and the re-services."""
    answered = FollowUp.objects.visible_to(reader).filter(
        ticket__contract_id=contract.pk, status=FollowUpStatus.DONE, answered_at__gte=since, answered_at__lt=until
    )
    totals = answered.aggregate(
        count=Count("id"),
        reservices=Count("reservice_ticket"),
        **{name: Avg(name) for name in SCORE_FIELDS},
        **{f"outcome_{outcome}": Count("id", filter=Q(outcome=outcome)) for outcome in Outcome.values},
    )
    satisfied, dissatisfied = totals[f"outcome_{Outcome.SATISFIED}"], totals[f"outcome_{Outcome.DISSATISFIED}"]
    return {
        "answered": totals["count"],
        "outcomes": {outcome: totals[f"outcome_{outcome}"] for outcome in Outcome.values},
        "scores": {name: round(totals[name], 2) if totals[name] is not None else None for name in SCORE_FIELDS},
        "satisfied_percent": percent(satisfied, satisfied + dissatisfied),
        "reservices": totals["reservices"],
    }


def _complaints(reader, contract: Contract, since: dt.datetime, until: dt.datetime) -> dict:
    """Complaints received in the period under this contract (or under none: they concern the customer)."""
    complaints = (
        Ticket.objects.visible_to(reader)
        .filter(kind=Kind.COMPLAINT, received_at__gte=since, received_at__lt=until)
        .filter(Q(contract_id=contract.pk) | Q(contract__isnull=True))
        .order_by("received_at", "id")
    )
    rows = [
        {
            "number": ticket.number,
            "title": ticket.title,
            "received_at": iso(ticket.received_at),
            "status": ticket.status,
            "resolved_at": iso(ticket.resolved_at),
            "root_cause": ticket.root_cause,
            "corrective_action": ticket.corrective_action,
        }
        for ticket in complaints.only(
            "number", "title", "received_at", "status", "resolved_at", "root_cause", "corrective_action", "customer_id"
        )
    ]
    return {"count": len(rows), "closed": sum(row["resolved_at"] is not None for row in rows), "rows": rows}


def _common_problems(reader, tickets) -> dict:
    products = (
        Ticket.assets.through.objects.filter(ticket__in=tickets.values("pk"))
        .order_by()
        .values_list(
            "asset__product_id", "asset__product__vendor__name", "asset__product__name", "asset__product__model"
        )
        .annotate(n=Count("ticket_id", distinct=True))
        .filter(n__gte=2)
        .order_by("-n", "asset__product_id")[:RECURRING_LISTED]
    )
    return {
        "assets": [
            {"asset_id": item.key, "name": item.label, "site": item.detail, "count": item.count}
            for item in recurring_assets(tickets, reader, limit=RECURRING_LISTED)
        ],
        "products": [
            {"product_id": product_id, "name": " ".join(part for part in (vendor, name, model) if part), "count": n}
            for product_id, vendor, name, model, n in products
        ],
        "terms": [{"term": term, "count": count} for term, count in title_terms(tickets, limit=TERMS_LISTED)],
    }
