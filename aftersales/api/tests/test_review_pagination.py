"""API pages end their order on the primary key: on PostgreSQL, rows tied on the sort key
otherwise come back in a different order for each page, so some repeat and others never appear."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import SiteFactory
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

ROWS = 60


def ids_on_every_page(client, url: str) -> list[int]:
    ids, page = [], 1
    while True:
        response = client.get(url, {"page": page, "page_size": 7})
        assert response.status_code == 200
        ids += [row["id"] for row in response.json()["results"]]
        if not response.json()["next"]:
            return ids
        page += 1


def test_ticket_pages_sorted_by_priority_hold_every_ticket_once(api_as, admin, customer1):
    received_at = timezone.now()
    tickets = [TicketFactory(customer=customer1, priority=3, received_at=received_at) for _ in range(ROWS)]

    ids = ids_on_every_page(api_as(admin), "/api/v1/tickets/?ordering=priority")

    assert sorted(ids) == sorted(ticket.pk for ticket in tickets)


def test_site_pages_sorted_by_city_hold_every_site_once(api_as, admin, customer1):
    sites = [SiteFactory(customer=customer1, name=f"机房{number}", city="杭州") for number in range(ROWS)]

    ids = ids_on_every_page(api_as(admin), "/api/v1/sites/?ordering=city")

    assert sorted(ids) == sorted(site.pk for site in sites)


def test_contract_pages_in_their_default_order_hold_every_contract_once(api_as, admin, customer1):
    start = dt.date(2026, 1, 1)
    contracts = [
        ContractFactory(customer=customer1, start_date=start, end_date=dt.date(2028, 12, 31)) for _ in range(ROWS)
    ]

    ids = ids_on_every_page(api_as(admin), "/api/v1/contracts/?customer=" + str(customer1.pk))

    assert sorted(ids) == sorted(contract.pk for contract in contracts)
