"""The work-order API: what each user reads, and acting on an order."""

import pytest
from rest_framework.test import APIClient

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.dispatch.models import WorkOrder
from aftersales.dispatch.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/work-orders/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_customers_read_their_organisations_orders_staff_read_all():
    mine, other = WorkOrderFactory(), WorkOrderFactory()
    customer = UserFactory(role=Role.CUSTOMER, customer=mine.customer)

    own = api(customer).get(URL).json()["results"]
    everyone = api(mine.dispatcher).get(URL, {"status": "dispatched"}).json()["results"]

    assert [row["number"] for row in own] == [mine.number]
    assert {row["number"] for row in everyone} == {mine.number, other.number}
    assert api(customer).get(f"{URL}{other.pk}/").status_code == 404
    stranger = UserFactory(role=Role.CUSTOMER, customer=CustomerFactory())
    assert api(stranger).get(URL).json()["results"] == []


def test_the_engineer_accepts_and_a_stale_version_conflicts():
    order = WorkOrderFactory()
    client = api(order.engineer)

    stale = client.post(f"{URL}{order.pk}/act/", {"action": "accept", "version": order.version + 1})
    accepted = client.post(f"{URL}{order.pk}/act/", {"action": "accept", "version": order.version})

    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


def test_a_customer_cannot_act_and_nothing_changes():
    order = WorkOrderFactory()
    customer = UserFactory(role=Role.CUSTOMER, customer=order.customer)
    response = api(customer).post(f"{URL}{order.pk}/act/", {"action": "accept"})
    assert response.status_code == 403
    assert WorkOrder.objects.get(pk=order.pk).status == "dispatched"


def test_declining_without_a_reason_is_refused_with_the_field():
    order = WorkOrderFactory()
    response = api(order.engineer).post(f"{URL}{order.pk}/act/", {"action": "decline"})
    assert response.status_code == 400 and "note" in response.json()["detail"]
