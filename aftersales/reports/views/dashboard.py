"""The manager's dashboard: today's open tickets with links into the queue and the SLA board, and trends.

Each trend is drawn by ECharts from JSON written with json_script (`static/js/reports-charts.js`), with the
same figures in a table for screen readers, for printing and for browsers without script.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from aftersales.core.time import local_date
from aftersales.reports.kpis.access import reads_every_kpi
from aftersales.reports.kpis.dashboard import daily_flow, monthly_satisfaction, monthly_sla, today_picture
from aftersales.tickets.choices import Priority, SlaHealth, Status


def dashboard_page(view):
    """Managers, quality controllers and administrators; to anybody else the page does not exist."""

    @wraps(view)
    @login_required
    @require_safe
    def checked(request, *args, **kwargs):
        if not reads_every_kpi(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return checked


def _link(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def _links(picture) -> dict:
    """Where each of today's figures leads: the queue or the SLA board, filtered to those tickets."""
    return {
        "open": _link("ticket_list", status="open"),
        "at_risk": _link("sla_board", health=SlaHealth.WARNING),
        "breached": _link("sla_board", health=SlaHealth.BREACHED),
        "new": _link("ticket_list", status=Status.NEW),
        "critical": _link("ticket_list", status="open", priority=Priority.P1),
        "tiers": [(label, count, _link("sla_board", tier=tier)) for tier, label, count in picture.by_tier],
    }


def _charts(flow, sla, satisfaction) -> dict:
    """What reports-charts.js draws (its contract is in that file)."""
    return {
        "flow": {
            "kind": "bar",
            "categories": [day.day.strftime("%m-%d") for day in flow],
            "series": [
                {"name": pgettext("tickets counted", "Received"), "data": [day.received for day in flow]},
                {
                    "name": pgettext("tickets counted", "Resolved"),
                    "data": [day.resolved for day in flow],
                    "kind": "line",
                },
            ],
            "min": 0,
            "integers": True,
        },
        "sla": {
            "kind": "line",
            "categories": [month.month.strftime("%Y-%m") for month in sla],
            "series": [{"name": _("Every SLA target met"), "data": [month.percent_met for month in sla]}],
            "unit": "%",
            "min": 0,
            "max": 100,
        },
        "satisfaction": {
            "kind": "line",
            "categories": [month.month.strftime("%Y-%m") for month in satisfaction],
            "series": [{"name": _("Satisfaction (1–5)"), "data": [month.mean for month in satisfaction]}],
            "min": 1,
            "max": 5,
        },
    }


@dashboard_page
def dashboard_view(request):
    today = local_date()
    picture = today_picture(user=request.user)
    flow = daily_flow(user=request.user, today=today)
    sla = monthly_sla(user=request.user, today=today)
    satisfaction = monthly_satisfaction(user=request.user, today=today)
    context = {
        "today": today,
        "picture": picture,
        "links": _links(picture),
        "flow": flow,
        "sla": sla,
        "satisfaction": satisfaction,
        "charts": _charts(flow, sla, satisfaction),
    }
    return render(request, "reports/dashboard.html", context)


urlpatterns = [path("reports/dashboard/", dashboard_view, name="reports_dashboard")]
