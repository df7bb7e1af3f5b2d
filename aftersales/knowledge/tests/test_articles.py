"""Articles: written from a solved ticket, published for customers or kept for staff, rated once per reader."""

import pytest
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.knowledge.choices import ArticleStatus
from aftersales.knowledge.models import Article, ArticleFeedback
from aftersales.knowledge.services import (
    article_create,
    article_feedback,
    article_from_ticket,
    article_publish,
    article_update,
    article_withdraw,
)
from aftersales.knowledge.tests.factories import ArticleFactory
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_an_article_from_a_solved_ticket_is_a_draft_prefilled_from_it(engineer, solved_ticket):
    article = article_from_ticket(actor=engineer, ticket=solved_ticket)

    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert article.visible_to_customers is False
    assert article.title == "存储控制器离线"
    assert article.symptom == "存储A控制器指示灯红色，业务中断。"
    assert article.cause == "控制器固件缺陷导致死机。"
    assert article.solution == "升级控制器固件至 V500R007C60SPC300 并重启。"
    assert sorted(product.pk for product in article.products.all()) == sorted(p.pk for p in solved_ticket.products)
    assert article.source_ticket == solved_ticket
    assert article.created_by == engineer
    assert {row.history_user for row in article.history.all()} == {engineer}
    assert list(
        article.history.latest().products.values_list("product_id", flat=True).order_by("product_id")
    ) == sorted(p.pk for p in solved_ticket.products)
    # a second click opens the same draft instead of writing another
    assert article_from_ticket(actor=engineer, ticket=solved_ticket) == article
    assert Article.objects.count() == 1


def test_a_published_article_does_not_stop_a_new_draft_from_the_same_ticket(engineer, solved_ticket):
    first = article_from_ticket(actor=engineer, ticket=solved_ticket)
    article_publish(actor=engineer, article=first)
    second = article_from_ticket(actor=engineer, ticket=solved_ticket)
    assert second != first and second.status == ArticleStatus.DRAFT


@pytest.mark.parametrize("status", ["new", "in_progress", "pending_customer", "cancelled"])
def test_an_unsolved_ticket_has_no_answer_to_write_down(engineer, status):
    ticket = TicketFactory(status=status, resolution="")
    with pytest.raises(InvalidTransition):
        article_from_ticket(actor=engineer, ticket=ticket)
    assert not Article.objects.exists()


@pytest.mark.parametrize("status", ["confirmed", "closed", "archived"])
def test_confirmed_closed_and_archived_tickets_are_answered_too(engineer, status):
    ticket = TicketFactory(status=status, resolution="更换电源。")
    assert article_from_ticket(actor=engineer, ticket=ticket).solution == "更换电源。"


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.PARTS_KEEPER, Role.ARCHIVIST])
def test_only_those_who_work_or_supervise_write(role, solved_ticket):
    with pytest.raises(PermissionDenied):
        article_from_ticket(actor=UserFactory(role=role), ticket=solved_ticket)
    with pytest.raises(PermissionDenied):
        article_create(actor=UserFactory(role=role), title="标题", solution="办法")
    assert not Article.objects.exists()


def test_a_customer_user_cannot_write(customer_user):
    ticket = TicketFactory(customer=customer_user.customer, status="resolved", resolution="重启")
    with pytest.raises(PermissionDenied):
        article_from_ticket(actor=customer_user, ticket=ticket)
    assert not Article.objects.exists()


def test_visibility_staff_read_all_customers_only_published_articles_meant_for_them(engineer, customer_user):
    for_customers = ArticleFactory(visible_to_customers=True)
    internal = ArticleFactory(visible_to_customers=False)
    draft_for_customers = ArticleFactory(visible_to_customers=True, status=ArticleStatus.DRAFT)

    assert set(Article.objects.visible_to(engineer)) == {for_customers, internal, draft_for_customers}
    assert list(Article.objects.visible_to(customer_user)) == [for_customers]
    inactive = UserFactory(role=Role.ENGINEER, is_active=False)
    assert not Article.objects.visible_to(inactive).exists()


def test_publishing_shows_the_article_to_customers_and_withdrawing_hides_it(engineer, customer_user):
    article = article_create(
        actor=engineer, title="打印机卡纸", symptom="卡纸灯亮", solution="清理搓纸轮。", visible_to_customers=True
    )
    assert not Article.objects.visible_to(customer_user).exists()

    article_publish(actor=engineer, article=article, version=article.version)
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    assert list(Article.objects.visible_to(customer_user)) == [article]

    article_withdraw(actor=engineer, article=article, version=article.version)
    assert not Article.objects.visible_to(customer_user).exists()
    assert [row.status for row in article.history.order_by("history_id")] == ["draft", "published", "draft"]


def test_publishing_needs_a_solution_and_a_fresh_version(engineer):
    article = article_create(actor=engineer, title="待补充")
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        article_publish(actor=engineer, article=article)
    assert refused.value.detail == {"solution": ["An article needs a solution before it is published."]}
    article_update(actor=engineer, article=article, version=1, solution="重装驱动。")
    with pytest.raises(Conflict):
        article_publish(actor=engineer, article=article, version=1)
    article.refresh_from_db()
    assert (article.status, article.version) == (ArticleStatus.DRAFT, 2)
    with pytest.raises(InvalidTransition):
        article_withdraw(actor=engineer, article=article)


def test_an_update_changes_text_and_products_and_refuses_other_fields(engineer, solved_ticket):
    article = article_from_ticket(actor=engineer, ticket=solved_ticket)
    storage = solved_ticket.products[0]
    article_update(actor=engineer, article=article, version=1, title="  存储控制器离线的处理  ", products=[storage])
    article.refresh_from_db()
    assert (article.title, article.version) == ("存储控制器离线的处理", 2)
    assert list(article.products.all()) == [storage]
    # nothing changed: no new version, no history row
    edits = article.history.count()
    article_update(actor=engineer, article=article, version=2, title="存储控制器离线的处理", products=[storage])
    article.refresh_from_db()
    assert article.version == 2 and article.history.count() == edits
    with pytest.raises(ValidationFailed) as refused:
        article_update(actor=engineer, article=article, version=2, status="published")
    assert list(refused.value.detail) == ["status"]
    with pytest.raises(ValidationFailed) as refused:
        article_update(actor=engineer, article=article, version=2, title=" ")
    assert list(refused.value.detail) == ["title"]


def test_feedback_counts_once_per_reader_and_a_vote_can_change(engineer, customer_user):
    article = ArticleFactory(visible_to_customers=True)
    colleague = UserFactory(role=Role.AGENT)
    edits = article.history.count()

    article_feedback(actor=customer_user, article=article, helped=True)
    article_feedback(actor=customer_user, article=article, helped=True)
    article_feedback(actor=colleague, article=article, helped=True)
    article.refresh_from_db()
    assert (article.helped_count, article.not_helped_count) == (2, 0)

    article_feedback(actor=customer_user, article=article, helped=False)
    article.refresh_from_db()
    assert (article.helped_count, article.not_helped_count) == (1, 1)
    assert ArticleFeedback.objects.filter(article=article).count() == 2
    assert article.history.count() == edits  # votes are not edits of the article


def test_feedback_needs_a_published_article_the_reader_may_see(engineer, customer_user):
    internal = ArticleFactory(visible_to_customers=False)
    draft = ArticleFactory(status=ArticleStatus.DRAFT)
    with pytest.raises(NotFound):
        article_feedback(actor=customer_user, article=internal, helped=True)
    with pytest.raises(InvalidTransition):
        article_feedback(actor=engineer, article=draft, helped=True)
    assert not ArticleFeedback.objects.exists()
    internal.refresh_from_db()
    assert internal.helped_count == 0
