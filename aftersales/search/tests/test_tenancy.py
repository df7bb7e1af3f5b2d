"""Results hold only what the user may see: a customer never finds another customer's records."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory
from aftersales.search.models import SearchEntry
from aftersales.search.query import search
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenants():
    """Two customers whose records hold the same words."""
    records = {}
    for name in ("a", "b"):
        customer = CustomerFactory(name=f"共享单位{name}")
        records[name] = {
            "customer": customer,
            "ticket": TicketFactory(customer=customer, title="打印机卡纸", description="共享故障"),
            "contact": ContactFactory(customer=customer, name="张伟共享"),
            "asset": AssetFactory(site__customer=customer, serial_number=f"SHARED-{name}"),
            "user": UserFactory(role=Role.CUSTOMER, customer=customer),
        }
    return records


def hits(results) -> dict[str, list[int]]:
    return {group.kind: [hit.object_id for hit in group.hits] for group in results.groups}


def counts(results) -> dict[str, int]:
    return {group.kind: group.count for group in results.groups}


def test_a_customer_user_finds_only_their_own_records(tenants):
    a, b = tenants["a"], tenants["b"]
    results = search(a["user"], "共享")
    assert hits(results) == {
        "ticket": [a["ticket"].pk],
        "customer": [a["customer"].pk],
        "contact": [a["contact"].pk],
        "asset": [],
        "article": [],
    }
    assert counts(results)["ticket"] == 1
    assert hits(search(a["user"], "shared"))["asset"] == [a["asset"].pk]
    assert hits(search(b["user"], "打印机 卡"))["ticket"] == [b["ticket"].pk]


def test_a_customer_finds_nothing_of_another_customer_even_by_its_exact_words(tenants):
    a, b = tenants["a"], tenants["b"]
    for query in (b["ticket"].number, "shared-b", b["customer"].name):
        results = search(a["user"], query)
        assert all(not group.hits and not group.count for group in results.groups), query


def test_staff_find_every_customer(tenants):
    agent = UserFactory(role=Role.AGENT)
    results = search(agent, "共享")
    assert sorted(hits(results)["ticket"]) == sorted([tenants["a"]["ticket"].pk, tenants["b"]["ticket"].pk])
    assert counts(results)["contact"] == 2


def test_a_hit_the_model_does_not_let_the_user_see_is_dropped(tenants):
    """Should an entry carry the wrong customer, the confirmation through visible_to still refuses it."""
    a, b = tenants["a"], tenants["b"]
    SearchEntry.objects.filter(kind="ticket", object_id=b["ticket"].pk).update(customer_id=a["customer"].pk)
    assert hits(search(a["user"], "打印机"))["ticket"] == [a["ticket"].pk]


def test_inactive_users_find_nothing(tenants):
    inactive = tenants["a"]["user"]
    inactive.is_active = False
    inactive.save()
    results = search(inactive, "共享")
    assert all(not group.hits and not group.count for group in results.groups)


def test_the_page_and_the_api_show_a_customer_only_their_own(tenants, client):
    a, b = tenants["a"], tenants["b"]
    client.force_login(a["user"])
    page = client.get(reverse("search"), {"q": "打印机卡纸"}).content.decode()
    assert reverse("ticket_detail", args=[a["ticket"].pk]) in page
    assert reverse("ticket_detail", args=[b["ticket"].pk]) not in page
    assert b["ticket"].number not in page

    api = APIClient()
    api.force_authenticate(a["user"])
    body = api.get("/api/v1/search/", {"q": "共享"}).json()
    found = {group["kind"]: [hit["id"] for hit in group["results"]] for group in body["groups"]}
    assert found["ticket"] == [a["ticket"].pk]
    assert found["contact"] == [a["contact"].pk]
    assert found["customer"] == [a["customer"].pk]


def test_anonymous_users_are_sent_to_log_in_and_refused_by_the_api(tenants, client):
    response = client.get(reverse("search"), {"q": "共享"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert APIClient().get("/api/v1/search/", {"q": "共享"}).status_code in (401, 403)


def test_customers_find_only_published_articles_meant_for_them(tenants):
    from aftersales.knowledge.tests.factories import ArticleFactory

    meant = ArticleFactory(title="共享打印机驱动安装", visible_to_customers=True)
    internal = ArticleFactory(title="共享打印机内部处理", visible_to_customers=False)
    draft = ArticleFactory(title="共享打印机草稿", visible_to_customers=True, status="draft")
    results = search(tenants["a"]["user"], "共享打印机")
    assert hits(results)["article"] == [meant.pk]
    assert counts(results)["article"] == 1
    staff = search(UserFactory(role=Role.AGENT), "共享打印机")
    assert sorted(hits(staff)["article"]) == sorted([meant.pk, internal.pk, draft.pk])
    assert SearchEntry.objects.get(kind="article", object_id=meant.pk).customer_id is None
