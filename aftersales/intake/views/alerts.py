"""Recent monitoring alerts with their tickets, for staff."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from aftersales.intake.forms import AlertFilter
from aftersales.intake.models import Alert
from aftersales.intake.views.common import staff_reader
from aftersales.tickets.views.queue import page_without_count


@staff_reader
@require_safe
def alert_list(request):
    query = AlertFilter(request.GET)
    alerts = Alert.objects.visible_to(request.user).select_related("source", "asset__product__vendor", "ticket")
    if query.is_valid():
        if source := query.cleaned_data.get("source"):
            alerts = alerts.filter(source=source)
        if status := query.cleaned_data.get("status"):
            alerts = alerts.filter(status=status)
    page = page_without_count(alerts.order_by("-last_received_at", "-id"), request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "intake/alert_list.html", {"query": query, "page": page, "filters": params.urlencode()})
