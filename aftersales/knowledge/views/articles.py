"""The knowledge base's pages: the list with search and filters, an article, the editor, and the ticket's
"write an article from this ticket"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from aftersales.core.errors import DomainError
from aftersales.core.views import add_domain_error, flash_domain_error, flash_form_errors
from aftersales.knowledge import selectors
from aftersales.knowledge.forms import ArticleFilterForm, ArticleForm, FeedbackForm, VersionForm
from aftersales.knowledge.models import Article
from aftersales.knowledge.rules import may_write_articles
from aftersales.knowledge.services import (
    ARTICLE_FIELDS,
    article_create,
    article_feedback,
    article_from_ticket,
    article_publish,
    article_update,
    article_withdraw,
)
from aftersales.knowledge.views.common import query_without_page, writer_page
from aftersales.tickets.models import Ticket
from aftersales.tickets.views.queue import page_without_count


@login_required
@require_safe
def article_list(request):
    user = request.user
    chosen = ArticleFilterForm(request.GET, user=user, product_queryset=selectors.article_products(user=user))
    filters = chosen.cleaned_data if chosen.is_valid() else {}
    articles = selectors.article_list(
        user=user, q=filters.get("q", ""), product=filters.get("product"), status=filters.get("status", "")
    )
    context = {
        "form": chosen,
        "page": page_without_count(articles, request.GET.get("page")),
        "query": query_without_page(request),
        "filtered": any(filters.values()),
        "may_write": may_write_articles(user),
    }
    return render(request, "knowledge/article_list.html", context)


def _visible_article(request, pk: int) -> Article:
    try:
        return selectors.article_detail(user=request.user, pk=pk)
    except Article.DoesNotExist as missing:
        raise Http404 from missing


@login_required
@require_safe
def article_detail(request, pk: int):
    article = _visible_article(request, pk)
    user = request.user
    source = article.source_ticket
    context = {
        "article": article,
        "vote": selectors.my_vote(user=user, article=article),
        "may_write": may_write_articles(user),
        # The ticket it was written from belongs to one customer: link it only for whoever may open it.
        "source_ticket": source if source and Ticket.objects.visible_to(user).filter(pk=source.pk).exists() else None,
    }
    return render(request, "knowledge/article_detail.html", context)


def _products_and_fields(form) -> tuple[list, dict]:
    data = form.cleaned_data
    return list(data["products"]), {name: data[name] for name in ARTICLE_FIELDS}


@writer_page
def article_create_view(request):
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        products, fields = _products_and_fields(form)
        try:
            article = article_create(actor=request.user, products=products, **fields)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The article is saved as a draft."))
            return redirect(article)
    return render(request, "knowledge/article_form.html", {"form": form, "article": None})


@writer_page
def article_edit(request, pk: int):
    article = _visible_article(request, pk)
    initial = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    initial |= {"products": [product.pk for product in article.products.all()], "version": article.version}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        products, fields = _products_and_fields(form)
        try:
            article_update(
                actor=request.user, article=article, version=form.cleaned_data["version"], products=products, **fields
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(article)
    return render(request, "knowledge/article_form.html", {"form": form, "article": article})


def _act_on_article(request, pk: int, service, success: str):
    article = _visible_article(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(article)
    try:
        service(actor=request.user, article=article, version=form.cleaned_data["version"])
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, success)
    return redirect(article)


@writer_page
@require_POST
def article_publish_view(request, pk: int):
    return _act_on_article(request, pk, article_publish, _("The article is published."))


@writer_page
@require_POST
def article_withdraw_view(request, pk: int):
    return _act_on_article(request, pk, article_withdraw, _("The article is withdrawn: it is a draft again."))


@login_required
@require_POST
def article_feedback_view(request, pk: int):
    article = _visible_article(request, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(article)
    try:
        article_feedback(actor=request.user, article=article, helped=form.cleaned_data["helped"])
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect(article)


@writer_page
@require_POST
def ticket_article_view(request, pk: int):
    """One click on a solved ticket: a draft prefilled from it, opened in the editor."""
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)
    try:
        article = article_from_ticket(actor=request.user, ticket=ticket)
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect(ticket)
    messages.success(request, _("A draft is written from the ticket. Check it, then publish it."))
    return redirect("article_edit", pk=article.pk)
