"""Filtering a list by a related record's id: an id past the largest a row can have matches nothing.

SQLite cannot even bind such a number (OverflowError, a 500); PostgreSQL compared it and found
no row. Both must answer an empty page."""

import pytest

from aftersales.assets.tests.factories import AssetFactory
from aftersales.customers.tests.factories import ContactFactory
from aftersales.tickets.services import comment_add
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

BEYOND_ANY_ID = str(2**64)
FILTERS = [
    "/api/v1/sites/?customer=",
    "/api/v1/contacts/?customer=",
    "/api/v1/contacts/?site=",
    "/api/v1/contracts/?customer=",
    "/api/v1/assets/?customer=",
    "/api/v1/assets/?site=",
    "/api/v1/assets/?contract=",
    "/api/v1/ticket-comments/?ticket=",
    "/api/v1/ticket-transitions/?ticket=",
]


@pytest.mark.parametrize("url", FILTERS)
def test_an_id_beyond_any_row_gives_an_empty_page(api_as, admin, url):
    asset = AssetFactory()
    ContactFactory(customer=asset.customer, site=asset.site)
    comment_add(actor=admin, ticket=TicketFactory(customer=asset.customer), body="已收到")

    response = api_as(admin).get(url + BEYOND_ANY_ID)

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("url", FILTERS)
def test_an_id_that_is_no_whole_number_is_refused(api_as, admin, url):
    response = api_as(admin).get(url + "1e30")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
