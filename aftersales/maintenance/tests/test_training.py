"""Training sessions: sign-in on a phone or on the printed sheet, materials, feedback, and the sign-in PDF."""

import base64
import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.dispatch.tests.factories import EngineerFactory, png_bytes, signature_data_url
from aftersales.dispatch.tests.test_pdf import embedded_font_names, pdf_text
from aftersales.maintenance import pdf
from aftersales.maintenance.models import TrainingAttendee, TrainingMaterial, TrainingSession
from aftersales.maintenance.services import records

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
STARTS = dt.datetime(2026, 10, 9, 14, 0, tzinfo=BEIJING)
CUSTOMER_NAME = "大庆市住房公积金管理中心"
TOPIC = "门户网站群综合平台系统运维培训"


@pytest.fixture
def trainer():
    return EngineerFactory(last_name="王", first_name="工")


@pytest.fixture
def session(trainer):
    return records.training_create(
        actor=trainer,
        customer=CustomerFactory(name=CUSTOMER_NAME),
        topic=TOPIC,
        trainer=trainer,
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        place="中心三楼会议室",
    )


def attendees(actor, session, *names):
    return [
        records.training_attendee_add(actor=actor, session=session, name=name, department="信息科") for name in names
    ]


def test_staff_who_work_dispatch_or_supervise_run_sessions_and_others_do_not(trainer):
    customer = CustomerFactory()
    values = {"customer": customer, "topic": "培训", "starts_at": STARTS, "ends_at": STARTS + dt.timedelta(hours=1)}
    for role in (Role.DISPATCHER, Role.QUALITY):
        records.training_create(actor=UserFactory(role=role), place="会议室", trainer_name="外请讲师", **values)
    for outsider in (UserFactory(role=Role.PARTS_KEEPER), UserFactory(role=Role.CUSTOMER, customer=customer)):
        with pytest.raises(PermissionDenied):
            records.training_create(actor=outsider, place="会议室", trainer_name="外请讲师", **values)
    with pytest.raises(ValidationFailed) as no_trainer:
        records.training_create(actor=trainer, place="会议室", **values)
    assert "trainer_name" in no_trainer.value.detail
    with pytest.raises(ValidationFailed):
        records.training_create(actor=trainer, place="会议室", trainer_name="讲师", **{**values, "ends_at": STARTS})
    assert TrainingSession.objects.count() == 2


def test_attendees_sign_in_on_the_phone_once(trainer, session):
    zhang, li = attendees(trainer, session, "张三", "李四")

    records.training_sign_in(actor=trainer, attendee=zhang, signature=signature_data_url())

    zhang.refresh_from_db()
    assert (
        zhang.signed_via == "phone"
        and zhang.signed_at is not None
        and bytes(zhang.signature_png).startswith(b"\x89PNG")
    )
    with pytest.raises(InvalidTransition):
        records.training_sign_in(actor=trainer, attendee=zhang, signature=signature_data_url())
    with pytest.raises(ValidationFailed):
        records.training_sign_in(actor=trainer, attendee=li, signature="data:image/png;base64,AAAA")
    customer_user = UserFactory(role=Role.CUSTOMER, customer=session.customer)
    with pytest.raises(PermissionDenied):
        records.training_sign_in(actor=customer_user, attendee=li, signature=signature_data_url())
    li.refresh_from_db()
    assert li.signed_at is None and li.signature_png is None


def test_the_printed_sheet_signs_in_the_attendees_named_on_it(trainer, session):
    zhang, li, _wang = attendees(trainer, session, "张三", "李四", "王五")
    records.training_sign_in(actor=trainer, attendee=zhang, signature=signature_data_url())
    scan = SimpleUploadedFile("签到表.jpg", b"\xff\xd8\xff\xe0 scan", content_type="image/jpeg")

    records.training_upload_printed_sheet(actor=trainer, session=session, upload=scan, attendees=[zhang, li])

    session.refresh_from_db()
    assert session.printed_sheet.name.endswith(".jpg")
    rows = {a.name: a.signed_via for a in TrainingAttendee.objects.filter(session=session)}
    assert rows == {"张三": "phone", "李四": "printed", "王五": ""}  # a phone signature stays as it was


def test_the_printed_sheet_must_be_a_pdf_or_an_image_and_name_this_sessions_attendees(trainer, session):
    (zhang,) = attendees(trainer, session, "张三")
    other = records.training_create(
        actor=trainer,
        customer=session.customer,
        topic="另一场",
        trainer=trainer,
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=1),
        place="会议室",
    )
    (stranger,) = attendees(trainer, other, "赵六")

    with pytest.raises(ValidationFailed):
        records.training_upload_printed_sheet(
            actor=trainer, session=session, upload=SimpleUploadedFile("sheet.docx", b"PK"), attendees=[zhang]
        )
    with pytest.raises(ValidationFailed):
        records.training_upload_printed_sheet(
            actor=trainer, session=session, upload=SimpleUploadedFile("sheet.pdf", b"%PDF"), attendees=[stranger]
        )
    session.refresh_from_db()
    assert not session.printed_sheet
    assert not TrainingAttendee.objects.filter(signed_at__isnull=False).exists()


def test_materials_are_checked_like_ticket_attachments(trainer, session, settings):
    records.training_material_add(
        actor=trainer, session=session, upload=SimpleUploadedFile("课件.pdf", b"%PDF-1.4 slides")
    )
    with pytest.raises(ValidationFailed):
        records.training_material_add(actor=trainer, session=session, upload=SimpleUploadedFile("x.exe", b"MZ"))
    settings.ATTACHMENT_MAX_BYTES = 3
    with pytest.raises(ValidationFailed):
        records.training_material_add(actor=trainer, session=session, upload=SimpleUploadedFile("大.pdf", b"%PDF"))
    assert list(TrainingMaterial.objects.values_list("name", "size")) == [("课件.pdf", 15)]


def test_the_trainer_signs_and_feedback_is_kept(trainer, session):
    with pytest.raises(PermissionDenied):
        records.training_trainer_sign(actor=EngineerFactory(), session=session, signature=signature_data_url())

    records.training_trainer_sign(actor=trainer, session=session, signature=signature_data_url())
    records.training_feedback(actor=trainer, session=session, feedback="讲解清楚，希望增加实操")

    session.refresh_from_db()
    assert session.trainer_signed_at is not None and session.feedback == "讲解清楚，希望增加实操"
    with pytest.raises(InvalidTransition):
        records.training_trainer_sign(actor=trainer, session=session, signature=signature_data_url())


def test_the_sign_in_sheet_is_a_chinese_pdf_with_the_embedded_font_signatures_and_empty_boxes(trainer, session):
    zhang, _li = attendees(trainer, session, "张三", "李四")
    records.training_sign_in(actor=trainer, attendee=zhang, signature=signature_data_url())
    trainer_png = base64.b64encode(png_bytes(width=60)).decode()
    records.training_trainer_sign(actor=trainer, session=session, signature=f"data:image/png;base64,{trainer_png}")

    content = pdf.render_signin_sheet(session)

    assert content.startswith(b"%PDF-")
    assert any("WenQuanYi" in name for name in embedded_font_names(content))
    text = pdf_text(content)
    for expected in (
        "培训签到表",
        CUSTOMER_NAME,
        TOPIC,
        "中心三楼会议室",
        "王工",
        "讲课人签字",
        "被培训人员签字",
        "张三",
        "李四",
    ):
        assert expected in text
    assert "2026年10月9日14:00" in text  # in Beijing time
    assert content.count(b"/Subtype /Image") == 2  # the trainer's and 张三's; 李四 signs on paper
