"""The notifications page, marking read, and the preference page. Users only ever see their own."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import DomainError
from aftersales.core.views import add_domain_error
from aftersales.notifications.forms import PreferenceForm
from aftersales.notifications.selectors import notification_list, preference_of
from aftersales.notifications.services import notification_mark_read, notifications_mark_all_read, preference_update

PAGE_SIZE = 20


@login_required
def notification_list_view(request):
    page = Paginator(notification_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_open_view(request, pk: int):
    """Mark one read and follow its link (someone else's id is a 404, raised by the service as NotFound)."""
    notification = notification_mark_read(user=request.user, notification_id=pk)
    return redirect(_safe_link(request, notification.url))


@login_required
@require_POST
def notification_read_all_view(request):
    notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notification_list")


@login_required
def preference_view(request):
    preference = preference_of(user=request.user)
    form = PreferenceForm.for_preference(preference, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            preference_update(user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("notification_preferences")
    return render(request, "notifications/preferences.html", {"form": form})


def _safe_link(request, url: str) -> str:
    """The notification's link if it points at this site, else the notifications page (no open redirect)."""
    hosts = {request.get_host(), urlsplit(getattr(settings, "AFTERSALES_BASE_URL", "")).netloc} - {""}
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=hosts, require_https=request.is_secure()):
        return url
    return reverse("notification_list")
