"""The search page and the API: grouped results, capped counts, paging per kind, empty state and help."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory
from aftersales.search import query as search_query
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}


@pytest.fixture
def agent(client):
    user = UserFactory(role=Role.AGENT)
    client.force_login(user)
    return user


def tickets_titled(title: str, count: int, customer=None) -> list:
    customer = customer or CustomerFactory()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return [
        TicketFactory(customer=customer, title=title, received_at=start + dt.timedelta(hours=index))
        for index in range(count)
    ]


def test_without_a_query_the_page_explains_how_search_works(client, agent):
    page = client.get(reverse("search"), headers=EN).content.decode()
    assert 'data-testid="search-help"' in page
    assert "even one or two characters" in page


def test_results_are_grouped_by_kind_newest_first_with_links(client, agent):
    customer = CustomerFactory(name="杭州公积金中心")
    older, newer = tickets_titled("公积金打印机卡纸", 2, customer)
    contact = ContactFactory(customer=customer, name="公积金联络员")
    page = client.get(reverse("search"), {"q": "公积金"}, headers=EN).content.decode()
    assert 'data-testid="search-count-ticket">2<' in page
    assert 'data-testid="search-count-customer">1<' in page
    assert 'data-testid="search-count-contact">1<' in page
    assert page.index(reverse("ticket_detail", args=[newer.pk])) < page.index(reverse("ticket_detail", args=[older.pk]))
    assert reverse("customer_archive", args=[customer.pk]) in page
    assert "公积金联络员" in page and contact.customer_id == customer.pk
    assert 'data-testid="search-group-asset"' not in page  # empty groups are left out
    assert 'data-testid="search-more-ticket"' not in page  # everything is shown already


def test_a_large_group_shows_five_a_capped_count_and_a_link_to_all(client, agent, monkeypatch):
    monkeypatch.setattr(search_query, "COUNT_CAP", 6)
    tickets_titled("交换机端口闪断", 7)
    page = client.get(reverse("search"), {"q": "闪断"}, headers=EN).content.decode()
    assert 'data-testid="search-count-ticket">6+<' in page
    assert page.count('data-testid="search-hit"') == 5
    assert 'data-testid="search-more-ticket"' in page
    assert "?q=%E9%97%AA%E6%96%AD&amp;kind=ticket" in page


def test_one_kind_is_paged_twenty_at_a_time(client, agent):
    tickets = tickets_titled("硬盘告警", 23)
    first = client.get(reverse("search"), {"q": "硬盘", "kind": "ticket"}, headers=EN).content.decode()
    assert first.count('data-testid="search-hit"') == 20
    assert reverse("ticket_detail", args=[tickets[-1].pk]) in first
    assert 'data-testid="search-next"' in first
    second = client.get(reverse("search"), {"q": "硬盘", "kind": "ticket", "page": "2"}, headers=EN).content.decode()
    assert second.count('data-testid="search-hit"') == 3
    assert reverse("ticket_detail", args=[tickets[0].pk]) in second
    assert 'data-testid="search-next"' not in second
    beyond = client.get(reverse("search"), {"q": "硬盘", "kind": "ticket", "page": "9"}, headers=EN).content.decode()
    assert 'data-testid="search-page-empty"' in beyond
    assert "page=8" in beyond  # the way back


def test_nothing_found_says_so(client, agent):
    TicketFactory(title="服务器无法开机")
    page = client.get(reverse("search"), {"q": "不存在的词"}, headers=EN).content.decode()
    assert 'data-testid="search-empty"' in page
    assert "Nothing found for “不存在的词”." in page


def test_control_characters_in_the_query_are_white_space(client, agent):
    ticket = TicketFactory(title="电源模块告警")
    page = client.get(reverse("search"), {"q": "电源\x00告警"}).content.decode()
    assert reverse("ticket_detail", args=[ticket.pk]) in page


def test_an_unknown_kind_is_not_found(client, agent):
    assert client.get(reverse("search"), {"q": "x", "kind": "invoice"}).status_code == 404


def test_the_page_takes_three_queries_per_kind_at_most(client, agent, django_assert_num_queries):
    customer = CustomerFactory(name="查询次数单位")
    tickets_titled("查询次数", 8, customer)
    ContactFactory(customer=customer, name="查询次数联系人")
    # Session, user and the header's unread count; then per kind with matches: capped count, page, confirmation;
    # per kind without: the count only (tickets, customers and contacts match; assets and other kinds do not).
    kinds = len(search_query.registrations())
    with django_assert_num_queries(3 + 3 * 3 + (kinds - 3)):
        response = client.get(reverse("search"), {"q": "查询次数"})
    assert response.status_code == 200
    with django_assert_num_queries(3 + 3):
        client.get(reverse("search"), {"q": "查询次数", "kind": "ticket", "page": "1"})


def test_the_header_has_the_search_box(client, agent):
    page = client.get(reverse("ticket_list"), headers=EN).content.decode()
    assert f'action="{reverse("search")}"' in page
    assert 'data-testid="header-search"' in page


def test_the_api_answers_groups_with_capped_counts(agent):
    tickets = tickets_titled("UPS电池鼓包", 3)
    api = APIClient()
    api.force_authenticate(agent)
    body = api.get("/api/v1/search/", {"q": "鼓包", "kind": "ticket", "limit": 2}).json()
    assert body["query"] == "鼓包"
    (group,) = body["groups"]
    assert group["kind"] == "ticket"
    assert group["count"] == 3
    assert group["count_is_capped"] is False
    assert [hit["id"] for hit in group["results"]] == [tickets[2].pk, tickets[1].pk]
    assert group["results"][0]["url"] == reverse("ticket_detail", args=[tickets[2].pk])


def test_the_api_refuses_a_missing_query_and_an_unknown_kind(agent):
    api = APIClient()
    api.force_authenticate(agent)
    missing = api.get("/api/v1/search/", headers=EN)
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid"
    assert "q" in missing.json()["detail"]
    unknown = api.get("/api/v1/search/", {"q": "x", "kind": "invoice"})
    assert unknown.status_code == 400
    assert "kind" in unknown.json()["detail"]
