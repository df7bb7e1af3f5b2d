"""The demo's spare parts, maintenance, paperwork, training and handover: made through the services, consistent,
and showing what each page is for (a late part escalated, a supply shortage, an inspection finding, the gate)."""

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales.assets.models import Product
from aftersales.contracts.handover import missing_documents, service_phase_start
from aftersales.contracts.models import ProjectRecord
from aftersales.core.errors import InvalidTransition
from aftersales.core.time import local_date
from aftersales.demo import service_catalogue as spec
from aftersales.demo.catalogue import PRODUCTS, STAFF, VENDORS
from aftersales.demo.tests.test_load_demo_data import SMALL
from aftersales.dispatch.models import WorkOrder
from aftersales.dispatch.services.signing import PNG_MAGIC
from aftersales.maintenance.choices import DocumentStatus, InspectionStatus, Outcome, Recurrence, SignedVia
from aftersales.maintenance.models import (
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    MaintenancePlan,
    TrainingSession,
    WeeklyPlan,
    WeeklyReport,
)
from aftersales.maintenance.services.inspections import inspections_generate
from aftersales.notifications.models import Outbox
from aftersales.parts.choices import Destination, MovementKind, PartRequestStatus, RmaOutcome, WarehouseKind
from aftersales.parts.models import Part, PartEscalation, PartRequest, RmaCase, Stock, StockMovement, Warehouse
from aftersales.parts.services.stock import EFFECTS
from aftersales.parts.supply import shortages, supply_ends, supply_report
from aftersales.tickets.choices import Channel, EventKind
from aftersales.tickets.models import Ticket


@pytest.fixture
def loaded(db):
    call_command("load_demo_data", "--tickets", str(SMALL), stdout=io.StringIO())
    return timezone.now()


def test_the_catalogue_names_known_products_vendors_and_staff():
    product_keys = {product.key for product in PRODUCTS}
    usernames = {staff.username for staff in STAFF}
    assert all(set(part.products) <= product_keys and part.vendor in VENDORS for part in spec.SPARE_PARTS)
    assert set(spec.DISCONTINUED) <= product_keys
    assert {plan.engineer for plan in spec.PLANS if plan.engineer} <= usernames
    assert {training.trainer for training in spec.TRAININGS} <= usernames
    names = {warehouse.name for warehouse in spec.WAREHOUSES}
    parts = {part.key for part in spec.SPARE_PARTS}
    assert all(name in names and key in parts for name, key, _quantity, _reorder in spec.STOCK)


def test_stock_is_exactly_what_its_movements_made_and_some_is_below_its_reorder_point(loaded):
    assert Part.objects.count() >= 15
    assert Part.objects.filter(serialised=True).exists() and Part.objects.filter(serialised=False).exists()
    assert not Part.objects.filter(compatible_products=None).exists()
    kinds = list(Warehouse.objects.values_list("kind", flat=True))
    assert sorted(kinds) == sorted([WarehouseKind.CENTRAL] + [WarehouseKind.REGIONAL] * 3 + [WarehouseKind.VAN] * 2)
    assert not Warehouse.objects.filter(kind=WarehouseKind.VAN, engineer=None).exists()
    # Replaying every movement through the effects table gives each row's on hand and allocated.
    expected = defaultdict(lambda: [0, 0])
    for movement in StockMovement.objects.order_by("id"):
        effect = EFFECTS[movement.kind]
        row = expected[movement.warehouse_id, movement.part_id]
        row[0] += effect.on_hand * movement.quantity
        from_reservation = (
            movement.part_request_id is not None
            and movement.kind == MovementKind.ISSUE
            and (
                StockMovement.objects.filter(
                    part_request_id=movement.part_request_id, kind=MovementKind.RESERVE
                ).exists()
            )
        )
        row[1] += (effect.allocated - from_reservation) * movement.quantity
        if movement.to_warehouse_id:
            expected[movement.to_warehouse_id, movement.part_id][0] += effect.receiving_on_hand * movement.quantity
    for stock in Stock.objects.all():
        assert [stock.on_hand, stock.allocated] == expected.get((stock.warehouse_id, stock.part_id), [0, 0])
        assert 0 <= stock.allocated <= stock.on_hand
    assert any(stock.on_hand < stock.reorder_point for stock in Stock.objects.all())
    assert StockMovement.objects.filter(kind=MovementKind.RECEIVE).count() == len(spec.STOCK)


def test_part_requests_run_their_clocks_and_the_late_one_was_escalated_by_the_sweep(loaded):
    now = loaded
    requests = PartRequest.objects.select_related("ticket")
    assert requests.count() == 4
    for request in requests:
        assert request.ticket.received_at < request.requested_at <= now
        actions = list(
            request.ticket.events.filter(kind=EventKind.UPDATED, data__part_request=request.pk)
            .order_by("id")
            .values_list("data__action", flat=True)
        )
        assert actions[0] == "requested"
    on_time = requests.get(status=PartRequestStatus.DELIVERED, advance_replacement=False)
    assert on_time.requested_at < on_time.shipped_at < on_time.delivered_at <= on_time.due_at
    late = requests.get(status=PartRequestStatus.SHIPPED, destination=Destination.DOMESTIC)
    assert late.due_at < now and late.promised_days == 7
    assert {100, 80, 50} <= set(late.escalations.values_list("percent", flat=True))
    assert Outbox.objects.filter(key__startswith=f"part:{late.pk}:", user__username="keeper").exists()
    advance = requests.get(advance_replacement=True)
    assert advance.status == PartRequestStatus.DELIVERED and advance.faulty_serial
    assert advance.faulty_due_at < now and advance.faulty_returned_at is None
    assert Outbox.objects.filter(key__startswith=f"faulty:{advance.pk}:").exists()
    abroad = requests.get(destination=Destination.ABROAD)
    assert abroad.promised_days == 21 and abroad.due_at > now and abroad.status != PartRequestStatus.DELIVERED
    assert not PartEscalation.objects.filter(request=abroad, percent__gte=100).exists()
    # The sweep ran once: nothing is due any more.
    assert not PartRequest.objects.filter(next_check_at__lte=now).exists()
    # RMA: one replaced free and back in stock, one still at the vendor.
    replaced = RmaCase.objects.get(outcome=RmaOutcome.REPLACED_FREE)
    assert replaced.replacement_serial and replaced.shipped_at < replaced.returned_at <= now
    assert replaced.movements.filter(kind=MovementKind.RECEIVE_FROM_VENDOR).exists()
    pending = RmaCase.objects.get(outcome=RmaOutcome.PENDING)
    assert pending.shipped_at and pending.vendor_case_number and pending.returned_at is None


def test_the_supply_promise_shows_a_shortage_and_a_job_took_its_part_from_stock(loaded):
    today = local_date()
    old = Product.objects.get(model="S922 9009-22A")
    assert today < supply_ends(old) < today + dt.timedelta(days=2 * 366)
    recent = Product.objects.get(model="DL380 Gen10")
    assert recent.end_of_sale > today - dt.timedelta(days=366) and recent.end_of_life is None
    short = shortages(supply_report(today))
    assert {position.part.part_number for position in short} >= {"01KL599", "865414-B21"}
    assert all(position.on_hand < position.needed for position in short)
    assert Outbox.objects.filter(key__startswith="supply:", user__username="keeper").exists()
    # The engineer on site took a part that fits the asset from stock: the sheet's line and the movement.
    on_site = WorkOrder.objects.get(status="on_site")
    line = on_site.parts.get()
    movement = StockMovement.objects.get(kind=MovementKind.CONSUME, part_used=line)
    assert movement.work_order == on_site and movement.ticket == on_site.ticket
    assert on_site.ticket.assets.filter(product__spare_parts=movement.part).exists()
    assert line.part_number == movement.part.part_number and line.unit_price == movement.part.unit_cost


def test_maintenance_plans_have_one_inspection_per_day_worked_ones_in_the_past_and_a_raised_finding(loaded):
    today = local_date()
    assert ChecklistTemplate.objects.count() == 2
    plans = MaintenancePlan.objects.all()
    assert 4 <= plans.count() <= 6
    assert set(plans.values_list("recurrence", flat=True)) == set(Recurrence.values)
    assert not plans.filter(assets=None).exists()
    pairs = list(Inspection.objects.values_list("plan_id", "scheduled_for"))
    assert len(pairs) == len(set(pairs))
    assert {plan for plan, _day in pairs} == set(plans.values_list("pk", flat=True))
    # Generating again, as the nightly task will, finds nothing new.
    assert inspections_generate(today=today) == 0
    done = Inspection.objects.filter(status=InspectionStatus.DONE).select_related("plan")
    assert done.count() >= 4
    for inspection in done:
        assert inspection.scheduled_for < today and inspection.completed_at
        assert inspection.results.count() == inspection.plan.checklist.items.count()
        assert all(result.recorded_by == inspection.engineer for result in inspection.results.all())
    assert not Inspection.objects.filter(scheduled_for__gte=today).exclude(status=InspectionStatus.PLANNED).exists()
    upcoming = Inspection.objects.filter(scheduled_for__gte=today, status=InspectionStatus.PLANNED)
    assert upcoming.filter(engineer__username="engineer").exists()
    assert not upcoming.filter(engineer=None).exists()
    assert Inspection.objects.filter(scheduled_for__lt=today, status=InspectionStatus.PLANNED).exists()  # overdue
    raised = InspectionResult.objects.select_related("ticket", "inspection").get(ticket__isnull=False)
    assert raised.outcome == Outcome.FAIL and raised.reading > raised.item.maximum
    assert raised.ticket.channel == Channel.INSPECTION and raised.ticket.assignee == raised.inspection.engineer
    assert raised.ticket.events.filter(kind=EventKind.UPDATED, data__inspection=raised.inspection_id).exists()
    assert InspectionResult.objects.filter(outcome=Outcome.FAIL, ticket=None).exists()  # one left to raise
    assert InspectionResult.objects.exclude(photo="").exists()


def test_weekly_paperwork_training_and_handover(loaded):
    signed = WeeklyPlan.objects.get(status=DocumentStatus.SIGNED)
    signatures = {signature.role: signature for signature in signed.signatures.all()}
    assert set(signatures) == {"engineer", "customer"}
    assert signatures["engineer"].signed_at < signatures["customer"].signed_at
    assert all(bytes(signature.image_png).startswith(PNG_MAGIC) for signature in signatures.values())
    assert WeeklyPlan.objects.filter(status=DocumentStatus.DRAFT, week_start=signed.week_start + dt.timedelta(7))
    sent = WeeklyReport.objects.get(status=DocumentStatus.SENT)
    assert sent.sent_at and sent.work_done
    assert Outbox.objects.filter(key__startswith=f"weekly_report:{sent.pk}:sent:", user__username="manager").exists()
    draft = WeeklyReport.objects.get(status=DocumentStatus.DRAFT)
    assert draft.week_start == sent.week_start + dt.timedelta(days=7) and draft.engineer == sent.engineer
    assert "WO" in draft.work_done  # generated from the work log
    now = loaded
    held = TrainingSession.objects.get(starts_at__lt=now)
    assert held.trainer_signed_at and bytes(held.trainer_signature_png).startswith(PNG_MAGIC) and held.feedback
    assert held.attendees.count() >= 3
    assert not held.attendees.exclude(signed_via=SignedVia.PHONE).exists()
    assert all(attendee.signed_at <= held.starts_at for attendee in held.attendees.all())
    upcoming = TrainingSession.objects.get(starts_at__gt=now)
    assert not upcoming.attendees.filter(signed_at__isnull=False).exists()
    for session in (held, upcoming):
        assert all(material.file.storage.exists(material.file.name) for material in session.materials.all())
        assert session.materials.exists()
    started = ProjectRecord.objects.get(service_started_at__isnull=False)
    assert started.contract.number.endswith("SZGASP-01") and not missing_documents(started)
    assert started.handover_exception == "" and started.initial_acceptance_date
    assert all(document.file.storage.exists(document.file.name) for document in started.documents.all())
    waiting = ProjectRecord.objects.get(service_started_at=None)
    assert sorted(missing_documents(waiting)) == sorted(spec.MISSING)
    with pytest.raises(InvalidTransition):
        service_phase_start(actor=started.service_started_by, project=waiting)
    assert not Ticket.objects.filter(next_check_at__lte=now).exists()
