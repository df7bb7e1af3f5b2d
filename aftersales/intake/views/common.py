"""Who may open the intake pages: staff with a permission; to anyone else they do not exist."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django_htmx.http import HttpResponseClientRefresh

from aftersales.accounts import roles
from aftersales.core.forms import as_id


def staff_with(permission: str):
    """A page for staff holding `permission`. A page left open past its session asks the browser to reload
    (and so to sign in) rather than swapping the login page into a polled panel."""

    def decorate(view):
        @login_required
        def allowed(request, *args, **kwargs):
            if not (request.user.is_staff_member and request.user.has_perm(permission)):
                raise Http404
            return view(request, *args, **kwargs)

        @wraps(view)
        def checked(request, *args, **kwargs):
            if request.htmx and not request.user.is_authenticated:
                return HttpResponseClientRefresh()
            return allowed(request, *args, **kwargs)

        return checked

    return decorate


staff_reader = staff_with(roles.VIEW_INTERNAL)
agent_only = staff_with(roles.LOG)


def ids_from(text: str) -> list[int]:
    """Row ids from a comma-separated query value, ignoring anything that is not one."""
    return sorted({number for part in (text or "").split(",")[:50] if (number := as_id(part))})
