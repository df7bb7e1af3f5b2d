"""The weekly plan, weekly report and training pages: who sees what, and the posts behind each form."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory, SiteFactory
from aftersales.dispatch.tests.factories import EngineerFactory, signature_data_url
from aftersales.maintenance.models import TrainingAttendee, TrainingMaterial, TrainingSession, WeeklyPlan, WeeklyReport
from aftersales.maintenance.services import records
from aftersales.maintenance.tests.test_training import STARTS
from aftersales.maintenance.tests.test_weekly import MONDAY

pytestmark = pytest.mark.django_db


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def engineer():
    return EngineerFactory()


@pytest.fixture
def site():
    return SiteFactory()


@pytest.fixture
def owner(site):
    return UserFactory(role=Role.CUSTOMER, customer=site.customer)


@pytest.fixture
def stranger():
    return UserFactory(role=Role.CUSTOMER, customer=CustomerFactory())


@pytest.fixture
def plan(engineer, site):
    return records.weekly_plan_save(
        actor=engineer,
        customer=site.customer,
        engineer=engineer,
        week_start=MONDAY,
        content="巡检机房",
        customer_lead="李主任",
        site=site,
    )


@pytest.fixture
def session(engineer, site):
    return records.training_create(
        actor=engineer,
        customer=site.customer,
        topic="运维培训",
        trainer=engineer,
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        place="会议室",
    )


# Weekly plans ---------------------------------------------------------------------------------------------------


def test_the_engineer_writes_the_plan_on_the_list_page(client, engineer, site):
    response = logged_in(client, engineer).post(
        reverse("weekly_plan_list"),
        {
            "customer": site.customer.pk,
            "site": site.pk,
            "week_start": "2026-10-05",
            "customer_lead": "李主任",
            "content": "巡检",
        },
    )

    plan = WeeklyPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("weekly_plan_detail", args=[plan.pk])
    assert plan.engineer == engineer
    tuesday = client.post(
        reverse("weekly_plan_list"),
        {"customer": site.customer.pk, "week_start": "2026-10-13", "customer_lead": "李主任", "content": "巡检"},
    )
    assert tuesday.status_code == 200 and tuesday.context["form"].errors["week_start"]
    assert WeeklyPlan.objects.count() == 1


def test_both_sign_the_plan_on_the_engineers_phone(client, engineer, plan):
    logged_in(client, engineer)
    url = reverse("weekly_plan_detail", args=[plan.pk])
    assert client.get(url).context["sign_as"] == "engineer"

    client.post(
        reverse("weekly_plan_sign", args=[plan.pk]),
        {"role": "engineer", "signer_name": "王工", "signature": signature_data_url()},
    )
    assert client.get(url).context["sign_as"] == "customer"
    client.post(
        reverse("weekly_plan_sign", args=[plan.pk]),
        {"role": "customer", "signer_name": "李主任", "signature": signature_data_url()},
    )

    plan.refresh_from_db()
    assert plan.status == "signed"
    page = client.get(url)
    assert page.context["sign_as"] == "" and not page.context["can_edit"]
    client.post(url, {"week_start": "2026-10-05", "customer_lead": "李主任", "content": "改了"})
    plan.refresh_from_db()
    assert plan.content == "巡检机房"


def test_customers_read_their_own_plans_only_and_cannot_sign_or_edit(client, plan, owner, stranger):
    url = reverse("weekly_plan_detail", args=[plan.pk])
    assert logged_in(client, owner).get(url).status_code == 200
    assert [p.pk for p in client.get(reverse("weekly_plan_list")).context["page"]] == [plan.pk]
    client.post(
        reverse("weekly_plan_sign", args=[plan.pk]),
        {"role": "engineer", "signer_name": "X", "signature": signature_data_url()},
    )
    client.post(url, {"week_start": "2026-10-05", "customer_lead": "X", "content": "X"})

    logged_in(client, stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"week_start": "2026-10-05", "customer_lead": "X", "content": "X"}).status_code == 404
    assert client.post(reverse("weekly_plan_sign", args=[plan.pk]), {}).status_code == 404
    assert list(client.get(reverse("weekly_plan_list")).context["page"]) == []

    plan.refresh_from_db()
    assert (plan.content, plan.customer_lead, plan.signatures.count()) == ("巡检机房", "李主任", 0)


# Weekly reports -------------------------------------------------------------------------------------------------


def test_the_engineer_drafts_edits_and_sends_the_report(client, engineer, site):
    logged_in(client, engineer)
    response = client.post(reverse("weekly_report_list"), {"customer": site.customer.pk, "week_start": "2026-10-05"})
    report = WeeklyReport.objects.get()
    assert response["Location"] == reverse("weekly_report_detail", args=[report.pk])
    url = reverse("weekly_report_detail", args=[report.pk])

    client.post(url, {"work_done": "更换硬盘", "problems": "无", "next_week": "升级"})
    client.post(reverse("weekly_report_send", args=[report.pk]))

    report.refresh_from_db()
    assert (report.work_done, report.status) == ("更换硬盘", "sent")
    client.post(url, {"work_done": "改了", "problems": "", "next_week": ""})
    client.post(reverse("weekly_report_regenerate", args=[report.pk]))
    report.refresh_from_db()
    assert report.work_done == "更换硬盘"
    assert not client.get(url).context["editable"]


def test_weekly_reports_are_internal(client, engineer, site, owner):
    report = records.weekly_report_draft(actor=engineer, engineer=engineer, customer=site.customer, week_start=MONDAY)
    logged_in(client, owner)

    assert client.get(reverse("weekly_report_list")).status_code == 404
    assert client.get(reverse("weekly_report_detail", args=[report.pk])).status_code == 404
    assert client.post(reverse("weekly_report_send", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.status == "draft"


# Training ---------------------------------------------------------------------------------------------------------


def test_attendees_sign_in_on_the_phone_and_the_paper_sheet_is_uploaded(client, engineer, session):
    logged_in(client, engineer)
    client.post(reverse("training_attendee_add", args=[session.pk]), {"name": "张三", "department": "信息科"})
    client.post(reverse("training_attendee_add", args=[session.pk]), {"name": "李四"})
    zhang, li = TrainingAttendee.objects.order_by("pk")
    page = client.get(reverse("training_detail", args=[session.pk]))
    assert page.content.decode().count('data-testid="sign-in-form"') == 2  # a pad per attendee

    client.post(
        reverse("training_sign_in", args=[session.pk]), {"attendee": zhang.pk, "signature": signature_data_url()}
    )
    scan = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    client.post(reverse("training_printed_sheet_upload", args=[session.pk]), {"file": scan, "attendees": [li.pk]})

    assert dict(TrainingAttendee.objects.values_list("name", "signed_via")) == {"张三": "phone", "李四": "printed"}
    sheet = client.get(reverse("training_printed_sheet", args=[session.pk]))
    assert b"".join(sheet.streaming_content) == b"%PDF-1.4 scan"
    pdf = client.get(reverse("training_signin_pdf", args=[session.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_the_training_list_creates_a_session(client, engineer, site):
    response = logged_in(client, engineer).post(
        reverse("training_list"),
        {
            "customer": site.customer.pk,
            "topic": "数据库备份培训",
            "trainer": engineer.pk,
            "starts_at": "2026-10-09T14:00",
            "ends_at": "2026-10-09T16:00",
            "place": "会议室",
        },
    )
    session = TrainingSession.objects.get()
    assert response["Location"] == reverse("training_detail", args=[session.pk])
    assert session.created_by == engineer and session.starts_at == STARTS


def test_customers_read_their_own_sessions_and_materials_only(client, engineer, session, owner, stranger):
    material = records.training_material_add(
        actor=engineer, session=session, upload=SimpleUploadedFile("课件.pdf", b"%PDF-1.4 slides")
    )
    (attendee,) = [records.training_attendee_add(actor=engineer, session=session, name="张三")]
    detail = reverse("training_detail", args=[session.pk])
    download = reverse("training_material_download", args=[material.pk])

    logged_in(client, owner)
    page = client.get(detail)
    assert page.status_code == 200 and 'data-testid="sign-in-form"' not in page.content.decode()
    assert b"".join(client.get(download).streaming_content) == b"%PDF-1.4 slides"
    assert client.get(reverse("training_signin_pdf", args=[session.pk])).status_code == 200
    client.post(
        reverse("training_sign_in", args=[session.pk]), {"attendee": attendee.pk, "signature": signature_data_url()}
    )
    client.post(reverse("training_feedback", args=[session.pk]), {"feedback": "很好"})

    logged_in(client, stranger)
    for url in (detail, download, reverse("training_signin_pdf", args=[session.pk])):
        assert client.get(url).status_code == 404
    for name in ("training_sign_in", "training_feedback", "training_attendee_add", "training_material_add"):
        assert (
            client.post(
                reverse(name, args=[session.pk]), {"attendee": attendee.pk, "feedback": "x", "name": "x"}
            ).status_code
            == 404
        )
    assert list(client.get(reverse("training_list")).context["page"]) == []

    attendee.refresh_from_db()
    session.refresh_from_db()
    assert attendee.signed_at is None and session.feedback == ""
    assert TrainingAttendee.objects.count() == 1 and TrainingMaterial.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_shows_for_staff_in_both_languages(client, engineer, plan, session, site, language):
    report = records.weekly_report_draft(actor=engineer, engineer=engineer, customer=site.customer, week_start=MONDAY)
    records.training_attendee_add(actor=engineer, session=session, name="张三")
    client.cookies["django_language"] = language
    logged_in(client, UserFactory(role=Role.MANAGER))
    for url in (
        reverse("weekly_plan_list"),
        reverse("weekly_plan_detail", args=[plan.pk]),
        reverse("weekly_report_list"),
        reverse("weekly_report_detail", args=[report.pk]),
        reverse("training_list"),
        reverse("training_detail", args=[session.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "style=" not in response.content.decode() and "<script>" not in response.content.decode()
