"""The search page: every kind's newest hits with a capped count, or one kind page by page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from aftersales.search.query import search, search_kind
from aftersales.search.registry import registrations

HITS_PER_GROUP = 5
PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
LAST_PAGE = 1000


def _page_number(value: str | None) -> int:
    digits = value or ""
    return min(max(int(digits), 1), LAST_PAGE) if digits.isdecimal() and len(digits) <= 4 else 1


@login_required
@require_safe
def search_view(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    kind = request.GET.get("kind", "")
    kinds = {registration.kind: registration for registration in registrations()}
    if kind and kind not in kinds:
        raise Http404
    results = None
    if query and kind:
        results = search_kind(
            request.user, query, kind=kind, page_number=_page_number(request.GET.get("page")), page_size=PAGE_SIZE
        )
    elif query:
        results = search(request.user, query, limit_per_kind=HITS_PER_GROUP)
    context = {"query": query, "kind": kind, "results": results, "kinds": kinds.values()}
    return render(request, "search/results.html", context)
