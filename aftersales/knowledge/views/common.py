"""What the knowledge pages share: who may open them."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from aftersales.knowledge.rules import may_manage_problems, may_read_problems, may_write_articles


def _only_for(rule):
    def decorator(view):
        @login_required
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not rule(request.user):
                raise Http404  # as for a ticket of another customer: the page does not exist
            return view(request, *args, **kwargs)

        return checked

    return decorator


writer_page = _only_for(may_write_articles)
problem_reader_page = _only_for(may_read_problems)
problem_manager_page = _only_for(may_manage_problems)


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
