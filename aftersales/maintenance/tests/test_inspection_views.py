"""The inspection pages: who sees which inspections, the checklist's forms, the one-click ticket, photos."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.time import local_date
from aftersales.customers.tests.factories import ContactFactory
from aftersales.maintenance.models import Inspection, InspectionResult
from aftersales.maintenance.services.inspections import inspection_record
from aftersales.maintenance.tests.factories import ChecklistItemFactory, InspectionFactory, MaintenancePlanFactory
from aftersales.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("cabinet.png", buffer.getvalue(), content_type="image/png")


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def inspection():
    inspection = InspectionFactory(scheduled_for=local_date())
    ChecklistItemFactory(template=inspection.plan.checklist, label="UPS 指示灯正常")
    ChecklistItemFactory(
        template=inspection.plan.checklist, label="机房温度", kind="reading", minimum=Decimal(18), maximum=Decimal(27)
    )
    return inspection


def ids(client, user, query=""):
    response = logged_in(client, user).get(reverse("inspection_list") + query)
    assert response.status_code == 200
    return {row.pk for row in response.context["page"]}


def test_engineers_see_their_own_to_do_list_staff_filter_customers_their_organisations(client):
    mine = InspectionFactory(scheduled_for=local_date() - dt.timedelta(days=3))  # overdue
    theirs = InspectionFactory()
    done = InspectionFactory(plan=mine.plan, scheduled_for=local_date() - dt.timedelta(days=40), status="done")
    customer = UserFactory(role=Role.CUSTOMER, customer=mine.plan.contract.customer)
    dispatcher = UserFactory(role=Role.DISPATCHER)

    assert ids(client, mine.engineer) == {mine.pk}
    assert ids(client, mine.engineer, "?engineer=") == {mine.pk, theirs.pk}
    assert ids(client, dispatcher) == {mine.pk, theirs.pk}
    assert ids(client, dispatcher, f"?status=all&customer={theirs.plan.contract.customer_id}") == {theirs.pk}
    assert ids(client, dispatcher, "?status=done") == {done.pk}
    assert ids(client, customer, "?status=all") == {mine.pk, done.pk}
    # a customer cannot widen the list with staff filters, and garbage is ignored, not a 500
    assert ids(client, customer, f"?status=all&customer={theirs.plan.contract.customer_id}") == {mine.pk, done.pk}
    assert ids(client, dispatcher, "?status=nonsense&date_from=yesterday&engineer=x&page=-4") == {mine.pk, theirs.pk}
    page = logged_in(client, mine.engineer).get(reverse("inspection_list")).content.decode()
    assert 'data-testid="overdue"' in page


def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    dispatcher = UserFactory(role=Role.DISPATCHER)
    logged_in(client, dispatcher)
    for count in (1, 4):
        for _ in range(count):
            InspectionFactory(scheduled_for=local_date() + dt.timedelta(days=count))
        # session, user, Django's two permission lookups, the count, the unread bell, the engineer and customer
        # choices of the filter, the page (plan, site and customer joined)
        with django_assert_num_queries(9):
            client.get(reverse("inspection_list"))


def test_a_customer_sees_only_their_own_inspections_read_only(client, inspection):
    stranger = UserFactory(role=Role.CUSTOMER, customer=MaintenancePlanFactory().contract.customer)
    owner = UserFactory(role=Role.CUSTOMER, customer=inspection.plan.contract.customer)
    url = reverse("inspection_detail", args=[inspection.pk])
    assert logged_in(client, stranger).get(url).status_code == 404
    page = logged_in(client, owner).get(url)
    assert page.status_code == 200 and 'data-testid="result-form"' not in page.content.decode()
    item = inspection.plan.checklist.items.first()
    response = logged_in(client, owner).post(
        reverse("inspection_record", args=[inspection.pk, item.pk]), {f"item-{item.pk}-outcome": "fail"}
    )
    assert response.status_code == 200 and len(response.context["messages"]) == 1
    assert not InspectionResult.objects.exists()
    assert logged_in(client, stranger).post(reverse("inspection_start", args=[inspection.pk])).status_code == 404


def test_the_engineer_records_a_reading_and_a_refusal_keeps_the_form(client, inspection):
    engineer = inspection.engineer
    _lights, temperature = inspection.plan.checklist.items.order_by("position")
    detail = logged_in(client, engineer).get(reverse("inspection_detail", args=[inspection.pk]))
    assert detail.content.decode().count('data-testid="result-form"') == 2

    url = reverse("inspection_record", args=[inspection.pk, temperature.pk])
    refused = client.post(url, {f"item-{temperature.pk}-outcome": "pass"})  # no reading
    assert refused.status_code == 200 and refused.context["rows"][1]["form"].errors["reading"]
    assert not InspectionResult.objects.exists()

    saved = client.post(url, {f"item-{temperature.pk}-reading": "33.5", f"item-{temperature.pk}-text": "空调故障"})
    assert saved.status_code == 302
    result = InspectionResult.objects.get()
    assert (result.outcome, result.reading, result.text) == ("fail", Decimal("33.5"), "空调故障")
    # an item of another checklist is not found through this inspection
    other = ChecklistItemFactory()
    assert client.post(reverse("inspection_record", args=[inspection.pk, other.pk]), {}).status_code == 404


def test_start_and_complete_from_the_page(client, inspection):
    engineer = inspection.engineer
    lights, temperature = inspection.plan.checklist.items.order_by("position")
    logged_in(client, engineer).post(reverse("inspection_start", args=[inspection.pk]))
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"
    client.post(reverse("inspection_complete", args=[inspection.pk]), {"summary": "正常"})
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"  # refused: items missing
    inspection_record(actor=engineer, inspection=inspection, item=lights, outcome="pass")
    inspection_record(actor=engineer, inspection=inspection, item=temperature, outcome="", reading=Decimal(20))
    response = client.post(reverse("inspection_complete", args=[inspection.pk]), {"summary": "正常"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, inspection.summary) == ("done", "正常")


def test_raise_a_ticket_in_one_click_and_only_once(client, inspection):
    ContactFactory(customer=inspection.plan.contract.customer)
    lights = inspection.plan.checklist.items.order_by("position").first()
    result = inspection_record(actor=inspection.engineer, inspection=inspection, item=lights, outcome="fail")
    url = reverse("inspection_raise_ticket", args=[result.pk])
    customer = UserFactory(role=Role.CUSTOMER, customer=inspection.plan.contract.customer)
    logged_in(client, customer).post(url)
    assert not Ticket.objects.exists()

    page = logged_in(client, inspection.engineer).get(reverse("inspection_detail", args=[inspection.pk]))
    assert 'data-action="raise-ticket"' in page.content.decode()
    response = client.post(url)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    assert ticket.channel == "inspection"
    again = client.post(url)
    assert again.status_code == 302 and Ticket.objects.count() == 1
    page = client.get(reverse("inspection_detail", args=[inspection.pk])).content.decode()
    assert 'data-action="raise-ticket"' not in page and ticket.number in page
    assert client.get(url).status_code == 405


def test_photos_only_for_those_who_may_see_the_inspection(client, inspection):
    photo_item = ChecklistItemFactory(template=inspection.plan.checklist, kind="photo")
    result = inspection_record(
        actor=inspection.engineer, inspection=inspection, item=photo_item, outcome="pass", photo=png()
    )
    url = reverse("inspection_photo", args=[result.pk])
    owner = UserFactory(role=Role.CUSTOMER, customer=inspection.plan.contract.customer)
    stranger = UserFactory(role=Role.CUSTOMER, customer=MaintenancePlanFactory().contract.customer)
    assert logged_in(client, stranger).get(url).status_code == 404
    response = logged_in(client, owner).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    without = inspection_record(
        actor=inspection.engineer, inspection=inspection, item=inspection.plan.checklist.items.first(), outcome="pass"
    )
    assert logged_in(client, owner).get(reverse("inspection_photo", args=[without.pk])).status_code == 404


def test_the_plan_list_is_for_staff_with_next_dates(client):
    plan = MaintenancePlanFactory(day_of_month=1, starts_on=dt.date(2020, 1, 1))
    Inspection.objects.create(plan=plan, scheduled_for=local_date() + dt.timedelta(days=2))
    staff = UserFactory(role=Role.ENGINEER)
    response = logged_in(client, staff).get(reverse("plan_list"))
    assert response.status_code == 200
    row = next(iter(response.context["page"]))
    first_of_next_month = (local_date().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert row.next_planned == local_date() + dt.timedelta(days=2)
    assert row.next_due in (local_date().replace(day=1), first_of_next_month) and row.next_due >= local_date()
    customer = UserFactory(role=Role.CUSTOMER, customer=plan.contract.customer)
    assert logged_in(client, customer).get(reverse("plan_list")).status_code == 404
