"""Reads of articles and problems, always scoped to what the user may see."""

import re

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from aftersales.assets.models import Product
from aftersales.knowledge.choices import ACTIVE_PROBLEM_STATUSES
from aftersales.knowledge.models import Article, ArticleFeedback, Problem, ProblemIncident
from aftersales.tickets.models import Ticket

SUGGESTIONS = 5
SEARCH_MAX_LENGTH = 100
# Bigrams of a long title; more would make the ranking query long without ranking better.
MAX_TERMS = 24
ARTICLE_TEXT_FIELDS = ("title", "symptom", "cause", "solution")
PROBLEM_LONG_TEXT = ("description", "root_cause", "workaround", "fix")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[a-z0-9][a-z0-9._-]*[a-z0-9]", re.IGNORECASE)


def _search_module():
    """The search engine's matcher when it is installed (ranked, indexed); otherwise a substring match."""
    try:
        from aftersales.search.query import match_ids
    except ImportError:
        return None
    return match_ids


def text_filter(q: str, fields=ARTICLE_TEXT_FIELDS) -> Q:
    """Every space-separated part of `q` somewhere in `fields` (Chinese matches as a substring)."""
    condition = Q()
    for part in q.split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": part})
        condition &= any_field
    return condition


def article_search(queryset: QuerySet[Article], q: str) -> QuerySet[Article]:
    q = q.strip()
    if not q:
        return queryset
    match_ids = _search_module()
    if match_ids is not None:
        return queryset.filter(pk__in=list(match_ids("article", q)))
    return queryset.filter(text_filter(q))


def article_list(*, user, q: str = "", product=None, status: str = "") -> QuerySet[Article]:
    """The knowledge base's list: the columns it shows, with products in one extra query."""
    articles = (
        Article.objects.visible_to(user)
        .select_related("created_by")
        .prefetch_related(Prefetch("products", queryset=Product.objects.select_related("vendor")))
        .defer("cause", "solution")
    )
    articles = article_search(articles, q)
    if product is not None:
        articles = articles.filter(products=product)
    if status:
        articles = articles.filter(status=status)
    return articles.order_by("-updated_at", "-id")


def article_products(*, user) -> QuerySet[Product]:
    """Products that have an article this user may read: the list's product filter."""
    return (
        Product.objects.filter(pk__in=Article.objects.visible_to(user).values("products"))
        .select_related("vendor")
        .order_by("vendor__name", "name", "model")
    )


def article_detail(*, user, pk: int) -> Article:
    """Raises Article.DoesNotExist for what the user may not read."""
    return (
        Article.objects.visible_to(user)
        .select_related("created_by", "source_ticket")
        .prefetch_related(Prefetch("products", queryset=Product.objects.select_related("vendor")))
        .get(pk=pk)
    )


def my_vote(*, user, article: Article) -> bool | None:
    vote = ArticleFeedback.objects.filter(article=article, user=user).values_list("helped", flat=True).first()
    return vote


def title_terms(title: str) -> list[str]:
    """The words of a title to match articles by: Latin words and numbers whole, Chinese as overlapping
    two-character pieces (Chinese has no spaces, and bigrams are what a substring match can find)."""
    terms: list[str] = []
    for run in CJK_RUN.findall(title):
        if len(run) == 1:
            continue
        terms.extend(run[index : index + 2] for index in range(len(run) - 1))
    terms.extend(word.lower() for word in WORD.findall(title))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_TERMS]


def suggested_articles(*, user, ticket: Ticket, limit: int = SUGGESTIONS) -> list[Article]:
    """Published articles for a ticket: those about its assets' products first, then by how many of the
    title's words they contain, then by how often they helped. At most `limit`; only what `user` may read."""
    # The ticket page has its assets prefetched: no query for them here.
    product_ids = sorted({asset.product_id for asset in ticket.assets.all()})
    terms = title_terms(ticket.title)
    if not product_ids and not terms:
        return []
    product_match = Exists(
        Article.products.through.objects.filter(article_id=OuterRef("pk"), product_id__in=product_ids)
    )
    hits = [
        Case(When(Q(title__icontains=term) | Q(symptom__icontains=term), then=Value(1)), default=Value(0))
        for term in terms
    ]
    word_hits = ExpressionWrapper(sum(hits[1:], hits[0]), output_field=IntegerField()) if hits else Value(0)
    articles = (
        Article.objects.visible_to(user)
        .published()
        .annotate(
            product_match=Case(When(product_match, then=Value(1)), default=Value(0), output_field=IntegerField()),
            word_hits=word_hits,
        )
        .filter(Q(product_match=1) | Q(word_hits__gt=0))
        .only("id", "title", "helped_count", "not_helped_count", "visible_to_customers")
        .order_by("-product_match", "-word_hits", "-helped_count", "-id")
    )
    return list(articles[:limit])


def problem_list(*, user, q: str = "", status: str = "", product=None) -> QuerySet[Problem]:
    problems = Problem.objects.visible_to(user).select_related("owner").defer(*PROBLEM_LONG_TEXT)
    if q.strip():
        problems = problems.filter(text_filter(q, ("title", *PROBLEM_LONG_TEXT)))
    if status == "active":
        problems = problems.filter(status__in=ACTIVE_PROBLEM_STATUSES)
    elif status:
        problems = problems.filter(status=status)
    if product is not None:
        problems = problems.filter(products=product)
    return problems.annotate(incident_count=Count("links")).order_by("-updated_at", "-id")


def problem_products(*, user) -> QuerySet[Product]:
    return (
        Product.objects.filter(pk__in=Problem.objects.visible_to(user).values("products"))
        .select_related("vendor")
        .order_by("vendor__name", "name", "model")
    )


def problem_detail(*, user, pk: int) -> Problem:
    """Raises Problem.DoesNotExist for what the user may not read."""
    links = ProblemIncident.objects.select_related("ticket__customer", "linked_by").order_by("-linked_at", "-id")
    return (
        Problem.objects.visible_to(user)
        .select_related("owner", "created_by")
        .prefetch_related(
            Prefetch("products", queryset=Product.objects.select_related("vendor")),
            Prefetch("links", queryset=links),
        )
        .get(pk=pk)
    )


def ticket_problems_and_choices(*, user, ticket: Ticket, choices: int = 0) -> tuple[list[Problem], list[Problem]]:
    """The problems a ticket is linked to, newest link first, and up to `choices` active problems to offer for
    linking it (those about its products first, then the newest), in one query: the linked problems rank first,
    and the rest are cut `choices` after them. Only what `user` may see; the ticket's assets are read as the
    ticket page prefetched them."""
    problems = (
        Problem.objects.visible_to(user)
        .annotate(link=FilteredRelation("links", condition=Q(links__ticket=ticket)), link_id=F("link__id"))
        .only("id", "title", "status")
    )
    linked = Q(link__isnull=False)
    newest_link_first = [F("link__linked_at").desc(nulls_last=True), F("link__id").desc(nulls_last=True)]
    if not choices:
        return list(problems.filter(linked).order_by(*newest_link_first)), []
    product_ids = sorted({asset.product_id for asset in ticket.assets.all()})
    about = Exists(Problem.products.through.objects.filter(problem_id=OuterRef("pk"), product_id__in=product_ids))
    ranked = (
        problems.filter(linked | Q(status__in=ACTIVE_PROBLEM_STATUSES))
        .annotate(
            place=Window(
                RowNumber(), order_by=[*newest_link_first, about.desc(), F("updated_at").desc(), F("id").desc()]
            ),
            linked_count=Window(Count("link__id")),
        )
        .filter(place__lte=F("linked_count") + choices)
        .order_by("place")
    )
    rows = list(ranked)
    return [row for row in rows if row.link_id is not None], [row for row in rows if row.link_id is None]
