"""Pages take what is typed into the address bar without a server error."""

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["99999999999999999999", "9" * 5000, "²", "0", "-1", "abc"])
def test_queue_shows_a_page_whatever_page_number_is_asked_for(client, page):
    client.force_login(UserFactory(role=Role.AGENT))
    TicketFactory()

    response = client.get(reverse("ticket_list"), {"page": page})

    assert response.status_code == 200
