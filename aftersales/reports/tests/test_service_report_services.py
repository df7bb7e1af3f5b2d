"""Service report lifecycle: requested, generated, edited, released, sent (one email per report and recipient),
opened through its link, generated again as a new version; and the schedule, once per contract and period."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import ContactFactory
from aftersales.notifications.models import Outbox
from aftersales.reports import services
from aftersales.reports.models import ServiceReport, ServiceReportEvent, ServiceReportRecipient, ServiceReportSchedule
from aftersales.reports.tasks import generate_service_report, schedule_service_reports
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
FIRST_OF_OCTOBER = dt.datetime(2026, 10, 1, 6, 10, tzinfo=BEIJING)
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def contract():
    contract = ContractFactory(number="HT-2026-0001", start_date=dt.date(2025, 6, 1), end_date=dt.date(2027, 5, 31))
    ContactFactory(customer=contract.customer, name="钱主任", email="Qian@Example.cn")
    ContactFactory(customer=contract.customer, name="孙工", email="sun@example.cn")
    ContactFactory(customer=contract.customer, name="没有邮箱", email="")
    TicketFactory(customer=contract.customer, contract=contract, received_at=dt.datetime(2026, 9, 3, 9, tzinfo=BEIJING))
    return contract


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


def request_september(actor, contract, capture) -> ServiceReport:
    with capture():
        return services.service_report_request(
            actor=actor, contract=contract, period_kind="month", period_start=dt.date(2026, 9, 1)
        )


def draft(actor, contract, capture) -> ServiceReport:
    report = request_september(actor, contract, capture)
    return services.service_report_generate(report_id=report.pk)


def kinds(report) -> list[str]:
    return list(ServiceReportEvent.objects.filter(report=report).order_by("at", "id").values_list("kind", flat=True))


def test_a_requested_report_is_generated_once_as_a_draft_with_its_files(
    manager, contract, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        report = services.service_report_request(
            actor=manager, contract=contract, period_kind="month", period_start=dt.date(2026, 9, 1)
        )
    assert (report.status, report.version, report.period_end, len(queued)) == ("pending", 1, dt.date(2026, 9, 30), 1)

    generated = services.service_report_generate(report_id=report.pk)
    again = services.service_report_generate(report_id=report.pk)

    assert again is None
    assert (generated.status, generated.figures["tickets"]["total"]) == ("draft", 1)
    assert generated.pdf.name.endswith("-2026-09-v1.pdf") and generated.xlsx.name.endswith("-2026-09-v1.xlsx")
    assert generated.recommendations.startswith("• ")
    assert kinds(report) == ["requested", "generated"]


def test_only_supervisors_request_reports_and_a_refusal_creates_nothing(contract, django_capture_on_commit_callbacks):
    for role in (Role.ENGINEER, Role.DISPATCHER, Role.CUSTOMER):
        user = UserFactory(role=role, customer=contract.customer if role == Role.CUSTOMER else None)
        with pytest.raises(PermissionDenied):
            request_september(user, contract, django_capture_on_commit_callbacks)
    assert not ServiceReport.objects.exists()


@pytest.mark.parametrize(
    ("kind", "start", "message"),
    [
        ("month", dt.date(2026, 9, 2), "Choose the first day of a month, quarter or year."),
        ("quarter", dt.date(2026, 8, 1), "Choose the first day of a month, quarter or year."),
        ("month", dt.date(2099, 1, 1), "A report cannot be made for a period not yet begun."),
        # The KPI pages' periods are not a service report's.
        ("week", dt.date(2026, 9, 7), "Choose the first day of a month, quarter or year."),
        ("day", dt.date(2026, 9, 1), "Choose the first day of a month, quarter or year."),
        ("range", dt.date(2026, 9, 1), "Choose the first day of a month, quarter or year."),
    ],
)
def test_a_period_that_is_not_one_is_refused(manager, contract, kind, start, message):
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        services.service_report_request(actor=manager, contract=contract, period_kind=kind, period_start=start)

    assert [str(text) for text in refused.value.detail["period_start"]] == [message]
    assert not ServiceReport.objects.exists()


def test_a_draft_is_edited_released_and_then_frozen(manager, contract, django_capture_on_commit_callbacks):
    report = draft(manager, contract, django_capture_on_commit_callbacks)
    pdf_before = report.pdf.name

    edited = services.service_report_edit(actor=manager, report=report, recommendations="  • 建议更换老旧交换机。\r\n")
    released = services.service_report_finalise(actor=manager, report=edited)

    assert (released.status, released.recommendations, released.finalised_by) == (
        "final",
        "• 建议更换老旧交换机。",
        manager,
    )
    assert edited.pdf.name == pdf_before  # rendered again under the same name
    with pytest.raises(InvalidTransition):
        services.service_report_edit(actor=manager, report=released, recommendations="改掉")
    with pytest.raises(InvalidTransition):
        services.service_report_finalise(actor=manager, report=released)
    assert ServiceReport.objects.get(pk=report.pk).recommendations == "• 建议更换老旧交换机。"
    assert kinds(report) == ["requested", "generated", "edited", "finalised"]


def test_editing_needs_a_supervisor_and_some_text(manager, contract, django_capture_on_commit_callbacks):
    report = draft(manager, contract, django_capture_on_commit_callbacks)

    with pytest.raises(PermissionDenied):
        services.service_report_edit(actor=UserFactory(role=Role.ENGINEER), report=report, recommendations="x")
    with pytest.raises(ValidationFailed):
        services.service_report_edit(actor=manager, report=report, recommendations="   ")
    assert ServiceReport.objects.get(pk=report.pk).recommendations == report.recommendations


def test_sending_emails_each_contact_once_with_their_own_link(manager, contract, django_capture_on_commit_callbacks):
    report = draft(manager, contract, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidTransition):
        services.service_report_send(actor=manager, report=report)  # not released yet
    services.service_report_finalise(actor=manager, report=report)

    sent = services.service_report_send(actor=manager, report=report)
    services.service_report_send(actor=manager, report=report)  # again: nobody new

    assert (sent.status, [r["email"] for r in sent.recipients]) == ("sent", ["sun@example.cn", "qian@example.cn"])
    mails = Outbox.objects.order_by("key")
    assert [(mail.key, mail.channel, mail.recipient) for mail in mails] == [
        (f"service_report:{report.pk}:recipient:qian@example.cn", "email", "qian@example.cn"),
        (f"service_report:{report.pk}:recipient:sun@example.cn", "email", "sun@example.cn"),
    ]
    assert all("/reports/link/" in mail.url for mail in mails) and mails[0].url != mails[1].url
    assert ServiceReportRecipient.objects.filter(report=report).count() == 2

    ContactFactory(customer=contract.customer, name="新联系人", email="new@example.cn")
    services.service_report_send(actor=manager, report=report)
    assert Outbox.objects.count() == 3
    assert kinds(report)[-3:] == ["sent", "sent", "sent"]


def test_a_link_opens_its_report_counts_downloads_and_expires(manager, contract, django_capture_on_commit_callbacks):
    report = draft(manager, contract, django_capture_on_commit_callbacks)
    services.service_report_finalise(actor=manager, report=report)
    services.service_report_send(actor=manager, report=report)
    token = Outbox.objects.order_by("key").first().url.rstrip("/").rsplit("/", 1)[1]

    assert services.report_link_open(token) == report
    assert services.report_link_open(token) == report
    delivery = ServiceReportRecipient.objects.get(email="qian@example.cn")
    assert delivery.downloads == 2 and delivery.token_hash == services.token_hash(token)
    with pytest.raises(NotFound):
        services.report_link_open("not-a-token")
    ServiceReportRecipient.objects.filter(pk=delivery.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(InvalidTransition):
        services.report_link_open(token)
    assert ServiceReportRecipient.objects.get(pk=delivery.pk).downloads == 2


def test_generating_again_makes_a_new_version_and_leaves_the_sent_one_alone(
    manager, contract, django_capture_on_commit_callbacks
):
    first = draft(manager, contract, django_capture_on_commit_callbacks)
    services.service_report_finalise(actor=manager, report=first)
    services.service_report_send(actor=manager, report=first)
    TicketFactory(customer=contract.customer, contract=contract, received_at=dt.datetime(2026, 9, 9, tzinfo=BEIJING))

    with django_capture_on_commit_callbacks():
        second = services.service_report_regenerate(actor=manager, report=first)
    second = services.service_report_generate(report_id=second.pk)

    first = ServiceReport.objects.get(pk=first.pk)
    assert (first.version, first.status, first.figures["tickets"]["total"]) == (1, "sent", 1)
    assert (second.version, second.status, second.figures["tickets"]["total"]) == (2, "draft", 2)
    assert second.pdf.name != first.pdf.name


@pytest.fixture
def contracts():
    """Without a schedule (monthly), with every period, one expired and one ended before September."""
    plain = ContractFactory(start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    ContactFactory(customer=plain.customer, email="plain@example.cn")
    everything = ContractFactory(start_date=dt.date(2025, 6, 1), end_date=dt.date(2027, 5, 31))
    ContactFactory(customer=everything.customer, email="all@example.cn")
    ServiceReportSchedule.objects.create(contract=everything, monthly=True, quarterly=True, yearly=True)
    ContractFactory(start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31), status="expired")
    ContractFactory(start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 8, 31))
    return {"plain": plain, "everything": everything}


def test_the_schedule_requests_each_contract_and_period_once_however_often_it_runs(
    contracts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as first_run:
        first = services.service_reports_schedule(today=dt.date(2026, 10, 1), now=FIRST_OF_OCTOBER)
    with django_capture_on_commit_callbacks() as second_run:
        second = services.service_reports_schedule(today=dt.date(2026, 10, 1), now=FIRST_OF_OCTOBER)
    with django_capture_on_commit_callbacks():
        next_day = services.service_reports_schedule(today=dt.date(2026, 10, 2), now=FIRST_OF_OCTOBER)

    assert (len(first), len(first_run), second, len(second_run), next_day) == (4, 4, [], 0, [])
    assert sorted(ServiceReport.objects.values_list("contract", "period_kind", "period_start", "version")) == sorted(
        [
            (contracts["plain"].pk, "month", dt.date(2026, 9, 1), 1),
            (contracts["everything"].pk, "month", dt.date(2026, 9, 1), 1),
            (contracts["everything"].pk, "quarter", dt.date(2026, 7, 1), 1),
            (contracts["everything"].pk, "year", dt.date(2025, 1, 1), 1),
        ]
    )
    assert set(ServiceReport.objects.values_list("automatic", "status")) == {(True, "pending")}


def test_scheduled_reports_are_generated_and_sent_by_the_tasks_and_running_again_sends_nothing(
    contracts, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TASKS = IMMEDIATE
    monkeypatch.setattr(timezone, "now", lambda: FIRST_OF_OCTOBER)

    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_service_reports.call() == 4
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_service_reports.call() == 0

    assert set(ServiceReport.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(Outbox.objects.values_list("recipient", flat=True)) == [
        "all@example.cn",
        "all@example.cn",
        "all@example.cn",
        "plain@example.cn",
    ]
    assert Outbox.objects.values("key").distinct().count() == 4


def test_a_schedule_that_wants_review_leaves_a_draft_and_tells_the_managers(
    contracts, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    ServiceReportSchedule.objects.create(contract=contracts["plain"], monthly=True, send_automatically=False)
    manager = UserFactory(role=Role.MANAGER)

    with django_capture_on_commit_callbacks(execute=True):
        services.service_reports_schedule(today=dt.date(2026, 10, 1), now=FIRST_OF_OCTOBER)

    report = ServiceReport.objects.get(contract=contracts["plain"])
    assert report.status == "draft"
    assert not Outbox.objects.filter(key__startswith=f"service_report:{report.pk}:recipient:").exists()
    assert list(Outbox.objects.filter(channel="in_app").values_list("key", "channel", "user_id")) == [
        (f"service_report:{report.pk}:review:user:{manager.pk}:in_app", "in_app", manager.pk)
    ]


def test_a_version_a_worker_left_pending_is_queued_again(manager, contract, django_capture_on_commit_callbacks):
    report = request_september(manager, contract, django_capture_on_commit_callbacks)
    ServiceReportSchedule.objects.create(contract=contract, monthly=False)  # the sweep requests nothing new
    # A worker claimed it two hours ago and died.
    ServiceReport.objects.filter(pk=report.pk).update(generation_started_at=timezone.now() - dt.timedelta(hours=2))

    with django_capture_on_commit_callbacks() as queued:
        services.service_reports_schedule(today=dt.date(2026, 9, 15))

    assert len(queued) == 1
    assert generate_service_report.call(report.pk) == "draft"


def test_a_schedule_keeps_its_history_with_its_recipients(contract):
    """Who is sent a customer's reports is master data: a change of it is kept (the admin's history shows it)."""
    lead = ContactFactory(customer=contract.customer, email="lead@example.cn")
    schedule = ServiceReportSchedule.objects.create(contract=contract)
    schedule.recipients.set([lead])
    schedule.quarterly = True
    schedule.save()

    rows = list(schedule.history.order_by("history_date"))
    # Created, its recipients chosen, made quarterly.
    assert [(row.quarterly, [c.contact_id for c in row.recipients.all()]) for row in rows] == [
        (False, []),
        (False, [lead.pk]),
        (True, [lead.pk]),
    ]
