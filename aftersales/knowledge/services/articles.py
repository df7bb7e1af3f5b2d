"""Writing, publishing and rating knowledge-base articles."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.assets.models import Product
from aftersales.core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    validation_failed_from,
)
from aftersales.core.versioning import locked_for_update, save_new_version
from aftersales.knowledge.choices import ArticleStatus
from aftersales.knowledge.models import Article, ArticleFeedback
from aftersales.knowledge.rules import may_write_articles
from aftersales.tickets.choices import Status
from aftersales.tickets.models import Ticket

# What an editor may change; the status moves only through publish and withdraw.
ARTICLE_FIELDS = ("title", "symptom", "cause", "solution", "visible_to_customers")
# A ticket has an answer worth writing down once it is resolved (and it stays so once confirmed or closed).
ANSWERED_STATUSES = frozenset({Status.RESOLVED, Status.CONFIRMED, Status.CLOSED, Status.ARCHIVED})


def _require_writer(actor) -> None:
    if not may_write_articles(actor):
        raise PermissionDenied()


def _clean(article: Article) -> None:
    for name in ("title", "symptom", "cause", "solution"):
        setattr(article, name, getattr(article, name).strip())
    try:
        article.full_clean(exclude=["created_by", "source_ticket"])
    except ValidationError as error:
        raise validation_failed_from(error) from error


def _save_history(article: Article, actor, fields: list[str] | None) -> None:
    article._history_user = actor
    if fields is None:
        article.save()
    else:
        save_new_version(article, fields)


@transaction.atomic
def article_create(
    *,
    actor,
    title: str,
    symptom: str = "",
    cause: str = "",
    solution: str = "",
    products: Iterable[Product] = (),
    visible_to_customers: bool = False,
    source_ticket: Ticket | None = None,
) -> Article:
    """A new article, always a draft: publishing is its own step."""
    _require_writer(actor)
    article = Article(
        title=title,
        symptom=symptom,
        cause=cause,
        solution=solution,
        visible_to_customers=visible_to_customers,
        source_ticket=source_ticket,
        created_by=actor,
        status=ArticleStatus.DRAFT,
    )
    _clean(article)
    _save_history(article, actor, None)
    article.products.set(list(products))
    return article


@transaction.atomic
def article_update(*, actor, article: Article, version: int | None, products=None, **changes) -> Article:
    """Correct an article's text, its products or who may read it; a stale version is a conflict."""
    _require_writer(actor)
    unknown = set(changes) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValidationFailed(detail={name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    article = locked_for_update(article, version)
    before = {name: getattr(article, name) for name in changes}
    for name, value in changes.items():
        setattr(article, name, value)
    _clean(article)
    changed = [name for name in changes if before[name] != getattr(article, name)]
    products_changed = False
    if products is not None:
        wanted = {product.pk for product in products}
        products_changed = wanted != set(article.products.values_list("pk", flat=True))
    if not changed and not products_changed:
        return article
    article._history_user = actor
    if products_changed:
        article.products.set(list(products))
    # A version step even when only the products changed, so a second editor's stale form is refused.
    _save_history(article, actor, changed)
    return article


@transaction.atomic
def article_publish(*, actor, article: Article, version: int | None = None) -> Article:
    _require_writer(actor)
    article = locked_for_update(article, version)
    if article.status == ArticleStatus.PUBLISHED:
        raise InvalidTransition(_("The article is already published."))
    if not article.solution.strip():
        raise ValidationFailed(detail={"solution": [_("An article needs a solution before it is published.")]})
    article.status = ArticleStatus.PUBLISHED
    article.published_at = timezone.now()
    _save_history(article, actor, ["status", "published_at"])
    return article


@transaction.atomic
def article_withdraw(*, actor, article: Article, version: int | None = None) -> Article:
    """Back to draft: nobody but staff reads it until it is published again."""
    _require_writer(actor)
    article = locked_for_update(article, version)
    if article.status != ArticleStatus.PUBLISHED:
        raise InvalidTransition(_("Only a published article can be withdrawn."))
    article.status = ArticleStatus.DRAFT
    _save_history(article, actor, ["status"])
    return article


def ticket_products(ticket: Ticket) -> list[Product]:
    return list(Product.objects.filter(assets__tickets=ticket).distinct().order_by("pk"))


@transaction.atomic
def article_from_ticket(*, actor, ticket: Ticket) -> Article:
    """A draft written from a solved ticket: its title, description as the symptom, root cause, resolution,
    and the products of its assets. Asked twice, it opens the same unpublished draft instead of a second one."""
    _require_writer(actor)
    if not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise NotFound()
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status not in ANSWERED_STATUSES:
        raise InvalidTransition(_("Only a resolved or closed ticket has an answer to write down."))
    existing = Article.objects.filter(source_ticket=ticket, status=ArticleStatus.DRAFT).order_by("pk").first()
    if existing is not None:
        return existing
    return article_create(
        actor=actor,
        title=ticket.title,
        symptom=ticket.description,
        cause=ticket.root_cause,
        solution=ticket.resolution,
        products=ticket_products(ticket),
        source_ticket=ticket,
    )


@transaction.atomic
def article_feedback(*, actor, article: Article, helped: bool) -> ArticleFeedback:
    """ "This helped" or "this did not help": one vote per reader and article; voting again changes the vote."""
    if not Article.objects.visible_to(actor).filter(pk=article.pk).exists():
        raise NotFound()
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status != ArticleStatus.PUBLISHED:
        raise InvalidTransition(_("Only a published article can be rated."))
    vote, _created = ArticleFeedback.objects.update_or_create(
        article=article, user=actor, defaults={"helped": bool(helped)}
    )
    counts = ArticleFeedback.objects.filter(article=article).aggregate(
        yes=Count("pk", filter=Q(helped=True)), no=Count("pk", filter=Q(helped=False))
    )
    # A plain UPDATE: the counts are not part of the article's edit history.
    Article.objects.filter(pk=article.pk).update(helped_count=counts["yes"], not_helped_count=counts["no"])
    return vote
