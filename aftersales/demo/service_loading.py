"""Write the demo's spare parts, maintenance, paperwork, training and handover through the services.

Reference data (parts, warehouses, the stock rows' reorder points, checklists, maintenance plans) is saved as
rows. Everything that happens is done by the services under a simulated clock: stock is received and sent to
the vendor by `stock_move` and the RMA services before the ticket replay; part requests are made, shipped and
delivered during the replay (`PartWork`, steps planned by `demo.parts_planning`); after it, inspections are
generated, worked and completed, a finding raised as a ticket, the weekly plan signed, the weekly reports
drafted and sent, training held and signed, and two projects handed over (or not). Loading ends with one run of
the part delivery sweep and of the supply alert, as it does with the SLA sweep.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from aftersales.accounts.models import Team, User
from aftersales.assets.models import Asset, Product, Vendor
from aftersales.contracts.handover import (
    handover_document_add,
    initial_acceptance_record,
    project_record_for,
    service_phase_start,
)
from aftersales.contracts.models import Contract
from aftersales.core.choices import Tier
from aftersales.core.time import local_date, local_zone
from aftersales.customers.models import Customer, Site
from aftersales.demo import files
from aftersales.demo import service_catalogue as spec
from aftersales.demo.catalogue import STAFF
from aftersales.demo.clock import SimulatedClock, simulated_time
from aftersales.demo.signatures import signature_data_url
from aftersales.dispatch.models import WorkLogEntry, WorkOrder
from aftersales.maintenance.choices import ItemKind, Outcome
from aftersales.maintenance.models import ChecklistItem, ChecklistTemplate, Inspection, MaintenancePlan
from aftersales.maintenance.services.inspections import (
    inspection_complete,
    inspection_item_raise_ticket,
    inspection_record,
    inspections_generate,
)
from aftersales.maintenance.services.records import (
    training_attendee_add,
    training_create,
    training_feedback,
    training_material_add,
    training_sign_in,
    training_trainer_sign,
    weekly_plan_save,
    weekly_plan_sign,
    weekly_report_draft,
    weekly_report_send,
    weekly_report_update,
)
from aftersales.parts.choices import MovementKind, RmaOutcome
from aftersales.parts.models import Part, PartRequest, Stock, Warehouse
from aftersales.parts.services.job_parts import work_order_part_from_stock
from aftersales.parts.services.requests import (
    part_delivery_sweep,
    part_request_create,
    part_request_deliver,
    part_request_ship,
)
from aftersales.parts.services.rma import rma_close, rma_open, rma_ship
from aftersales.parts.services.stock import stock_move
from aftersales.parts.supply import supply_alert
from aftersales.tickets.services import ticket_assign, ticket_transition

FULL_NAMES = {staff.username: staff.last_name + staff.first_name for staff in STAFF}
TEAM_OF = {staff.username: staff.teams[0] for staff in STAFF if staff.teams}


@dataclass
class Stores:
    """The parts reference rows, by the catalogue's keys."""

    parts: dict[str, Part] = field(default_factory=dict)
    warehouses: dict[str, Warehouse] = field(default_factory=dict)


def at_local(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=local_zone())


# Spare parts ---------------------------------------------------------------------------------------------------


def create_parts(*, users: dict[str, User], vendors: dict[str, Vendor], products: dict[str, Product], now) -> Stores:
    """The catalogue, warehouses and stock rows; stock received and the warehouses' own RMA cases, before the
    replay starts (its earliest step is RECENT_DAYS ago)."""
    stores = Stores()
    for part_spec in spec.SPARE_PARTS:
        part = Part(
            vendor=vendors[part_spec.vendor],
            part_number=part_spec.part_number,
            description=part_spec.description,
            unit_cost=Decimal(part_spec.unit_cost),
            serialised=part_spec.serialised,
            spares_per_hundred=Decimal(part_spec.spares_per_hundred),
        )
        part.full_clean(validate_unique=False)
        stores.parts[part_spec.key] = part
    Part.objects.bulk_create(stores.parts.values())
    Part.compatible_products.through.objects.bulk_create(
        Part.compatible_products.through(part_id=stores.parts[part_spec.key].pk, product_id=products[key].pk)
        for part_spec in spec.SPARE_PARTS
        for key in part_spec.products
    )
    for warehouse_spec in spec.WAREHOUSES:
        warehouse = Warehouse(
            name=warehouse_spec.name,
            kind=warehouse_spec.kind,
            city=warehouse_spec.city,
            address=warehouse_spec.address,
            engineer=users[warehouse_spec.engineer] if warehouse_spec.engineer else None,
        )
        warehouse.full_clean(validate_unique=False)
        stores.warehouses[warehouse_spec.name] = warehouse
    Warehouse.objects.bulk_create(stores.warehouses.values())
    Stock.objects.bulk_create(
        Stock(warehouse=stores.warehouses[name], part=stores.parts[key], reorder_point=reorder)
        for name, key, _quantity, reorder in spec.STOCK
    )
    keeper = users["keeper"]
    start = now - dt.timedelta(days=90)
    with simulated_time(SimulatedClock(start)) as clock:
        for index, (name, key, quantity, _reorder) in enumerate(spec.STOCK):
            clock.move_to(start + dt.timedelta(minutes=9 * index))
            part = stores.parts[key]
            stock_move(
                actor=keeper,
                kind=MovementKind.RECEIVE,
                part=part,
                warehouse=stores.warehouses[name],
                quantity=quantity,
                serial_number=f"{part.part_number[:4]}R{index:04d}" if part.serialised and quantity == 1 else "",
                note=spec.RECEIVED_NOTE.format(vendor=part.vendor.name, year=start.year, number=index + 1),
            )
        replaced = spec.RMA_REPLACED
        clock.move_to(now - dt.timedelta(days=40))
        rma = rma_open(
            actor=keeper,
            part=stores.parts[replaced["part"]],
            warehouse=stores.warehouses[replaced["warehouse"]],
            serial_number=replaced["serial"],
            note=replaced["note"],
        )
        clock.move_to(now - dt.timedelta(days=39))
        rma = rma_ship(actor=keeper, rma=rma, vendor_case_number=replaced["case"])
        clock.move_to(now - dt.timedelta(days=27))
        rma_close(actor=keeper, rma=rma, outcome=RmaOutcome.REPLACED_FREE, replacement_serial=replaced["replacement"])
        pending = spec.RMA_AT_VENDOR
        clock.move_to(now - dt.timedelta(days=24))
        rma = rma_open(
            actor=keeper,
            part=stores.parts[pending["part"]],
            warehouse=stores.warehouses[pending["warehouse"]],
            serial_number=pending["serial"],
            note=pending["note"],
        )
        clock.move_to(now - dt.timedelta(days=23, hours=20))
        rma_ship(actor=keeper, rma=rma, vendor_case_number=pending["case"])
    return stores


class PartWork:
    """The planned part steps (see demo.parts_planning), one service call each, at the replay's clock."""

    def __init__(self, users: dict[str, User], stores: Stores):
        self.users = users
        self.stores = stores
        self.requests: dict[str, PartRequest] = {}

    def _part_request(self, actor, ticket, arguments) -> None:
        warehouse = arguments["warehouse"]
        self.requests[arguments["request"]] = part_request_create(
            actor=actor,
            ticket=ticket,
            part=self.stores.parts[arguments["part"]],
            quantity=1,
            destination=arguments["destination"],
            warehouse=self.stores.warehouses[warehouse] if warehouse else None,
            advance_replacement=arguments["advance"],
            faulty_serial=arguments["faulty_serial"],
            note=arguments["note"],
        )

    def _part_ship(self, actor, ticket, arguments) -> None:
        self.requests[arguments["request"]] = part_request_ship(
            actor=actor,
            request=self.requests[arguments["request"]],
            tracking_number=arguments["tracking"],
            serial_number=arguments.get("serial", ""),
        )

    def _part_deliver(self, actor, ticket, arguments) -> None:
        self.requests[arguments["request"]] = part_request_deliver(
            actor=actor, request=self.requests[arguments["request"]]
        )

    def stock_part(self, actor, work_order: WorkOrder, arguments) -> bool:
        """Take a part that fits the asset from the engineer's van, the site's regional warehouse or the central
        one, whichever has one free first; False when none has (the caller writes a free-text line instead)."""
        site = Site.objects.get(pk=work_order.ticket.site_id) if work_order.ticket.site_id else None
        province = site.province if site else ""
        order = sorted(
            spec.WAREHOUSES,
            key=lambda warehouse: (
                warehouse.engineer != work_order.engineer.username,
                province not in warehouse.provinces,
                warehouse.kind != "central",
            ),
        )
        names = [
            warehouse.name for warehouse in order if not warehouse.engineer or warehouse.engineer == actor.username
        ]
        for part_spec in spec.PARTS_BY_PRODUCT.get(arguments["product"], []):
            part = self.stores.parts[part_spec.key]
            free = {
                row.warehouse_id: row.on_hand - row.allocated
                for row in Stock.objects.filter(part=part, warehouse__name__in=names)
            }
            for name in names:
                warehouse = self.stores.warehouses[name]
                if free.get(warehouse.pk, 0) > 0:
                    work_order_part_from_stock(
                        actor=actor,
                        work_order=work_order,
                        part=part,
                        warehouse=warehouse,
                        quantity=1,
                        serial_number=arguments["serial_number"] if part.serialised else "",
                    )
                    return True
        return False


def run_sweeps() -> dict[str, int]:
    """The part delivery sweep and the supply alert, once each, as the scheduler will from now on."""
    return {"part messages": part_delivery_sweep(), "supply messages": supply_alert()}


# Maintenance ----------------------------------------------------------------------------------------------------


@dataclass
class Places:
    """What the loader already wrote, by the catalogue's keys."""

    users: dict[str, User]
    teams: dict[str, Team]
    customers: dict[str, Customer]
    sites: dict[tuple[str, str], Site]
    contracts: dict[str, Contract]
    products: dict[str, Product]


def create_maintenance(places: Places, now: dt.datetime) -> None:
    today = local_date(now)
    templates = {}
    for checklist in spec.CHECKLISTS:
        template = templates[checklist.name] = ChecklistTemplate.objects.create(
            name=checklist.name, description=checklist.description
        )
        items = [
            ChecklistItem(
                template=template,
                position=position,
                label=item.label,
                kind=item.kind,
                expected=item.expected,
                unit=item.unit,
                minimum=Decimal(item.minimum) if item.minimum is not None else None,
                maximum=Decimal(item.maximum) if item.maximum is not None else None,
            )
            for position, item in enumerate(checklist.items, start=1)
        ]
        ChecklistItem.objects.bulk_create(items)
    plans = []
    for plan_spec in spec.PLANS:
        contract = places.contracts[plan_spec.contract]
        site = places.sites[contract.customer.code, plan_spec.site]
        plan = MaintenancePlan(
            contract=contract,
            site=site,
            title=plan_spec.title,
            scope=plan_spec.scope,
            checklist=templates[plan_spec.checklist],
            recurrence=plan_spec.recurrence,
            weekday=plan_spec.weekday,
            day_of_month=plan_spec.day_of_month,
            week_of_month=plan_spec.week_of_month,
            engineer=places.users[plan_spec.engineer] if plan_spec.engineer else None,
            team=places.teams[plan_spec.team] if plan_spec.team else None,
            starts_on=contract.start_date,
            lead_days=plan_spec.lead_days,
        )
        plan.full_clean()
        plan.save()
        plan.assets.set(
            Asset.objects.filter(
                site=site, contract=contract, product__in=[places.products[key] for key in plan_spec.products]
            )
        )
        plans.append(plan)
    # The weeks before today, as if the plans had run then, and ahead as the nightly task does from today on.
    inspections_generate(today=today - dt.timedelta(days=spec.HISTORY_DAYS), plans=plans, horizon=spec.HISTORY_DAYS)
    inspections_generate(today=today, plans=plans)
    _work_inspections(places, plans, today)


def _work_inspections(places: Places, plans: list[MaintenancePlan], today: dt.date) -> None:
    """Complete the past inspections with their results, but the weekly plan's latest (overdue, still planned);
    the latest of the plans with a finding get it, and one of them is raised as a ticket."""
    items = {}
    for item in ChecklistItem.objects.order_by("template_id", "position"):
        items.setdefault(item.template_id, []).append(item)
    findings = {spec.FINDING["plan"]: spec.FINDING, spec.UNRAISED["plan"]: spec.UNRAISED}
    for plan in plans:
        past = list(Inspection.objects.filter(plan=plan, scheduled_for__lt=today).order_by("scheduled_for"))
        if plan.title == spec.UNRAISED["plan"] and len(past) > 1:
            past = past[:-1]  # last week's is overdue
        for index, inspection in enumerate(past):
            finding = findings.get(plan.title) if index == len(past) - 1 else None
            _work(places, inspection, items[plan.checklist_id], finding)


def _work(places: Places, inspection: Inspection, items: list[ChecklistItem], finding: dict | None) -> None:
    engineer = inspection.engineer
    rng = random.Random(f"{inspection.plan.title}:{inspection.scheduled_for.isoformat()}")  # noqa: S311
    start = at_local(inspection.scheduled_for, "09:30")
    specs = {item.label: item for checklist in spec.CHECKLISTS for item in checklist.items}
    with simulated_time(SimulatedClock(start)) as clock:
        failed = None
        for index, item in enumerate(items):
            clock.move_to(start + dt.timedelta(minutes=4 * index))
            item_spec = specs[item.label]
            outcome, reading, text, photo = Outcome.PASS, None, item_spec.good, None
            if item.kind == ItemKind.READING:
                outcome = None  # the reading decides
                centre = Decimal(item_spec.good)
                value = centre + Decimal(str(round(rng.uniform(-0.04, 0.04) * float(centre), 1)))
                if item.maximum is not None:
                    value = min(value, item.maximum)
                if item.minimum is not None:
                    value = max(value, item.minimum)
                reading, text = value, ""
            elif item.kind == ItemKind.PHOTO:
                photo = files.rack_photo(inspection.pk)
            if finding and item.label == finding["item"]:
                outcome, reading, text = None, Decimal(finding["reading"]), finding["text"]
            result = inspection_record(
                actor=engineer,
                inspection=inspection,
                item=item,
                outcome=outcome,
                reading=reading,
                text=text,
                photo=photo,
            )
            if finding and item.label == finding["item"]:
                failed = result
        clock.move_to(start + dt.timedelta(minutes=4 * len(items) + 10))
        summary = finding["summary"] if finding else spec.INSPECTION_SUMMARY
        inspection_complete(actor=engineer, inspection=inspection, summary=summary)
        if failed is not None and finding is spec.FINDING:
            clock.move_to(clock.current + dt.timedelta(minutes=5))
            ticket = inspection_item_raise_ticket(actor=engineer, result=failed)
            clock.move_to(clock.current + dt.timedelta(minutes=20))
            ticket = ticket_assign(
                actor=places.users["dispatcher"],
                ticket=ticket,
                version=ticket.version,
                assignee=engineer,
                team=places.teams[TEAM_OF[engineer.username]],
                tier=Tier.L2,
                note="巡检发现问题，请现场工程师跟进精密空调维修。",
            )
            clock.move_to(clock.current + dt.timedelta(minutes=15))
            ticket_transition(actor=engineer, ticket=ticket, version=ticket.version, action="accept")


# Weekly plan and reports -----------------------------------------------------------------------------------------


def create_weekly_paperwork(places: Places, now: dt.datetime) -> None:
    resident = places.users[spec.RESIDENT["engineer"]]
    customer = places.customers[spec.RESIDENT["customer"]]
    site = places.sites[spec.RESIDENT["customer"], spec.RESIDENT["site"]]
    today = local_date(now)
    monday = today - dt.timedelta(days=today.weekday())
    signing = min(at_local(monday, "09:00"), now - dt.timedelta(minutes=30))
    with simulated_time(SimulatedClock(signing)) as clock:
        plan = weekly_plan_save(
            actor=resident,
            customer=customer,
            engineer=resident,
            week_start=monday,
            content=spec.WEEKLY_PLAN,
            customer_lead=spec.RESIDENT["lead"],
            site=site,
        )
        clock.move_to(signing + dt.timedelta(minutes=8))
        weekly_plan_sign(
            actor=resident,
            plan=plan,
            role="engineer",
            signer_name=FULL_NAMES[resident.username],
            signature=signature_data_url(FULL_NAMES[resident.username]),
        )
        clock.move_to(signing + dt.timedelta(minutes=11))
        weekly_plan_sign(
            actor=resident,
            plan=plan,
            role="customer",
            signer_name=spec.RESIDENT["lead"],
            signature=signature_data_url(spec.RESIDENT["lead"]),
        )
        clock.move_to(signing + dt.timedelta(minutes=20))
        weekly_plan_save(
            actor=resident,
            customer=customer,
            engineer=resident,
            week_start=monday + dt.timedelta(days=7),
            content=spec.NEXT_WEEK_PLAN,
            customer_lead=spec.RESIDENT["lead"],
            site=site,
        )
    # The draft: the week of the latest work log, for its engineer and customer; the sent one is the week before.
    latest = WorkLogEntry.objects.select_related("author", "work_order__customer").order_by("-at", "-id").first()
    if latest is None:
        engineer, report_customer, week = resident, customer, monday
    else:
        engineer, report_customer = latest.author, latest.work_order.customer
        day = local_date(latest.at)
        week = day - dt.timedelta(days=day.weekday())
    previous = week - dt.timedelta(days=7)
    with simulated_time(SimulatedClock(at_local(previous + dt.timedelta(days=4), "17:00"))) as clock:
        report = weekly_report_draft(actor=engineer, engineer=engineer, customer=report_customer, week_start=previous)
        clock.move_to(clock.current + dt.timedelta(minutes=25))
        report = weekly_report_update(
            actor=engineer,
            report=report,
            work_done="\n".join(line for line in (report.work_done, spec.REPORT_ADDITION) if line),
            problems=report.problems,
            next_week=report.next_week,
        )
        clock.move_to(clock.current + dt.timedelta(minutes=5))
        weekly_report_send(actor=engineer, report=report)
    with simulated_time(SimulatedClock(now - dt.timedelta(minutes=20))):
        weekly_report_draft(actor=engineer, engineer=engineer, customer=report_customer, week_start=week)


# Training ---------------------------------------------------------------------------------------------------------


TRAINING_PDF_LINES = (
    "1. Daily checks: alarms, disk and controller status in DeviceManager",
    "2. Replacing a failed disk: locate, pull, insert, reconstruction",
    "3. Collecting logs for the vendor (one-click log export)",
    "4. Who to call: 400 hotline, resident engineer, escalation",
)


def create_training(places: Places, now: dt.datetime) -> None:
    today = local_date(now)
    for training in spec.TRAININGS:
        trainer = places.users[training.trainer]
        day = today + dt.timedelta(days=training.days_from_today)
        starts, ends = at_local(day, training.start), at_local(day, training.end)
        created = min(starts - dt.timedelta(days=3), now - dt.timedelta(hours=2))
        with simulated_time(SimulatedClock(created)) as clock:
            session = training_create(
                actor=trainer,
                customer=places.customers[training.customer],
                topic=training.topic,
                starts_at=starts,
                ends_at=ends,
                place=training.place,
                trainer=trainer,
            )
            for name in training.materials:
                clock.move_to(clock.current + dt.timedelta(minutes=3))
                training_material_add(
                    actor=trainer,
                    session=session,
                    upload=files.document(name, training.topic if name.endswith(".txt") else name[:-4], _lines(name)),
                )
            attendees = [
                training_attendee_add(actor=trainer, session=session, name=name, department=department, phone=phone)
                for name, department, phone in training.attendees
            ]
            if starts > now:
                continue
            for index, attendee in enumerate(attendees):
                clock.move_to(starts - dt.timedelta(minutes=12 - 3 * index))
                training_sign_in(actor=trainer, attendee=attendee, signature=signature_data_url(attendee.name))
            clock.move_to(ends + dt.timedelta(minutes=5))
            training_trainer_sign(
                actor=trainer, session=session, signature=signature_data_url(FULL_NAMES[trainer.username])
            )
            clock.move_to(ends + dt.timedelta(hours=20))
            training_feedback(actor=trainer, session=session, feedback=training.feedback)


def _lines(name: str) -> tuple[str, ...]:
    if name.endswith(".pdf"):
        return TRAINING_PDF_LINES
    return (
        "一、日常巡检要点与告警处理",
        "二、故障部件更换流程（备件先行）",
        "三、日志收集与原厂报修",
        "四、联系方式：服务热线、驻场工程师、升级路径",
    )


# Handover ---------------------------------------------------------------------------------------------------------


def create_handover(places: Places, now: dt.datetime) -> None:
    archivist = places.users[spec.HANDOVER_ACTOR]
    for key, complete in ((spec.HANDED_OVER, True), (spec.IN_HANDOVER, False)):
        contract = places.contracts[key]
        accepted = (
            Asset.objects.filter(contract=contract)
            .order_by("acceptance_date")
            .values_list("acceptance_date", flat=True)
        ).first() or contract.start_date
        start = min(at_local(accepted, "10:00"), now - dt.timedelta(hours=3))
        with simulated_time(SimulatedClock(start)) as clock:
            project = project_record_for(contract)
            initial_acceptance_record(actor=archivist, project=project, day=local_date(start))
            for index, (kind, stem) in enumerate(spec.HANDOVER_DOCUMENTS.items()):
                if not complete and kind in spec.MISSING:
                    continue
                clock.move_to(start + dt.timedelta(minutes=30 + 10 * index))
                extension = ".txt" if kind == "service_agreement" else ".pdf"
                name = f"{contract.number}-{stem}{extension}"
                title = f"{contract.number} {kind.replace('_', ' ').title()}" if extension == ".pdf" else stem
                handover_document_add(
                    actor=archivist,
                    project=project,
                    kind=kind,
                    file=files.document(name, title, (contract.number, f"Customer: {contract.customer.code}")),
                )
            if complete:
                clock.move_to(start + dt.timedelta(days=2))
                service_phase_start(actor=archivist, project=project)
