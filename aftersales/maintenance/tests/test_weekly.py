"""The weekly plan signed by the engineer and the customer's lead, and the weekly report drafted from the log."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import SiteFactory
from aftersales.dispatch.models import WorkLogEntry
from aftersales.dispatch.tests.factories import EngineerFactory, WorkOrderFactory, signature_data_url
from aftersales.maintenance.models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    MaintenancePlan,
    WeeklyPlan,
    WeeklyPlanSignature,
    WeeklyReport,
)
from aftersales.maintenance.services import records
from aftersales.notifications.models import Outbox
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 10, 5)
NEXT_MONDAY = dt.date(2026, 10, 12)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


@pytest.fixture
def engineer():
    return EngineerFactory(last_name="王", first_name="工")


@pytest.fixture
def site():
    return SiteFactory()


def new_plan(actor, engineer, site, **changes):
    values = {
        "actor": actor,
        "customer": site.customer,
        "engineer": engineer,
        "week_start": MONDAY,
        "content": "周一巡检机房；周三升级数据库补丁",
        "customer_lead": "李主任",
        "site": site,
    }
    return records.weekly_plan_save(**{**values, **changes})


def sign(actor, plan, role, name="王工"):
    return records.weekly_plan_sign(actor=actor, plan=plan, role=role, signer_name=name, signature=signature_data_url())


def make_inspection(*, engineer, customer, day, status="done", completed_at=None, title="机房月度巡检"):
    contract = ContractFactory(customer=customer)
    plan = MaintenancePlan.objects.create(
        contract=contract,
        site=SiteFactory(customer=customer),
        title=title,
        checklist=ChecklistTemplate.objects.create(name=f"{title} {day}"),
        engineer=engineer,
        starts_on=dt.date(2026, 1, 1),
    )
    return Inspection.objects.create(
        plan=plan, scheduled_for=day, engineer=engineer, status=status, completed_at=completed_at, summary="一切正常"
    )


# The weekly plan ------------------------------------------------------------------------------------------------


def test_the_engineer_writes_their_plan_for_a_monday(engineer, site):
    plan = new_plan(engineer, engineer, site)

    assert (plan.week_start, plan.status, plan.customer_lead) == (MONDAY, "draft", "李主任")
    with pytest.raises(ValidationFailed) as tuesday:
        new_plan(engineer, engineer, site, week_start=MONDAY + dt.timedelta(days=1))
    assert "week_start" in tuesday.value.detail
    with pytest.raises(ValidationFailed):
        new_plan(engineer, engineer, site)  # the same week again
    assert WeeklyPlan.objects.count() == 1


def test_another_engineer_or_a_customer_cannot_write_the_plan(engineer, site):
    for stranger in (EngineerFactory(), UserFactory(role=Role.CUSTOMER, customer=site.customer)):
        with pytest.raises(PermissionDenied):
            new_plan(stranger, engineer, site)
    assert not WeeklyPlan.objects.exists()
    dispatcher = UserFactory(role=Role.DISPATCHER)
    assert new_plan(dispatcher, engineer, site).engineer == engineer


def test_the_engineer_signs_first_then_the_customers_lead_and_the_plan_is_locked(engineer, site):
    plan = new_plan(engineer, engineer, site)

    with translation.override("en"), pytest.raises(InvalidTransition, match="engineer signs the plan before"):
        sign(engineer, plan, "customer", "李主任")
    with pytest.raises(PermissionDenied):
        sign(UserFactory(role=Role.DISPATCHER), plan, "engineer")  # only the engineer signs as the engineer
    sign(engineer, plan, "engineer")
    plan.refresh_from_db()
    assert plan.status == "draft"
    with pytest.raises(InvalidTransition):
        new_plan(engineer, engineer, site, plan=plan, content="改了")  # signed by one: no more edits
    with translation.override("en"), pytest.raises(InvalidTransition, match="already on the plan"):
        sign(engineer, plan, "engineer")

    sign(engineer, plan, "customer", "李主任")  # on the engineer's phone

    plan.refresh_from_db()
    assert plan.status == "signed"
    assert list(plan.signatures.order_by("signed_at", "id").values_list("role", "signer_name", "user")) == [
        ("engineer", "王工", engineer.pk),
        ("customer", "李主任", engineer.pk),
    ]
    with translation.override("en"), pytest.raises(InvalidTransition, match="signed"):
        new_plan(engineer, engineer, site, plan=plan, content="改了")
    plan.refresh_from_db()
    assert plan.content == "周一巡检机房；周三升级数据库补丁"


def test_a_blank_pad_or_a_missing_name_signs_nothing(engineer, site):
    plan = new_plan(engineer, engineer, site)

    with pytest.raises(ValidationFailed):
        records.weekly_plan_sign(actor=engineer, plan=plan, role="engineer", signer_name="王工", signature="data:,")
    with pytest.raises(ValidationFailed):
        records.weekly_plan_sign(
            actor=engineer, plan=plan, role="engineer", signer_name=" ", signature=signature_data_url()
        )
    assert not WeeklyPlanSignature.objects.exists()


def test_a_draft_plan_can_be_edited(engineer, site):
    plan = new_plan(engineer, engineer, site)

    new_plan(engineer, engineer, site, plan=plan, content="周二巡检", customer_lead="张科长")

    plan.refresh_from_db()
    assert (plan.content, plan.customer_lead) == ("周二巡检", "张科长")


# The weekly report ----------------------------------------------------------------------------------------------


@pytest.fixture
def week(engineer, site):
    """A week of work at the customer, the week before, and work elsewhere."""
    customer = site.customer
    order = WorkOrderFactory(
        ticket=TicketFactory(customer=customer), customer=customer, engineer=engineer, number="WO202610050001"
    )
    other_order = WorkOrderFactory(engineer=engineer, number="WO202610050002")  # another customer
    log = [
        (order, at(MONDAY - dt.timedelta(days=1), 23, 30), "上周日的工作"),  # Sunday: the week before
        (order, at(MONDAY, 0, 0), "周一零点检查备份"),
        (order, at(MONDAY + dt.timedelta(days=2), 14), "更换硬盘"),
        (order, at(NEXT_MONDAY, 0, 0), "下周一的工作"),  # the next week
        (other_order, at(MONDAY + dt.timedelta(days=1), 10), "别的单位的工作"),
    ]
    for work_order, when, text in log:
        WorkLogEntry.objects.create(work_order=work_order, author=engineer, at=when, text=text, hours=Decimal("1.50"))
    WorkLogEntry.objects.create(
        work_order=order, author=EngineerFactory(), at=at(MONDAY, 10), text="同事的工作", hours=Decimal("1")
    )
    done = make_inspection(
        engineer=engineer,
        customer=customer,
        day=MONDAY + dt.timedelta(days=3),
        completed_at=at(MONDAY + dt.timedelta(days=3), 11),
    )
    item = ChecklistItem.objects.create(template=done.plan.checklist, label="UPS电池电压")
    InspectionResult.objects.create(
        inspection=done,
        item=item,
        outcome="fail",
        text="电压偏低",
        recorded_by=engineer,
        recorded_at=at(MONDAY + dt.timedelta(days=3), 10),
    )
    make_inspection(
        engineer=engineer,
        customer=customer,
        day=NEXT_MONDAY + dt.timedelta(days=1),
        status="planned",
        title="网络季度巡检",
    )
    ticket = TicketFactory(
        customer=customer, title="门户网站访问缓慢", received_at=at(MONDAY + dt.timedelta(days=4), 9)
    )
    TicketFactory(customer=customer, title="上周的问题", received_at=at(MONDAY - dt.timedelta(days=2), 9))
    WeeklyPlan.objects.create(
        customer=customer, engineer=engineer, week_start=NEXT_MONDAY, content="下周：升级中间件", customer_lead="李主任"
    )
    return {"customer": customer, "ticket": ticket}


def draft(actor, engineer, customer, **kwargs):
    return records.weekly_report_draft(actor=actor, engineer=engineer, customer=customer, week_start=MONDAY, **kwargs)


def test_the_report_is_drafted_from_that_weeks_log_only(engineer, week, settings):
    settings.LANGUAGE_CODE = "en"
    report = draft(engineer, engineer, week["customer"])

    assert report.work_done.splitlines() == [
        "2026-10-05 00:00 WO202610050001: 周一零点检查备份 (1.50 h)",
        "2026-10-07 14:00 WO202610050001: 更换硬盘 (1.50 h)",
        "2026-10-08 11:00 inspection 机房月度巡检: 一切正常",
    ]
    assert report.problems.splitlines() == [
        "Inspection 机房月度巡检, UPS电池电压 failed: 电压偏低",
        f"Ticket {week['ticket'].number} opened: 门户网站访问缓慢",
    ]
    assert report.next_week.splitlines() == ["下周：升级中间件", "2026-10-13 inspection 网络季度巡检"]
    assert report.status == "draft"


def test_drafting_again_keeps_the_edits_unless_regenerated(engineer, week):
    report = draft(engineer, engineer, week["customer"])
    records.weekly_report_update(
        actor=engineer, report=report, work_done="本周完成巡检和硬盘更换", problems="无", next_week="升级中间件"
    )

    again = draft(engineer, engineer, week["customer"])

    assert again.pk == report.pk and again.work_done == "本周完成巡检和硬盘更换"
    regenerated = draft(engineer, engineer, week["customer"], regenerate=True)
    assert "更换硬盘" in regenerated.work_done and WeeklyReport.objects.count() == 1


def test_a_sent_report_is_read_only_and_the_managers_are_told(engineer, week):
    managers = [UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)]
    UserFactory(role=Role.MANAGER, is_active=False)
    report = draft(engineer, engineer, week["customer"])

    records.weekly_report_send(actor=engineer, report=report)

    report.refresh_from_db()
    assert report.status == "sent" and report.sent_at is not None
    outbox = Outbox.objects.order_by("user_id")
    assert [(row.user_id, row.channel) for row in outbox] == [(m.pk, "in_app") for m in managers]
    assert all(week["customer"].name in row.body for row in outbox)
    sent = report.work_done
    with pytest.raises(InvalidTransition):
        records.weekly_report_update(actor=engineer, report=report, work_done="改", problems="", next_week="")
    with pytest.raises(InvalidTransition):
        records.weekly_report_send(actor=engineer, report=report)
    with pytest.raises(InvalidTransition):
        draft(engineer, engineer, week["customer"], regenerate=True)
    assert draft(engineer, engineer, week["customer"]).work_done == sent
    report.refresh_from_db()
    assert report.work_done == sent and Outbox.objects.count() == 2


def test_another_engineer_cannot_draft_edit_or_send_the_report(engineer, week):
    report = draft(engineer, engineer, week["customer"])
    stranger = EngineerFactory()

    with pytest.raises(PermissionDenied):
        draft(stranger, engineer, week["customer"], regenerate=True)
    with pytest.raises(PermissionDenied):
        records.weekly_report_update(actor=stranger, report=report, work_done="x", problems="", next_week="")
    with pytest.raises(PermissionDenied):
        records.weekly_report_send(actor=stranger, report=report)

    report.refresh_from_db()
    assert report.status == "draft" and "更换硬盘" in report.work_done
    assert not Outbox.objects.exists()
