"""The demo data set: loads into an empty database only, with working logins and consistent timelines."""

import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from aftersales.accounts.models import (
    SYSTEM_USERNAME,
    DutyException,
    DutyShift,
    EngineerProfile,
    EngineerStatus,
    Region,
    Skill,
    Team,
    User,
)
from aftersales.accounts.roles import Role
from aftersales.assets.models import Asset
from aftersales.contracts.choices import ContractStatus, Entitlement
from aftersales.contracts.entitlement import entitlement_check
from aftersales.contracts.models import Contract
from aftersales.core.choices import Tier
from aftersales.core.time import local_date
from aftersales.customers.models import Customer, Site
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.demo.planning import FIELD, plan_demo
from aftersales.dispatch.choices import (
    ApprovalStatus,
    SignedVia,
    SignerRole,
    WorkOrderEventKind,
    WorkOrderStatus,
)
from aftersales.dispatch.models import Certification, RemoteCredential, VendorCase, WorkOrder, WorkOrderEvent
from aftersales.dispatch.services.signing import PNG_MAGIC
from aftersales.dispatch.services.vendor_cases import vendor_delays
from aftersales.notifications.models import Outbox
from aftersales.sla.choices import Clock
from aftersales.tickets.choices import OPEN_STATUSES, EventKind, SlaHealth, Status
from aftersales.tickets.models import Comment, SlaEscalation, Ticket, TicketEvent

SMALL = 30  # same code path as the default 300, just fewer tickets
TICKET_FIELDS = frozenset(field.name for field in Ticket._meta.fields)
# Event kinds the demo records after the fact (dated when they happened, written after later events).
LATER_RECORDS = frozenset(
    {
        EventKind.FOLLOW_UP_RECORDED,
        EventKind.SURVEY_ANSWERED,
        EventKind.RESERVICE_OPENED,
        EventKind.PROBLEM_LINKED,
        EventKind.QC_REVIEWED,
        EventKind.COMPLAINT_LINKED,
    }
)


def load(*arguments: str) -> str:
    out = io.StringIO()
    call_command("load_demo_data", "--tickets", str(SMALL), *arguments, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Customer, Contract, Asset, Ticket, TicketEvent, Comment)
    }


@pytest.mark.django_db
def test_loading_creates_the_demo_users_with_working_passwords_roles_and_customers():
    load("--if-empty")

    expected_roles = {
        "admin": Role.ADMIN,
        "agent": Role.AGENT,
        "dispatcher": Role.DISPATCHER,
        "engineer": Role.ENGINEER,
        "expert": Role.EXPERT,
        "qc": Role.QUALITY,
        "manager": Role.MANAGER,
        "keeper": Role.PARTS_KEEPER,
        "archivist": Role.ARCHIVIST,
        "customer1": Role.CUSTOMER,
        "customer2": Role.CUSTOMER,
    }
    for username, role in expected_roles.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.last_name and user.first_name
    # Every demo account shares one password hash, so logging in two of them through the
    # authentication backends (with the real hasher) proves the password for all. (The SLA sweep's
    # system user, created when it starts an emergency plan, cannot log in.)
    hashes = set(User.objects.exclude(username=SYSTEM_USERNAME).values_list("password", flat=True))
    assert len(hashes) == 1
    for username in ("admin", "customer1"):
        request = RequestFactory().post("/login/")
        assert authenticate(request, username=username, password="demo-password").username == username
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="customer1").customer.name == "杭州市住房公积金管理中心"
    assert User.objects.get(username="customer2").customer.name == "成都市锦江中心医院"
    assert User.objects.filter(role=Role.ENGINEER).count() >= 5
    assert User.objects.get(username="engineer").teams.get().name == "杭州二线组"


@pytest.mark.django_db
def test_loading_creates_every_status_and_several_states_for_each_customer_user():
    load()

    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    # Every planned ticket, the one an inspection's failed item raised, and the desk's: nine from intake (five
    # alerts, two calls, two faxes), customer1's printer in the portal, one by mail, two complaints and the two
    # re-service tickets of the follow-up loop.
    assert Ticket.objects.filter(inspection_findings__isnull=True).count() == SMALL + 9 + 1 + 1 + 2 + 2
    assert Ticket.objects.filter(inspection_findings__isnull=False).count() == 1
    for username in ("customer1", "customer2"):
        customer = User.objects.get(username=username).customer
        assert Ticket.objects.filter(customer=customer).values("status").distinct().count() >= 5
    customer1 = User.objects.get(username="customer1")
    assert Ticket.objects.visible_to(customer1).filter(status=Status.RESOLVED).exists()
    assert Comment.objects.filter(is_public=False).exists()
    assert Comment.objects.filter(is_public=True).exists()


@pytest.mark.django_db
def test_assets_span_warranty_paid_maintenance_and_outside_scope_and_one_contract_has_expired():
    load()

    today = local_date()
    kinds = {
        entitlement_check(customer_id=asset.customer_id, site_id=asset.site_id, asset=asset, on=today).kind
        for asset in Asset.objects.select_related("product")
    }
    assert kinds == set(Entitlement.values)
    assert Contract.objects.filter(status=ContractStatus.EXPIRED, end_date__lt=today).count() == 1
    assert Customer.objects.count() >= 5
    assert all(customer.sites.count() >= 2 for customer in Customer.objects.all())


@pytest.mark.django_db
def test_every_timeline_starts_with_creation_runs_in_order_and_ends_in_the_ticket_status():
    load()

    now = timezone.now()
    for ticket in Ticket.objects.prefetch_related("events"):
        # The sweep dates an emergency plan at the minute resolution ran out, which it may only reach later.
        # Follow-ups, problem links and QC reviews are written later about what happened earlier; their events
        # carry the moment they happened, so the timeline reads in time order (as the ticket page sorts it).
        events = sorted(
            (event for event in ticket.events.all() if event.kind != EventKind.EMERGENCY_DECLARED),
            key=lambda event: (event.at, event.id),
        )
        assert events[0].kind == EventKind.CREATED
        assert ticket.received_at <= events[0].at
        changes = [event for event in events if event.kind not in LATER_RECORDS]
        assert [event.id for event in changes] == sorted(event.id for event in changes), ticket.number
        assert events[-1].at <= now
        status = Status.NEW
        for event in events[1:]:
            if event.to_status:
                assert event.from_status == status, ticket.number
                status = event.to_status
        assert status == ticket.status, ticket.number
        # Dispatching a work order to someone else reassigns the ticket; checking in records the arrival.
        bumps = (EventKind.ASSIGNED, EventKind.STATUS_CHANGED, EventKind.ARRIVED)
        changes = sum(1 for event in events if event.kind in bumps)
        # An edit is an update naming the ticket's fields (dispatching on site sets on_site_required); intake's
        # notes (which fax, call or alert a ticket came from) are updates too, but change nothing.
        edits = sum(1 for event in events if event.kind == EventKind.UPDATED and set(event.data) & TICKET_FIELDS)
        assert ticket.version == 1 + changes + edits
        stamps = [
            ticket.received_at,
            ticket.resolved_at,
            ticket.confirmed_at,
            ticket.closed_at,
            ticket.archived_at,
        ]
        present = [stamp for stamp in stamps if stamp is not None]
        assert present == sorted(present), ticket.number
        if ticket.responded_at:
            assert ticket.received_at <= ticket.responded_at


@pytest.mark.django_db
def test_recent_tickets_are_written_by_the_services_and_old_ones_by_bulk_history():
    load()

    recent = Ticket.objects.filter(received_at__gte=timezone.now() - dt.timedelta(days=21))
    old = Ticket.objects.filter(received_at__lt=timezone.now() - dt.timedelta(days=21))
    assert recent.exists() and old.exists()
    for comment in Comment.objects.select_related("ticket"):
        event = TicketEvent.objects.get(kind=EventKind.COMMENTED, data__comment=comment.pk)
        assert event.at == comment.created_at
        assert comment.created_at >= comment.ticket.received_at


@pytest.mark.django_db
def test_the_sla_board_has_clocks_at_risk_and_breached_escalations_and_a_duty_roster_after_loading():
    load()

    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    assert open_tickets.filter(sla_health=SlaHealth.WARNING).exists()
    assert open_tickets.filter(sla_health=SlaHealth.BREACHED).exists()
    # The showcase tickets: an unaccepted P2 at half its response time, a P1 whose engineer is not on site
    # after 80 % of the arrival time, an alarm nobody has answered, and a P1 past its resolution time.
    at_risk = Ticket.objects.get(title__startswith="江岸区第一中学校园网")
    assert at_risk.sla_health == SlaHealth.WARNING
    assert set(at_risk.escalations.values_list("clock", "percent")) == {(Clock.RESPONSE, 50)}
    not_there = Ticket.objects.get(title__startswith="中心机房核心业务数据库服务器宕机")
    assert set(not_there.escalations.values_list("clock", "percent")) == {(Clock.ARRIVAL, 50), (Clock.ARRIVAL, 80)}
    unanswered = Ticket.objects.get(title__startswith="指挥中心机房视频专网")
    assert unanswered.sla_health == SlaHealth.BREACHED
    assert (Clock.RESPONSE, 150) in set(unanswered.escalations.values_list("clock", "percent"))
    overdue = Ticket.objects.get(title__contains="HIS 数据库宕机")
    assert overdue.emergency_declared_at is not None
    assert overdue.events.filter(kind=EventKind.EMERGENCY_DECLARED).count() == 1
    # The sweep ran once: every rung reached has its escalation, told people through the outbox, and
    # nothing is due any more.
    assert SlaEscalation.objects.filter(notified=True).exists()
    assert Outbox.objects.filter(
        key__startswith=f"sla:{not_there.pk}:arrival:80:", user__username="engineer-hz2"
    ).exists()
    assert not Ticket.objects.filter(next_check_at__lte=timezone.now()).exists()
    assert not SlaEscalation.objects.exclude(ticket__status__in=OPEN_STATUSES).exists()
    # Someone is on duty every day and night, and every team has a lead.
    day, night = dt.time(8, 30), dt.time(17, 30)
    shifts = set(DutyShift.objects.values_list("weekday", "start", "end"))
    assert shifts == {(weekday, start, end) for weekday in range(7) for start, end in ((day, night), (night, day))}
    assert not DutyShift.objects.filter(duty_manager=None).exists()
    assert not DutyShift.objects.filter(duty_engineer=None).exists()
    assert not Team.objects.filter(lead=None).exists()


@pytest.mark.django_db
def test_if_empty_does_nothing_when_the_database_has_a_customer():
    CustomerFactory()
    before = row_counts()

    output = load("--if-empty")

    assert output.strip()
    assert row_counts() == before
    assert not User.objects.filter(username="customer1").exists()


@pytest.mark.django_db
def test_loading_again_without_if_empty_is_refused_and_changes_nothing():
    load()
    before = row_counts()

    with pytest.raises(CommandError):
        load()

    assert row_counts() == before


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    output = load("--dry-run")

    assert str(SMALL) in output
    assert row_counts()["Ticket"] == 0
    assert row_counts()["User"] == 0


def test_the_same_seed_gives_the_same_plan():
    now = timezone.now()

    first = plan_demo(seed=7, tickets=SMALL, now=now)
    second = plan_demo(seed=7, tickets=SMALL, now=now)

    assert [(t.title, t.final_status, t.received_at) for t in first.tickets] == [
        (t.title, t.final_status, t.received_at) for t in second.tickets
    ]
    assert [a.serial_number for a in first.assets] == [a.serial_number for a in second.assets]
    # Field work is chosen by rules, not drawn: nine work orders (two on the declined ticket) and one vendor case.
    assert first.work_orders == second.work_orders == 9
    assert [(s.at, s.arguments) for t in first.tickets for s in t.steps if s.operation == FIELD] == [
        (s.at, s.arguments) for t in second.tickets for s in t.steps if s.operation == FIELD
    ]
    assert first.counts()["vendor cases"] == 1
    # Four part requests, chosen by rules too.
    assert first.part_requests == second.part_requests == 4


@pytest.mark.django_db
def test_every_engineer_and_expert_has_a_profile_in_a_region_with_skills_certifications_and_a_roster():
    load()

    workers = User.objects.filter(role__in=(Role.ENGINEER, Role.EXPERT))
    assert workers.count() >= 12
    assert set(workers.values_list("username", flat=True)) == set(
        EngineerProfile.objects.values_list("user__username", flat=True)
    )
    profiles = EngineerProfile.objects.select_related("user", "region", "team")
    assert all(profile.region and profile.team and profile.skills.exists() for profile in profiles)
    assert {profile.tier for profile in profiles} == {Tier.L2, Tier.L3}
    assert all(profile.tier == Tier.L3 for profile in profiles if profile.user.role == Role.EXPERT)
    assert len({profile.home_city for profile in profiles}) >= 6
    assert profiles.filter(status=EngineerStatus.OFF_DUTY).exists()
    provinces = {province for region in Region.objects.all() for province in region.province_list}
    assert set(Site.objects.values_list("province", flat=True)) <= provinces
    assert Region.objects.get(name="华东").travel_speed_kmh == 45
    assert {"存储", "小型机", "网络", "数据库", "视频监控", "服务器"} <= set(
        Skill.objects.values_list("name", flat=True)
    )
    today = local_date()
    certifications = Certification.objects.all()
    assert certifications.filter(valid_until__lt=today).exists()
    assert certifications.filter(valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=30)).exists()
    assert certifications.filter(products__isnull=False).exists()
    assert certifications.filter(products__isnull=True).exists()
    assert set(certifications.values_list("engineer__role", flat=True)) == {Role.ENGINEER, Role.EXPERT}
    # Every shift has standby engineers, none of them the shift's duty engineer; next week has a holiday swap.
    for shift in DutyShift.objects.prefetch_related("standby_engineers"):
        standby = {user.pk for user in shift.standby_engineers.all()}
        assert standby and shift.duty_engineer_id not in standby
    exception = DutyException.objects.get()
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    assert next_monday <= exception.day < next_monday + dt.timedelta(days=7)
    assert exception.duty_engineer.engineer and exception.reason


@pytest.mark.django_db
def test_work_orders_in_every_state_are_made_by_the_services_in_time_and_no_pdf_is_rendered_while_loading():
    load()

    now = timezone.now()
    orders = WorkOrder.objects.select_related("ticket")
    statuses = set(orders.values_list("status", flat=True))
    assert {
        WorkOrderStatus.DISPATCHED,
        WorkOrderStatus.TRAVELLING,
        WorkOrderStatus.ON_SITE,
        WorkOrderStatus.WORKING_REMOTELY,
        WorkOrderStatus.WORK_DONE,
        WorkOrderStatus.SIGNED,
        WorkOrderStatus.ARCHIVED,
        WorkOrderStatus.DECLINED,
    } <= statuses
    for order in orders:
        events = list(order.events.all())
        assert events[0].data["action"] == "dispatch", order.number
        assert [event.at for event in events] == sorted(event.at for event in events), order.number
        assert order.ticket.received_at <= order.dispatched_at <= events[-1].at <= now
        assert [event.to_status for event in events if event.to_status][-1] == order.status, order.number
        assert all(order.dispatched_at < entry.at <= now for entry in order.log.all()), order.number
        # A ticket event tells the ticket's readers who was sent.
        assert order.ticket.events.filter(kind=EventKind.WORK_ORDER, data__work_order=order.pk).exists()
    for order in orders.filter(status__in=(WorkOrderStatus.SIGNED, WorkOrderStatus.ARCHIVED)):
        signatures = {signature.role: signature for signature in order.signatures.all()}
        assert set(signatures) == {SignerRole.ENGINEER, SignerRole.CUSTOMER}
        assert signatures[SignerRole.ENGINEER].signed_at <= signatures[SignerRole.CUSTOMER].signed_at
        assert all(bytes(signature.image_png).startswith(PNG_MAGIC) for signature in signatures.values())
        assert order.resolution and order.ended_at < signatures[SignerRole.CUSTOMER].signed_at
        assert order.ticket.resolved_at is None or order.ended_at < order.ticket.resolved_at
    assert orders.filter(status=WorkOrderStatus.SIGNED, signatures__via=SignedVia.LINK).exists() or orders.filter(
        status=WorkOrderStatus.ARCHIVED, signatures__via=SignedVia.LINK
    )
    archived = orders.get(status=WorkOrderStatus.ARCHIVED)
    assert archived.archived_by.username == "archivist" and archived.archived_at <= now
    on_site = orders.get(status=WorkOrderStatus.ON_SITE)
    assert on_site.log.count() == 2 and on_site.parts.count() == 1
    assert on_site.check_in_latitude is not None and on_site.ticket.arrived_at == on_site.started_at
    assert EngineerProfile.objects.get(user=on_site.engineer).status == EngineerStatus.ON_SITE
    travelling = orders.get(status=WorkOrderStatus.TRAVELLING)
    assert EngineerProfile.objects.get(user=travelling.engineer).status == EngineerStatus.TRAVELLING
    done = orders.get(status=WorkOrderStatus.WORK_DONE)
    assert not done.signatures.exists() and done.labour_hours > 0
    declined = orders.get(status=WorkOrderStatus.DECLINED)
    assert declined.decline_reason
    waiting = orders.get(status=WorkOrderStatus.DISPATCHED)
    assert waiting.ticket == declined.ticket and waiting.ticket.assignee == waiting.engineer != declined.engineer
    assert waiting.accept_by > now  # the dispatcher's latest order still waits for its engineer
    remote = orders.get(status=WorkOrderStatus.WORKING_REMOTELY)
    credential = RemoteCredential.objects.get(work_order=remote)
    assert credential.password() and credential.valid_until > now and not credential.rotation_due
    assert remote.change_approvals.get().status == ApprovalStatus.APPROVED
    # Signing and archiving only enqueue the PDF for the worker (on commit): loading renders nothing.
    assert not orders.exclude(pdf="").exists()
    assert not WorkOrderEvent.objects.filter(kind=WorkOrderEventKind.PDF_RENDERED).exists()


@pytest.mark.django_db
def test_an_escalated_ticket_has_a_vendor_case_whose_vendor_missed_its_promised_call_back():
    load()

    case = VendorCase.objects.select_related("ticket", "vendor").get()
    assert case.ticket.tier == Tier.L3 and case.ticket.status == Status.PENDING_VENDOR
    assert case.vendor.name == "Oracle" and case.updates.count() == 2
    delays = vendor_delays(case, timezone.now())
    assert delays["response_late_by"] > dt.timedelta(0) and not delays["response_waiting"]
    assert case.promised_resolution_at > case.opened_at
    kinds = list(case.ticket.events.filter(data__case=case.pk).values_list("kind", flat=True))
    assert kinds == [EventKind.VENDOR_CASE_OPENED, EventKind.VENDOR_CASE_UPDATED, EventKind.VENDOR_CASE_UPDATED]
