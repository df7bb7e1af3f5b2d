"""Articles in the search box: by title, symptom, cause and solution.

An article belongs to no customer; customers find it only once it is published and meant for them
(staff find drafts too). Problems are not indexed: they are internal and have their own list.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.knowledge.choices import ArticleStatus
from aftersales.knowledge.models import Article
from aftersales.search.registry import register


def article_text(article: Article) -> list[str]:
    return [article.title, article.symptom, article.cause, article.solution]


register(
    "article",
    Article,
    label=_("Knowledge articles"),
    position=60,
    text_of=article_text,
    title_of=lambda article: article.title,
    ordered_at_of=lambda article: article.updated_at,
    customer_id_of=lambda article: None,
    shared=True,
    customer_visible_of=lambda article: article.status == ArticleStatus.PUBLISHED and article.visible_to_customers,
    url_of=lambda article_id, customer_id: reverse("article_detail", args=[article_id]),
    fields=["title", "symptom", "cause", "solution", "status", "visible_to_customers", "updated_at"],
)
