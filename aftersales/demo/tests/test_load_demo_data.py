"""The demo data set: loads into an empty database only, with working logins and consistent timelines."""

import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from aftersales.accounts.models import SYSTEM_USERNAME, DutyShift, Team, User
from aftersales.accounts.roles import Role
from aftersales.assets.models import Asset
from aftersales.contracts.choices import ContractStatus, Entitlement
from aftersales.contracts.entitlement import entitlement_check
from aftersales.contracts.models import Contract
from aftersales.core.time import local_date
from aftersales.customers.models import Customer
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.demo.planning import plan_demo
from aftersales.notifications.models import Outbox
from aftersales.sla.choices import Clock
from aftersales.tickets.choices import OPEN_STATUSES, EventKind, SlaHealth, Status
from aftersales.tickets.models import Comment, SlaEscalation, Ticket, TicketEvent

SMALL = 30  # same code path as the default 300, just fewer tickets


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
    assert Ticket.objects.count() == SMALL
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
        events = sorted(
            (event for event in ticket.events.all() if event.kind != EventKind.EMERGENCY_DECLARED),
            key=lambda event: event.id,
        )
        assert events[0].kind == EventKind.CREATED
        assert ticket.received_at <= events[0].at
        assert [event.at for event in events] == sorted(event.at for event in events), ticket.number
        assert events[-1].at <= now
        status = Status.NEW
        for event in events[1:]:
            if event.to_status:
                assert event.from_status == status, ticket.number
                status = event.to_status
        assert status == ticket.status, ticket.number
        changes = sum(1 for event in events if event.kind in (EventKind.ASSIGNED, EventKind.STATUS_CHANGED))
        assert ticket.version == 1 + changes
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
