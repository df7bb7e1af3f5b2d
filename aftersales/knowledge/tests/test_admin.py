"""The admin shows articles, votes and problems with their incidents and history, and changes none of them."""

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.knowledge.models import Article
from aftersales.knowledge.services import article_feedback, problem_link_incident
from aftersales.knowledge.tests.factories import ArticleFactory, ProblemFactory
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_the_admin_pages_open_and_change_nothing(client, engineer):
    article = ArticleFactory(title="原标题")
    article_feedback(actor=engineer, article=article, helped=True)
    problem = ProblemFactory()
    problem_link_incident(actor=engineer, problem=problem, ticket=TicketFactory())
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    for name, args in [
        ("admin:knowledge_article_changelist", []),
        ("admin:knowledge_article_change", [article.pk]),
        ("admin:knowledge_article_history", [article.pk]),
        ("admin:knowledge_articlefeedback_changelist", []),
        ("admin:knowledge_problem_changelist", []),
        ("admin:knowledge_problem_change", [problem.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    client.post(reverse("admin:knowledge_article_change", args=[article.pk]), {"title": "改"})
    assert Article.objects.get().title == "原标题"
