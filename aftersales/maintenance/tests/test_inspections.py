"""Working an inspection: results, completion, photos, and a failed item raised as a linked ticket."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import ContactFactory
from aftersales.maintenance.models import InspectionResult
from aftersales.maintenance.services.inspections import (
    inspection_complete,
    inspection_item_raise_ticket,
    inspection_record,
    inspection_start,
)
from aftersales.maintenance.tests.factories import ChecklistItemFactory, InspectionFactory
from aftersales.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def jpeg(size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "JPEG")
    return SimpleUploadedFile("机房.JPG", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def inspection():
    inspection = InspectionFactory()
    checklist = inspection.plan.checklist
    ChecklistItemFactory(template=checklist, label="UPS 指示灯正常", expected="全部绿灯")
    ChecklistItemFactory(
        template=checklist, label="机房温度", kind="reading", unit="°C", minimum=Decimal(18), maximum=Decimal(27)
    )
    ChecklistItemFactory(template=checklist, label="机柜照片", kind="photo")
    return inspection


def items(inspection):
    return list(inspection.plan.checklist.items.order_by("position"))


def test_a_reading_outside_the_good_range_fails_by_itself_and_inside_passes(inspection):
    engineer = inspection.engineer
    _lights, temperature, _photo = items(inspection)

    hot = inspection_record(actor=engineer, inspection=inspection, item=temperature, outcome="", reading=Decimal(31))
    assert (hot.outcome, hot.reading, hot.recorded_by) == ("fail", Decimal(31), engineer)
    inspection.refresh_from_db()
    assert inspection.status == "in_progress" and inspection.started_at is not None  # the first result starts it

    cool = inspection_record(actor=engineer, inspection=inspection, item=temperature, outcome=None, reading=Decimal(22))
    assert cool.pk == hot.pk and cool.outcome == "pass"
    # an explicit outcome is the engineer's judgement and wins
    judged = inspection_record(
        actor=engineer, inspection=inspection, item=temperature, outcome="pass", reading=Decimal(28), text="刚开门"
    )
    assert (judged.outcome, judged.text) == ("pass", "刚开门")
    assert InspectionResult.objects.count() == 1


def test_what_each_kind_of_item_needs(inspection):
    engineer = inspection.engineer
    lights, temperature, photo = items(inspection)
    cases = [
        (lights, {"outcome": ""}, "outcome"),
        (lights, {"outcome": "maybe"}, "outcome"),
        (temperature, {"outcome": "pass"}, "reading"),
        (photo, {"outcome": "pass"}, "photo"),
    ]
    for item, arguments, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            inspection_record(actor=engineer, inspection=inspection, item=item, **arguments)
        assert field in refused.value.detail
    assert inspection_record(actor=engineer, inspection=inspection, item=photo, outcome="na").outcome == "na"
    assert InspectionResult.objects.count() == 1


def test_photos_must_be_real_images_up_to_10_mb(inspection, settings):
    engineer = inspection.engineer
    photo_item = items(inspection)[2]
    fake = SimpleUploadedFile("病毒.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as refused:
        inspection_record(actor=engineer, inspection=inspection, item=photo_item, outcome="pass", photo=fake)
    assert "photo" in refused.value.detail
    large = jpeg()
    large.size = 10 * 1024 * 1024 + 1
    with pytest.raises(ValidationFailed):
        inspection_record(actor=engineer, inspection=inspection, item=photo_item, outcome="pass", photo=large)
    assert not InspectionResult.objects.exists()

    result = inspection_record(actor=engineer, inspection=inspection, item=photo_item, outcome="pass", photo=jpeg())
    assert result.photo.name.startswith(f"inspections/{inspection.pk}/photo") and result.photo.name.endswith(".jpg")
    # correcting the remark keeps the photo already taken
    again = inspection_record(actor=engineer, inspection=inspection, item=photo_item, outcome="pass", text="补充")
    assert again.photo.name == result.photo.name


def test_only_the_engineer_or_staff_who_work_may_record_and_only_items_of_its_checklist(inspection):
    lights = items(inspection)[0]
    for outsider in (
        UserFactory(role=Role.DISPATCHER),
        UserFactory(role=Role.CUSTOMER, customer=inspection.plan.contract.customer),
    ):
        with pytest.raises(PermissionDenied):
            inspection_record(actor=outsider, inspection=inspection, item=lights, outcome="pass")
    other_item = ChecklistItemFactory()
    with pytest.raises(ValidationFailed):
        inspection_record(actor=inspection.engineer, inspection=inspection, item=other_item, outcome="pass")
    colleague = UserFactory(role=Role.ENGINEER)
    assert (
        inspection_record(actor=colleague, inspection=inspection, item=lights, outcome="pass").recorded_by == colleague
    )
    assert InspectionResult.objects.count() == 1


def test_complete_refuses_while_items_are_missing_then_closes_the_record(inspection):
    engineer = inspection.engineer
    lights, temperature, photo = items(inspection)
    with pytest.raises(InvalidTransition):
        inspection_complete(actor=engineer, inspection=inspection)  # not started
    inspection_start(actor=engineer, inspection=inspection)
    with pytest.raises(InvalidTransition):
        inspection_start(actor=engineer, inspection=inspection)
    inspection_record(actor=engineer, inspection=inspection, item=lights, outcome="pass")
    with pytest.raises(ValidationFailed) as refused:
        inspection_complete(actor=engineer, inspection=inspection)
    assert list(refused.value.detail) == ["__all__"]
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"

    inspection_record(actor=engineer, inspection=inspection, item=temperature, outcome="", reading=Decimal(20))
    inspection_record(actor=engineer, inspection=inspection, item=photo, outcome="pass", photo=jpeg())
    done = inspection_complete(actor=engineer, inspection=inspection, summary=" 一切正常 ")
    assert (done.status, done.summary) == ("done", "一切正常") and done.completed_at is not None
    with pytest.raises(InvalidTransition):
        inspection_record(actor=engineer, inspection=inspection, item=lights, outcome="fail")
    assert InspectionResult.objects.get(item=lights).outcome == "pass"


def test_a_planned_inspection_without_an_engineer_becomes_the_starters():
    inspection = InspectionFactory(engineer=None)
    engineer = UserFactory(role=Role.ENGINEER)
    inspection_start(actor=engineer, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.engineer == engineer


def test_a_failed_item_becomes_one_linked_ticket_on_the_inspection_channel(inspection):
    plan = inspection.plan
    plan.assets.set([AssetFactory(site=plan.site)])
    contact = ContactFactory(customer=plan.contract.customer, site=plan.site, name="周主任")
    engineer = inspection.engineer
    temperature = items(inspection)[1]
    result = inspection_record(
        actor=engineer, inspection=inspection, item=temperature, outcome="", reading=Decimal("31.5"), text="空调停机"
    )

    ticket = inspection_item_raise_ticket(actor=engineer, result=result)

    result.refresh_from_db()
    assert result.ticket == ticket
    assert (ticket.channel, ticket.kind, ticket.customer, ticket.site) == (
        "inspection",
        "general_fault",
        plan.contract.customer,
        plan.site,
    )
    assert list(ticket.assets.all()) == list(plan.assets.all())
    assert (ticket.contact_name, ticket.contact_phone) == (contact.name, contact.phone)
    assert "机房温度" in ticket.title
    assert "31.5" in ticket.description and "18" in ticket.description and "空调停机" in ticket.description
    link = ticket.events.get(data__inspection=inspection.pk)
    assert link.actor == engineer and link.data == {
        "inspection": inspection.pk,
        "inspection_result": result.pk,
        "public": True,
    }
    with pytest.raises(InvalidTransition):
        inspection_item_raise_ticket(actor=engineer, result=result)  # the second click
    assert Ticket.objects.count() == 1
    with pytest.raises(InvalidTransition):  # a raised result is a record now
        inspection_record(actor=engineer, inspection=inspection, item=temperature, outcome="pass", reading=Decimal(20))


def test_only_failed_items_of_someone_allowed_become_tickets(inspection):
    ContactFactory(customer=inspection.plan.contract.customer)
    lights = items(inspection)[0]
    passed = inspection_record(actor=inspection.engineer, inspection=inspection, item=lights, outcome="pass")
    with pytest.raises(InvalidTransition):
        inspection_item_raise_ticket(actor=inspection.engineer, result=passed)
    failed = inspection_record(actor=inspection.engineer, inspection=inspection, item=lights, outcome="fail")
    customer = UserFactory(role=Role.CUSTOMER, customer=inspection.plan.contract.customer)
    with pytest.raises(PermissionDenied):
        inspection_item_raise_ticket(actor=customer, result=failed)
    assert not Ticket.objects.exists()
    agent = UserFactory(role=Role.AGENT)  # may log tickets: the ticket is theirs
    assert inspection_item_raise_ticket(actor=agent, result=failed).created_by == agent


def test_without_any_contact_the_ticket_is_refused_with_a_reason(inspection):
    lights = items(inspection)[0]
    failed = inspection_record(actor=inspection.engineer, inspection=inspection, item=lights, outcome="fail")
    with pytest.raises(ValidationFailed):
        inspection_item_raise_ticket(actor=inspection.engineer, result=failed)
    failed.refresh_from_db()
    assert failed.ticket is None and not Ticket.objects.exists()


def test_inspection_dates_are_not_checked_against_today():
    # An overdue inspection can still be worked.
    inspection = InspectionFactory(scheduled_for=dt.date(2020, 1, 1))
    assert inspection_start(actor=inspection.engineer, inspection=inspection).status == "in_progress"


def test_the_engineer_raises_it_in_their_own_name_and_the_ticket_page_links_back(inspection, client):
    ContactFactory(customer=inspection.plan.contract.customer)
    engineer = inspection.engineer
    lights = items(inspection)[0]
    result = inspection_record(actor=engineer, inspection=inspection, item=lights, outcome="fail")

    ticket = inspection_item_raise_ticket(actor=engineer, result=result)

    assert ticket.created_by == engineer
    client.force_login(engineer)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert reverse("inspection_detail", args=[inspection.pk]) in page
