"""/api/v1/knowledge-articles/: read-only, scoped like the pages."""

import pytest
from rest_framework.test import APIClient

from aftersales.assets.tests.factories import ProductFactory
from aftersales.knowledge.choices import ArticleStatus
from aftersales.knowledge.models import Article
from aftersales.knowledge.tests.factories import ArticleFactory
from aftersales.tickets.tests.factories import TicketFactory

URL = "/api/v1/knowledge-articles/"
pytestmark = pytest.mark.django_db


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_read_every_article_and_filter(engineer):
    product = ProductFactory(name="OceanStor")
    public = ArticleFactory(title="存储控制器离线", visible_to_customers=True, products=[product])
    draft = ArticleFactory(title="硬盘告警", status=ArticleStatus.DRAFT, source_ticket=TicketFactory())

    def ids(query=None):
        return sorted(row["id"] for row in api_as(engineer).get(URL, query or {}).json()["results"])

    assert ids() == sorted([public.pk, draft.pk])
    assert ids({"q": "控制器"}) == [public.pk]
    assert ids({"product": product.pk}) == [public.pk]
    assert ids({"status": "draft"}) == [draft.pk]
    assert ids({"product": "9" * 30}) == []
    row = api_as(engineer).get(f"{URL}{draft.pk}/").json()
    assert row["source_ticket"] == draft.source_ticket_id and row["visible_to_customers"] is False
    assert api_as(engineer).get(f"{URL}{public.pk}/").json()["products"] == [{"id": product.pk, "name": str(product)}]


def test_customers_read_only_published_articles_meant_for_them(customer_user):
    public = ArticleFactory(visible_to_customers=True, source_ticket=TicketFactory())
    internal = ArticleFactory()
    draft = ArticleFactory(status=ArticleStatus.DRAFT, visible_to_customers=True)

    listed = api_as(customer_user).get(URL).json()["results"]
    assert [row["id"] for row in listed] == [public.pk]
    assert "source_ticket" not in listed[0] and "visible_to_customers" not in listed[0]
    for hidden in (internal, draft):
        response = api_as(customer_user).get(f"{URL}{hidden.pk}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_api_is_read_only_and_needs_a_user(engineer):
    article = ArticleFactory(title="原标题")
    assert api_as(engineer).post(URL, {"title": "新", "solution": "办法"}).status_code == 405
    assert api_as(engineer).patch(f"{URL}{article.pk}/", {"title": "改"}).status_code == 405
    assert api_as(engineer).delete(f"{URL}{article.pk}/").status_code == 405
    assert APIClient().get(URL).status_code == 401
    assert list(Article.objects.values_list("title", flat=True)) == ["原标题"]
