"""The knowledge pages through Django's test client: search, filters, empty states, the editor, feedback,
the ticket card and its buttons, and what customers and non-writers are refused (with nothing changed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import ProductFactory
from aftersales.knowledge.choices import ArticleStatus, ProblemStatus
from aftersales.knowledge.models import Article, ArticleFeedback, Problem, ProblemIncident
from aftersales.knowledge.services import problem_link_incident
from aftersales.knowledge.tests.factories import ArticleFactory, ProblemFactory
from aftersales.tickets.choices import EventKind
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.views.queue import PAGE_SIZE

pytestmark = pytest.mark.django_db

EN = {"headers": {"accept-language": "en"}}


def listed(response) -> list[str]:
    return [article.title for article in response.context["page"]["rows"]]


@pytest.fixture
def as_engineer(client, engineer):
    client.force_login(engineer)
    return engineer


@pytest.fixture
def as_customer(client, customer_user):
    client.force_login(customer_user)
    return customer_user


def test_the_list_searches_chinese_substrings_and_filters(client, as_engineer):
    storage, server = ProductFactory(name="OceanStor"), ProductFactory(name="FusionServer")
    ArticleFactory(title="存储控制器离线", symptom="指示灯红", products=[storage])
    ArticleFactory(title="服务器无法开机", cause="电源模块故障", products=[server])
    ArticleFactory(title="硬盘告警", solution="更换硬盘后重建阵列", status=ArticleStatus.DRAFT, products=[storage])

    def titles(query):
        return sorted(listed(client.get(reverse("article_list"), query)))

    assert titles({}) == ["存储控制器离线", "服务器无法开机", "硬盘告警"]
    assert titles({"q": "控制器"}) == ["存储控制器离线"]
    assert titles({"q": "电源"}) == ["服务器无法开机"]  # the cause
    assert titles({"q": "重建阵列"}) == ["硬盘告警"]  # the solution
    assert titles({"q": "告警 硬盘"}) == ["硬盘告警"]  # every word
    assert titles({"product": storage.pk}) == ["存储控制器离线", "硬盘告警"]
    assert titles({"status": "draft"}) == ["硬盘告警"]
    assert titles({"product": storage.pk, "status": "published"}) == ["存储控制器离线"]
    garbage = client.get(reverse("article_list"), {"product": "9" * 30, "status": "x", "page": "-1"})
    assert garbage.status_code == 200 and len(listed(garbage)) == 3
    assert 'data-testid="filter-invalid"' in garbage.content.decode()


def test_empty_states_say_whether_anything_exists(client, as_engineer):
    empty = client.get(reverse("article_list"), **EN).content.decode()
    assert "There are no articles yet." in empty
    ArticleFactory(title="存储控制器离线")
    nothing = client.get(reverse("article_list"), {"q": "打印机"}, **EN).content.decode()
    assert "No article matches. Try fewer or other words." in nothing


def test_the_list_pages(client, as_engineer):
    for number in range(PAGE_SIZE + 2):
        ArticleFactory(title=f"文章{number:03d}")
    first = client.get(reverse("article_list"), {"q": "文章"})
    assert len(listed(first)) == PAGE_SIZE and first.context["page"]["has_next"]
    assert 'href="?q=%E6%96%87%E7%AB%A0&amp;page=2"' in first.content.decode()
    second = client.get(reverse("article_list"), {"q": "文章", "page": 2})
    assert len(listed(second)) == 2 and not second.context["page"]["has_next"]


# session, user, the page of articles, their products (prefetched), Django's two permission lookups (may the
# reader write?), the unread bell, and the product filter's select (counted, then read)
ARTICLE_LIST_QUERIES = 9


def test_the_article_list_reads_a_fixed_number_of_queries(client, as_engineer, django_assert_num_queries):
    product = ProductFactory()
    for count in (1, 6):
        for _ in range(count):
            ArticleFactory(products=[product, ProductFactory()])
        with django_assert_num_queries(ARTICLE_LIST_QUERIES):
            assert client.get(reverse("article_list")).status_code == 200
    with django_assert_num_queries(ARTICLE_LIST_QUERIES + 2):  # the chosen product, the search index's matches
        response = client.get(reverse("article_list"), {"q": "知识", "product": product.pk, "status": "published"})
    assert len(listed(response)) == 7


def test_the_customer_list_reads_a_fixed_number_of_queries(client, as_customer, django_assert_num_queries):
    for _ in range(3):
        ArticleFactory(visible_to_customers=True, products=[ProductFactory()])
    with django_assert_num_queries(ARTICLE_LIST_QUERIES - 2):  # a customer is no writer: no permission lookups
        response = client.get(reverse("article_list"))
    assert len(listed(response)) == 3


def test_customers_read_only_published_articles_meant_for_them(client, as_customer):
    public = ArticleFactory(title="打印机卡纸处理", visible_to_customers=True)
    internal = ArticleFactory(title="内部排障手册")
    draft = ArticleFactory(title="草稿", status=ArticleStatus.DRAFT, visible_to_customers=True)

    assert listed(client.get(reverse("article_list"))) == ["打印机卡纸处理"]
    page = client.get(reverse("article_list"))
    assert "status" not in page.context["form"].fields
    assert client.get(public.get_absolute_url()).status_code == 200
    for hidden in (internal, draft):
        assert client.get(hidden.get_absolute_url()).status_code == 404
        assert client.post(reverse("article_feedback", args=[hidden.pk]), {"helped": "yes"}).status_code == 404
    assert not ArticleFeedback.objects.exists()


def test_the_source_ticket_is_linked_only_for_whoever_may_open_it(client, as_customer, customer_user):
    theirs = ArticleFactory(visible_to_customers=True, source_ticket=TicketFactory(customer=customer_user.customer))
    others = ArticleFactory(visible_to_customers=True, source_ticket=TicketFactory())
    assert 'data-testid="source-ticket"' in client.get(theirs.get_absolute_url()).content.decode()
    assert 'data-testid="source-ticket"' not in client.get(others.get_absolute_url()).content.decode()


def test_a_reader_rates_an_article_once_and_may_change_their_mind(client, as_customer):
    article = ArticleFactory(visible_to_customers=True)
    url = reverse("article_feedback", args=[article.pk])
    for answer in ("yes", "yes", "no"):
        assert client.post(url, {"helped": answer}).status_code == 302
    article.refresh_from_db()
    assert (article.helped_count, article.not_helped_count) == (0, 1)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'data-helped="0" data-not-helped="1"' in page
    assert 'data-testid="not-helped" aria-pressed="true"' in page
    assert client.post(url, {"helped": "maybe"}).status_code == 302
    assert ArticleFeedback.objects.get().helped is False


def test_customers_and_readers_cannot_write_edit_or_publish(client, customer_user, dispatcher):
    article = ArticleFactory(status=ArticleStatus.DRAFT, visible_to_customers=True, title="原标题")
    ticket = TicketFactory(status="resolved", resolution="重启。", customer=customer_user.customer)
    for user in (customer_user, dispatcher):
        client.force_login(user)
        assert client.get(reverse("article_create")).status_code == 404
        assert client.post(reverse("article_create"), {"title": "新", "solution": "办法"}).status_code == 404
        assert client.post(article.get_absolute_url() + "edit/", {"title": "改", "version": 1}).status_code == 404
        assert client.post(reverse("article_publish", args=[article.pk]), {"version": 1}).status_code == 404
        assert client.post(reverse("ticket_article", args=[ticket.pk])).status_code == 404
    article.refresh_from_db()
    assert (article.title, article.status, article.version) == ("原标题", ArticleStatus.DRAFT, 1)
    assert Article.objects.count() == 1


def test_one_click_on_a_solved_ticket_opens_the_prefilled_draft(client, as_engineer, solved_ticket):
    page = client.get(solved_ticket.get_absolute_url()).content.decode()
    assert 'data-testid="write-article"' in page

    response = client.post(reverse("ticket_article", args=[solved_ticket.pk]))

    article = Article.objects.get()
    assert response.status_code == 302 and response.url == reverse("article_edit", args=[article.pk])
    editor = client.get(response.url)
    form = editor.context["form"]
    assert form.initial["title"] == "存储控制器离线"
    assert form.initial["solution"] == "升级控制器固件至 V500R007C60SPC300 并重启。"
    assert sorted(form.initial["products"]) == sorted(p.pk for p in solved_ticket.products)
    assert 'data-testid="draft-note"' in editor.content.decode()


def test_an_open_ticket_offers_no_article(client, as_engineer):
    ticket = TicketFactory(status="in_progress")
    assert 'data-testid="write-article"' not in client.get(ticket.get_absolute_url()).content.decode()
    response = client.post(reverse("ticket_article", args=[ticket.pk]), **EN)
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    assert not Article.objects.exists()


def test_the_editor_saves_and_publishes(client, as_engineer, customer_user):
    product = ProductFactory()
    response = client.post(
        reverse("article_create"),
        {
            "title": "交换机端口闪断",
            "symptom": "端口反复 up/down",
            "solution": "更换光模块。",
            "products": [product.pk],
        },
    )
    article = Article.objects.get()
    assert response.url == article.get_absolute_url()
    assert (article.status, list(article.products.all())) == (ArticleStatus.DRAFT, [product])

    edit = client.post(
        reverse("article_edit", args=[article.pk]),
        {"title": "交换机端口闪断", "solution": "更换光模块并清洁接口。", "visible_to_customers": "on", "version": 1},
    )
    assert edit.status_code == 302
    stale = client.post(
        reverse("article_edit", args=[article.pk]), {"title": "旧表单", "solution": "旧", "version": 1}, **EN
    )
    assert stale.status_code == 200 and "changed by someone else" in stale.content.decode()
    client.post(reverse("article_publish", args=[article.pk]), {"version": 2})
    article.refresh_from_db()
    assert (article.title, article.solution, article.status) == (
        "交换机端口闪断",
        "更换光模块并清洁接口。",
        "published",
    )
    assert article.visible_to_customers and list(article.products.all()) == []
    client.force_login(customer_user)
    assert client.get(article.get_absolute_url()).status_code == 200


def test_the_ticket_card_suggests_articles_and_shows_linked_problems(client, as_engineer, solved_ticket):
    storage = solved_ticket.products[0]
    article = ArticleFactory(title="控制器固件升级", products=[storage])
    problem = ProblemFactory(title="控制器固件缺陷", status=ProblemStatus.KNOWN_ERROR)
    problem_link_incident(actor=as_engineer, problem=problem, ticket=solved_ticket)

    page = client.get(solved_ticket.get_absolute_url()).content.decode()

    assert f'data-testid="suggested-article" data-article="{article.pk}"' in page
    assert f'data-testid="ticket-problem" data-problem="{problem.pk}"' in page
    assert 'data-testid="link-problem-form"' in page


def test_customers_see_suggestions_but_no_problems_on_their_ticket(client, as_customer, customer_user):
    ticket = TicketFactory(customer=customer_user.customer, status="resolved", title="打印机卡纸")
    ArticleFactory(title="打印机卡纸处理", visible_to_customers=True)
    ArticleFactory(title="打印机内部手册")
    problem_link_incident(actor=UserFactory(role=Role.ENGINEER), problem=ProblemFactory(title="卡纸"), ticket=ticket)

    response = client.get(ticket.get_absolute_url())
    page = response.content.decode()

    assert "打印机卡纸处理" in page and "打印机内部手册" not in page
    assert 'data-testid="ticket-problems"' not in page and "PRB-" not in page
    assert 'data-testid="write-article"' not in page and 'data-testid="link-problem-form"' not in page


def test_linking_from_the_ticket_card_by_reference(client, as_engineer):
    ticket = TicketFactory(status="new")
    problem = ProblemFactory()
    response = client.post(reverse("ticket_problem_link", args=[ticket.pk]), {"problem": problem.reference.lower()})
    assert response.url == ticket.get_absolute_url()
    assert list(ticket.problems.all()) == [problem]
    assert ticket.events.get().kind == EventKind.PROBLEM_LINKED
    # an unknown reference or garbage changes nothing
    client.post(reverse("ticket_problem_link", args=[ticket.pk]), {"problem": "PRB-99999"})
    client.post(reverse("ticket_problem_link", args=[ticket.pk]), {"problem": "x" * 19})
    assert ProblemIncident.objects.count() == 1


def test_linking_from_the_problem_page_by_ticket_number(client, as_engineer):
    problem = ProblemFactory()
    ticket = TicketFactory(number="SR202603150007", status="closed")
    response = client.post(reverse("problem_link", args=[problem.pk]), {"number": " sr202603150007 "})
    assert response.url == problem.get_absolute_url()
    page = client.get(problem.get_absolute_url()).content.decode()
    assert 'data-testid="incident" data-ticket="SR202603150007"' in page
    missing = client.post(reverse("problem_link", args=[problem.pk]), {"number": "SR000"}, **EN)
    assert missing.status_code == 200 and "No ticket has this number." in missing.content.decode()
    again = client.post(reverse("problem_link", args=[problem.pk]), {"number": ticket.number}, **EN)
    assert "The ticket is already linked to this problem." in again.content.decode()
    client.post(reverse("problem_unlink", args=[problem.pk, ticket.pk]))
    assert not ProblemIncident.objects.exists()


def test_the_status_form_marks_fixed_only_with_a_fix(client, as_engineer):
    problem = ProblemFactory(status=ProblemStatus.KNOWN_ERROR)
    url = reverse("problem_status", args=[problem.pk])
    refused = client.post(url, {"status": "fixed", "fix": "", "version": 1}, **EN)
    assert (
        refused.status_code == 200 and "Describe the fix before marking the problem fixed." in refused.content.decode()
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.KNOWN_ERROR
    assert client.post(url, {"status": "fixed", "fix": "升级固件。", "version": 1}).status_code == 302
    problem.refresh_from_db()
    assert (problem.status, problem.fix) == (ProblemStatus.FIXED, "升级固件。")


def test_problem_pages_are_refused_to_customers_with_nothing_changed(client, as_customer, customer_user):
    ticket = TicketFactory(customer=customer_user.customer)
    problem = ProblemFactory(title="原题")
    gets = [
        reverse("problem_list"),
        reverse("problem_create"),
        problem.get_absolute_url(),
        reverse("problem_edit", args=[problem.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404
    posts = [
        (reverse("problem_create"), {"title": "新问题"}),
        (reverse("problem_edit", args=[problem.pk]), {"title": "改", "version": 1}),
        (reverse("problem_status", args=[problem.pk]), {"status": "closed", "version": 1}),
        (reverse("problem_link", args=[problem.pk]), {"number": ticket.number}),
        (reverse("ticket_problem_link", args=[ticket.pk]), {"problem": problem.reference}),
        (reverse("problem_unlink", args=[problem.pk, ticket.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404
    problem.refresh_from_db()
    assert (problem.title, problem.status, problem.version) == ("原题", ProblemStatus.OPEN, 1)
    assert Problem.objects.count() == 1 and not ProblemIncident.objects.exists() and not ticket.events.exists()


def test_readers_see_problems_but_cannot_change_them(client, dispatcher):
    client.force_login(dispatcher)
    problem = ProblemFactory()
    ticket = TicketFactory()
    assert client.get(reverse("problem_list")).status_code == 200
    page = client.get(problem.get_absolute_url())
    assert page.status_code == 200 and page.context["status_form"] is None and page.context["link_form"] is None
    assert client.post(reverse("problem_link", args=[problem.pk]), {"number": ticket.number}).status_code == 404
    assert not ProblemIncident.objects.exists()


def test_the_problem_list_filters(client, as_engineer):
    product = ProductFactory()
    ProblemFactory(title="控制器死机", status=ProblemStatus.OPEN, products=[product])
    ProblemFactory(title="风扇噪音", status=ProblemStatus.KNOWN_ERROR)
    ProblemFactory(title="固件缺陷", status=ProblemStatus.FIXED, fix="升级")

    def titles(query):
        return sorted(problem.title for problem in client.get(reverse("problem_list"), query).context["page"]["rows"])

    assert titles({}) == ["固件缺陷", "控制器死机", "风扇噪音"]
    assert titles({"status": "active"}) == ["控制器死机", "风扇噪音"]
    assert titles({"status": "fixed"}) == ["固件缺陷"]
    assert titles({"q": "风扇"}) == ["风扇噪音"]
    assert titles({"product": product.pk}) == ["控制器死机"]


# session, user, Django's two permission lookups, the page of problems with owners and incident counts, the unread
# bell, and the product filter's select (counted, then read)
PROBLEM_LIST_QUERIES = 8


def test_the_problem_list_reads_a_fixed_number_of_queries(client, as_engineer, django_assert_num_queries):
    for count in (1, 5):
        for _ in range(count):
            problem = ProblemFactory(owner=as_engineer, products=[ProductFactory()])
            problem_link_incident(actor=as_engineer, problem=problem, ticket=TicketFactory())
        with django_assert_num_queries(PROBLEM_LIST_QUERIES):
            response = client.get(reverse("problem_list"))
    assert [problem.incident_count for problem in response.context["page"]["rows"]] == [1] * 6


def test_the_ticket_card_costs_the_same_for_any_number_of_articles_and_problems(client, as_engineer, solved_ticket):
    storage = solved_ticket.products[0]
    url = solved_ticket.get_absolute_url()
    counts = []
    for _ in range(2):
        ArticleFactory(title="控制器固件升级", products=[storage])
        ArticleFactory(title="存储离线", products=[storage])
        problem_link_incident(actor=as_engineer, problem=ProblemFactory(products=[storage]), ticket=solved_ticket)
        ProblemFactory(products=[storage])
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        counts.append(len(captured.captured_queries))
    assert page.count('data-testid="suggested-article"') == 4
    assert page.count('data-testid="ticket-problem"') == 2
    assert counts[0] == counts[1]
