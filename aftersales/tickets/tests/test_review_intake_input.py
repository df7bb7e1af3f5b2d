"""The intake form and its htmx options take any customer, site or asset id typed or posted without a 500."""

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import SiteFactory
from aftersales.tickets.models import Ticket

pytestmark = pytest.mark.django_db

NOT_IDS = ["abc", "1.5", str(2**64), "-1"]


@pytest.mark.parametrize("customer", NOT_IDS)
def test_options_for_a_customer_id_that_names_no_row_are_empty(client, customer):
    client.force_login(UserFactory(role=Role.AGENT))
    SiteFactory()

    response = client.get(reverse("intake_options"), {"customer": customer})

    assert response.status_code == 200
    assert response.context["form"].fields["site"].queryset.count() == 0
    assert response.context["entitlement"] is None


@pytest.mark.parametrize("other", ["abc", str(2**64)])
def test_entitlement_preview_ignores_site_and_asset_ids_that_name_no_row(client, other):
    client.force_login(UserFactory(role=Role.AGENT))
    site = SiteFactory()

    response = client.get(
        reverse("intake_options"), {"customer": site.customer_id, "site": other, "assets": other, "part": "entitlement"}
    )

    assert response.status_code == 200
    assert response.context["entitlement"].reason_code == "no_contract"


@pytest.mark.parametrize("customer", NOT_IDS)
def test_posting_a_customer_id_that_names_no_row_is_a_form_error(client, customer):
    client.force_login(UserFactory(role=Role.AGENT))

    response = client.post(reverse("ticket_create"), {"customer": customer, "title": "存储告警"})

    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert not Ticket.objects.exists()
