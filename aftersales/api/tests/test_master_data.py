"""Customers, sites, contacts, contracts and assets: read by staff and by the customer's own users,
written only with the master-data permission, validated by the models' own rules."""

import pytest

from aftersales.assets.models import Asset
from aftersales.assets.tests.factories import AssetFactory, ProductFactory
from aftersales.contracts.models import Contract
from aftersales.contracts.tests.factories import ContractFactory, ServiceLevelFactory
from aftersales.customers.models import Contact, Customer, Site
from aftersales.customers.tests.factories import ContactFactory, SiteFactory
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def make_record(endpoint, customer):
    """One record of `endpoint` owned by `customer`."""
    return {
        "customers": lambda: customer,
        "sites": lambda: SiteFactory(customer=customer),
        "contacts": lambda: ContactFactory(customer=customer),
        "contracts": lambda: ContractFactory(customer=customer),
        "assets": lambda: AssetFactory(site=SiteFactory(customer=customer)),
    }[endpoint]()


def new_record_payload(endpoint, customer):
    site = SiteFactory(customer=customer)
    return {
        "customers": {"code": "newcust", "name": "新的用户单位", "phone": "057188888888"},
        "sites": {"customer": customer.id, "name": "新机房", "province": "浙江省", "city": "杭州市", "address": "1号"},
        "contacts": {"customer": customer.id, "site": site.id, "name": "赵六", "phone": "13700137000"},
        "contracts": {
            "number": "HT-NEW-0001",
            "name": "新合同",
            "customer": customer.id,
            "sites": [site.id],
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "service_level": ServiceLevelFactory().id,
        },
        "assets": {
            "customer": customer.id,
            "site": site.id,
            "product": ProductFactory().id,
            "serial_number": "SN-NEW-1",
        },
    }[endpoint]


MODELS = {"customers": Customer, "sites": Site, "contacts": Contact, "contracts": Contract, "assets": Asset}
CHANGES = {
    "customers": {"name": "改过的名字"},
    "sites": {"name": "改过的名字"},
    "contacts": {"name": "改过的名字"},
    "contracts": {"name": "改过的名字"},
    "assets": {"serial_number": "CHANGED-1"},
}
ENDPOINTS = list(MODELS)


def snapshot(endpoint):
    """Every row of the model as plain values, to prove a refused write changed nothing."""
    return list(MODELS[endpoint].objects.order_by("pk").values())


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_customer_users_list_only_their_own_records(endpoint, api_as, customer_user1, agent, customer1, customer2):
    own = make_record(endpoint, customer1)
    foreign = make_record(endpoint, customer2)

    customer_rows = api_as(customer_user1).get(f"/api/v1/{endpoint}/").json()["results"]
    staff_rows = api_as(agent).get(f"/api/v1/{endpoint}/").json()["results"]

    assert [row["id"] for row in customer_rows] == [own.id]
    assert {own.id, foreign.id} <= {row["id"] for row in staff_rows}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_another_customers_record_is_not_found(endpoint, api_as, customer_user1, customer1, customer2):
    own = make_record(endpoint, customer1)
    foreign = make_record(endpoint, customer2)
    client = api_as(customer_user1)

    assert client.get(f"/api/v1/{endpoint}/{own.id}/").status_code == 200
    response = client.get(f"/api/v1/{endpoint}/{foreign.id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_customer_users_cannot_write_master_data(endpoint, api_as, customer_user1, customer1, customer2):
    own = make_record(endpoint, customer1)
    foreign = make_record(endpoint, customer2)
    payload = new_record_payload(endpoint, customer1)
    before = snapshot(endpoint)
    client = api_as(customer_user1)

    responses = [
        client.patch(f"/api/v1/{endpoint}/{own.id}/", CHANGES[endpoint], format="json"),
        client.patch(f"/api/v1/{endpoint}/{foreign.id}/", CHANGES[endpoint], format="json"),
        client.post(f"/api/v1/{endpoint}/", payload, format="json"),
    ]

    # Another customer's record is not found at all, exactly like a record that does not exist.
    assert [response.status_code for response in responses] == [403, 404, 403]
    assert [response.json()["code"] for response in responses] == [
        "permission_denied",
        "not_found",
        "permission_denied",
    ]
    assert snapshot(endpoint) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_staff_without_the_master_data_permission_cannot_write(endpoint, api_as, agent, customer1):
    record = make_record(endpoint, customer1)
    payload = new_record_payload(endpoint, customer1)
    before = snapshot(endpoint)
    client = api_as(agent)

    assert client.patch(f"/api/v1/{endpoint}/{record.id}/", CHANGES[endpoint], format="json").status_code == 403
    assert client.post(f"/api/v1/{endpoint}/", payload, format="json").status_code == 403
    assert snapshot(endpoint) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_master_data_editors_create_and_update(endpoint, api_as, admin, customer1):
    client = api_as(admin)

    created = client.post(f"/api/v1/{endpoint}/", new_record_payload(endpoint, customer1), format="json")
    assert created.status_code == 201, created.json()
    record_id = created.json()["id"]
    updated = client.patch(f"/api/v1/{endpoint}/{record_id}/", CHANGES[endpoint], format="json")

    assert updated.status_code == 200
    [(field, value)] = CHANGES[endpoint].items()
    assert getattr(MODELS[endpoint].objects.get(pk=record_id), field) == value


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_writes_to_a_record_that_does_not_exist_are_not_found(endpoint, api_as, customer_user1, agent):
    for user in (customer_user1, agent):
        response = api_as(user).patch(f"/api/v1/{endpoint}/999999/", CHANGES[endpoint], format="json")
        assert response.status_code == 404


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_records_cannot_be_deleted_through_the_api(endpoint, api_as, admin, customer1):
    record = make_record(endpoint, customer1)

    assert api_as(admin).delete(f"/api/v1/{endpoint}/{record.id}/").status_code == 405
    assert MODELS[endpoint].objects.filter(pk=record.pk).exists()


def test_missing_and_invalid_fields_are_named(api_as, admin, customer1):
    response = api_as(admin).post("/api/v1/sites/", {"customer": customer1.id, "name": "机房"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["detail"]) == {"province", "city", "address"}
    assert not Site.objects.exists()


def test_a_duplicate_code_and_a_bad_phone_are_named(api_as, admin, customer1):
    response = api_as(admin).post(
        "/api/v1/customers/", {"code": customer1.code, "name": "另一个单位", "phone": "12"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"code", "phone"}
    assert Customer.objects.count() == 1


def test_a_contact_at_another_customers_site_is_refused(api_as, admin, customer1, site2):
    payload = {"customer": customer1.id, "site": site2.id, "name": "赵六", "phone": "13700137000"}

    response = api_as(admin).post("/api/v1/contacts/", payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"site"}
    assert not Contact.objects.exists()


def test_moving_a_contact_to_another_customer_keeps_its_site_consistent(api_as, admin, customer2, site1):
    contact = ContactFactory(customer=site1.customer, site=site1)

    response = api_as(admin).patch(f"/api/v1/contacts/{contact.id}/", {"customer": customer2.id}, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"site"}
    contact.refresh_from_db()
    assert contact.customer == site1.customer


def test_an_asset_at_another_customers_site_or_contract_is_refused(api_as, admin, customer1, customer2, site2):
    foreign_contract = ContractFactory(customer=customer2)
    payload = new_record_payload("assets", customer1) | {"site": site2.id, "contract": foreign_contract.id}

    response = api_as(admin).post("/api/v1/assets/", payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"site", "contract"}
    assert not Asset.objects.exists()


def test_a_contract_that_ends_before_it_starts_is_refused(api_as, admin, customer1):
    payload = new_record_payload("contracts", customer1) | {"start_date": "2026-06-01", "end_date": "2026-01-01"}

    response = api_as(admin).post("/api/v1/contracts/", payload, format="json")

    assert response.status_code == 400
    assert "end_date" in response.json()["detail"]
    assert not Contract.objects.exists()


def test_a_contract_covering_another_customers_site_is_refused(api_as, admin, customer1, site2):
    payload = new_record_payload("contracts", customer1) | {"sites": [site2.id]}

    response = api_as(admin).post("/api/v1/contracts/", payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"sites"}
    assert not Contract.objects.exists()


def test_customer_users_do_not_see_the_providers_notes(api_as, customer_user1, agent, customer1):
    customer1.notes = "付款慢"
    customer1.save()

    assert "notes" not in api_as(customer_user1).get(f"/api/v1/customers/{customer1.id}/").json()
    assert api_as(agent).get(f"/api/v1/customers/{customer1.id}/").json()["notes"] == "付款慢"


def test_master_data_lists_filter_by_customer(api_as, agent, customer1, customer2):
    own = SiteFactory(customer=customer1)
    SiteFactory(customer=customer2)

    rows = api_as(agent).get("/api/v1/sites/", {"customer": customer1.id}).json()["results"]

    assert [row["id"] for row in rows] == [own.id]


@pytest.mark.parametrize("holder", ["asset", "contact", "contract", "ticket"])
def test_a_site_in_use_cannot_move_to_another_customer(api_as, admin, customer2, site1, holder):
    {
        "asset": lambda: AssetFactory(site=site1),
        "contact": lambda: ContactFactory(customer=site1.customer, site=site1),
        "contract": lambda: ContractFactory(customer=site1.customer).sites.add(site1),
        "ticket": lambda: TicketFactory(customer=site1.customer, site=site1),
    }[holder]()

    response = api_as(admin).patch(f"/api/v1/sites/{site1.id}/", {"customer": customer2.id}, format="json")

    assert response.status_code == 400
    assert set(response.json()["detail"]) == {"customer"}
    site1.refresh_from_db()
    assert site1.customer != customer2


def test_a_site_nothing_refers_to_may_move_to_another_customer(api_as, admin, customer2, site1):
    response = api_as(admin).patch(f"/api/v1/sites/{site1.id}/", {"customer": customer2.id}, format="json")

    assert response.status_code == 200
    site1.refresh_from_db()
    assert site1.customer == customer2
