"""The work-order pages: who sees which orders, the dispatcher's page, the sheet's actions, the signing link."""

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import ContactFactory, SiteFactory
from aftersales.dispatch.models import SigningLink, WorkOrder
from aftersales.dispatch.services.links import token_hash
from aftersales.dispatch.services.signing import signing_link_send, work_order_sign
from aftersales.dispatch.tests.factories import EngineerProfileFactory, WorkOrderFactory, signature_data_url
from aftersales.tickets.choices import EventKind, Status
from aftersales.tickets.services.common import record_event
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    site = SiteFactory(latitude="30.280000", longitude="120.160000")
    ticket = TicketFactory(customer=site.customer, site=site, status=Status.NEW, priority=1)
    record_event(ticket=ticket, actor=ticket.created_by, kind=EventKind.CREATED, at=ticket.received_at)
    return ticket


def logged_in(client, user):
    client.force_login(user)
    return client


def test_engineers_see_their_own_orders_dispatchers_all_customers_their_organisations(client):
    mine, theirs = WorkOrderFactory(), WorkOrderFactory()
    declined = WorkOrderFactory(status="declined")
    customer = UserFactory(role=Role.CUSTOMER, customer=mine.customer)

    def numbers(user, query=""):
        response = logged_in(client, user).get(reverse("work_order_list") + query)
        assert response.status_code == 200
        return {order.number for order in response.context["page"]["rows"]}

    assert numbers(mine.engineer) == {mine.number}
    assert numbers(mine.dispatcher) == {mine.number, theirs.number, declined.number}
    assert numbers(customer, "?status=all") == {mine.number}
    assert numbers(mine.dispatcher, "?status=dispatched") == {mine.number, theirs.number}
    # a declined order leaves the dispatcher's to-do list once someone else is sent
    sent_again = WorkOrderFactory(ticket=declined.ticket, dispatcher=mine.dispatcher)
    assert numbers(mine.dispatcher) == {mine.number, theirs.number, sent_again.number}


def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    dispatcher = UserFactory(role=Role.DISPATCHER)
    logged_in(client, dispatcher)
    for count in (1, 5):
        for _ in range(count):
            WorkOrderFactory(dispatcher=dispatcher)
        # session, user, Django's two permission lookups, the page of orders, the unread bell
        with django_assert_num_queries(6):
            client.get(reverse("work_order_list"))


def test_a_customer_cannot_open_another_customers_sheet(client):
    order = WorkOrderFactory()
    stranger = UserFactory(role=Role.CUSTOMER, customer=SiteFactory().customer)
    assert logged_in(client, stranger).get(order.get_absolute_url()).status_code == 404
    owner = UserFactory(role=Role.CUSTOMER, customer=order.customer)
    page = logged_in(client, owner).get(order.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="events"' not in page.content.decode()


def test_the_dispatch_page_ranks_engineers_and_can_send_the_best(client, ticket):
    near = EngineerProfileFactory(home_latitude="30.281000", home_longitude="120.161000").user
    EngineerProfileFactory(home_latitude="31.230000", home_longitude="121.470000")  # Shanghai
    dispatcher = UserFactory(role=Role.DISPATCHER)
    url = reverse("work_order_dispatch", args=[ticket.pk])

    page = logged_in(client, dispatcher).get(url)
    assert page.status_code == 200
    assert page.context["ranked"][0].engineer_id == near.pk

    response = client.post(url, {"engineer": "", "kind": "on_site", "basis": "P1 故障，需现场"})

    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert (order.engineer, order.basis) == (near, "P1 故障，需现场")


def test_the_dispatch_page_is_not_for_engineers_or_customers(client, ticket):
    engineer = EngineerProfileFactory().user
    customer = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    url = reverse("work_order_dispatch", args=[ticket.pk])
    assert (
        logged_in(client, engineer).post(url, {"engineer": engineer.pk, "kind": "on_site", "basis": "x"}).status_code
        == 404
    )
    assert logged_in(client, customer).get(url).status_code == 404
    assert not WorkOrder.objects.exists()


def test_a_bad_dispatch_keeps_what_was_typed(client, ticket):
    dispatcher = UserFactory(role=Role.DISPATCHER)
    response = logged_in(client, dispatcher).post(
        reverse("work_order_dispatch", args=[ticket.pk]), {"engineer": "", "kind": "on_site", "basis": "没有工程师"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors and "没有工程师" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_the_engineer_works_the_order_from_the_sheet(client, ticket):
    order = WorkOrderFactory(ticket=ticket)
    logged_in(client, order.engineer)
    url = order.get_absolute_url()

    client.post(reverse("work_order_act", args=[order.pk]), {"action": "accept", "version": order.version})
    client.post(reverse("work_order_check_in", args=[order.pk]), {"latitude": "30.28", "longitude": "120.16"})
    client.post(reverse("work_order_log", args=[order.pk]), {"text": "更换电源", "hours": "1.5"})
    client.post(
        reverse("work_order_part", args=[order.pk]), {"description": "电源模块", "quantity": 1, "unit_price": 0}
    )
    client.post(reverse("work_order_complete", args=[order.pk]), {"resolution": "已修复"})
    client.post(
        reverse("work_order_sign", args=[order.pk]),
        {"role": "engineer", "signer_name": "程工", "signature": signature_data_url()},
    )
    response = client.post(
        reverse("work_order_sign", args=[order.pk]),
        {"role": "customer", "signer_name": "张三", "signature": signature_data_url()},
    )

    order.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == url
    assert order.status == "signed" and str(order.check_in_latitude) == "30.280000"
    assert (order.log.count(), order.parts.count(), str(order.labour_hours)) == (1, 1, "1.50")
    page = client.get(url).content.decode()
    assert 'data-testid="signature-customer"' in page and "signature-form" not in page


def test_a_sheet_waiting_for_the_customer_offers_the_pad_to_its_engineer_and_only_the_link_to_a_dispatcher(
    client, ticket
):
    order = WorkOrderFactory(ticket=ticket, status="work_done")
    work_order_sign(
        actor=order.engineer, work_order=order, role="engineer", signer_name="程工", signature=signature_data_url()
    )

    engineers_page = logged_in(client, order.engineer).get(order.get_absolute_url())
    dispatchers_page = logged_in(client, order.dispatcher).get(order.get_absolute_url())

    assert (engineers_page.context["sign_as"], engineers_page.context["can_send_link"]) == ("customer", True)
    assert (dispatchers_page.context["sign_as"], dispatchers_page.context["can_send_link"]) == (None, True)


def test_a_refused_action_says_why_and_changes_nothing(client, ticket):
    order = WorkOrderFactory(ticket=ticket)
    response = logged_in(client, order.engineer).post(
        reverse("work_order_act", args=[order.pk]), {"action": "decline", "version": order.version}, follow=True
    )
    order.refresh_from_db()
    assert order.status == "dispatched"
    assert any("reason" in str(message).lower() or "原因" in str(message) for message in response.context["messages"])


def test_the_signing_link_page_signs_once(client, ticket):
    order = WorkOrderFactory(ticket=ticket, status="work_done")
    work_order_sign(
        actor=order.engineer, work_order=order, role="engineer", signer_name="程工", signature=signature_data_url()
    )
    token = signing_link_send(actor=order.engineer, work_order=order, send_to="13800138000")
    url = reverse("sign_by_link", args=[token])

    page = client.get(url)
    assert page.status_code == 200 and order.problem_description in page.content.decode()
    blank = client.post(url, {"signer_name": "张三", "signature": ""})
    assert blank.status_code == 200 and WorkOrder.objects.get(pk=order.pk).status == "work_done"

    done = client.post(url, {"signer_name": "张三", "signature": signature_data_url()})

    assert done.status_code == 200 and 'data-testid="link-done"' in done.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).status == "signed"
    again = client.get(url)
    assert again.status_code == 410 and order.problem_description not in again.content.decode()
    assert client.get(reverse("sign_by_link", args=["nonsense"])).status_code == 404


def test_an_expired_signing_link_shows_nothing_of_the_sheet(client, ticket):
    order = WorkOrderFactory(ticket=ticket, status="work_done")
    work_order_sign(
        actor=order.engineer, work_order=order, role="engineer", signer_name="程工", signature=signature_data_url()
    )
    ContactFactory(customer=order.customer, email="a@example.com")
    token = signing_link_send(actor=order.engineer, work_order=order, send_to="a@example.com")
    SigningLink.objects.filter(token_hash=token_hash(token)).update(expires_at=timezone.now())
    response = client.post(
        reverse("sign_by_link", args=[token]), {"signer_name": "张三", "signature": signature_data_url()}
    )
    assert response.status_code == 410 and order.problem_description not in response.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).status == "work_done"


def test_the_pdf_is_served_only_to_those_who_see_the_order(client, ticket):
    from django.core.files.base import ContentFile

    order = WorkOrderFactory(ticket=ticket, status="signed")
    assert logged_in(client, order.engineer).get(reverse("work_order_pdf", args=[order.pk])).status_code == 404
    order.pdf.save("x.pdf", ContentFile(b"%PDF-1.7 test"))
    response = client.get(reverse("work_order_pdf", args=[order.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    stranger = UserFactory(role=Role.CUSTOMER, customer=SiteFactory().customer)
    assert logged_in(client, stranger).get(reverse("work_order_pdf", args=[order.pk])).status_code == 404


def test_the_ticket_page_shows_its_work_orders_and_the_dispatch_link(client, ticket):
    order = WorkOrderFactory(ticket=ticket)
    page = logged_in(client, order.dispatcher).get(ticket.get_absolute_url()).content.decode()
    assert order.number in page and reverse("work_order_dispatch", args=[ticket.pk]) in page
    customer_page = (
        logged_in(client, UserFactory(role=Role.CUSTOMER, customer=ticket.customer))
        .get(ticket.get_absolute_url())
        .content.decode()
    )
    assert order.number in customer_page and reverse("work_order_dispatch", args=[ticket.pk]) not in customer_page
