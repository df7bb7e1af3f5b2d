"""KPI pages: the table per engineer and per team for a period, one engineer's page, and the table's downloads.

Managers, quality controllers and administrators read everyone's figures; an engineer or expert reads only
their own (the table shows their row alone); to anybody else, customers above all, the pages do not exist.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_safe

from aftersales.accounts.models import User
from aftersales.accounts.roles import Role
from aftersales.core.forms import as_id
from aftersales.reports.kpis import export
from aftersales.reports.kpis.access import may_read_kpis_of, reads_every_kpi, reads_own_kpi
from aftersales.reports.kpis.columns import NAME, columns_for, sorted_rows, valid_sort
from aftersales.reports.kpis.figures import kpi_table
from aftersales.reports.kpis.forms import PeriodForm
from aftersales.reports.kpis.tickets import SHOWN, handled_tickets
from aftersales.reports.periods import Period
from aftersales.sla.choices import Clock
from aftersales.tickets.views.sla_board import describe_duration


def kpi_page(view):
    """Signed in, reading only, and a reader of KPIs (everyone's or their own); otherwise not found."""

    @wraps(view)
    @login_required
    @require_safe
    def checked(request, *args, **kwargs):
        if not (reads_every_kpi(request.user) or reads_own_kpi(request.user)):
            raise Http404
        return view(request, *args, **kwargs)

    return checked


def _own_scope(user) -> User | None:
    """The engineer whose row alone the reader sees; None for a reader of everyone's."""
    return None if reads_every_kpi(user) else user


def _headers(columns, sort: str) -> list[dict]:
    """Each column's heading: the sort a click asks for (figures largest first, then the other way) and
    aria-sort for the column sorted now."""
    headers = []
    for key, label, essential in [
        (NAME, "", True),
        *((column.key, column.label, column.essential) for column in columns),
    ]:
        ascending_first = key == NAME
        if sort == key:
            following, aria = f"-{key}", "ascending"
        elif sort == f"-{key}":
            following, aria = key, "descending"
        else:
            following, aria = (key if ascending_first else f"-{key}"), ""
        headers.append({"key": key, "label": label, "sort": following, "aria_sort": aria, "essential": essential})
    return headers


def _duration(duration) -> str:
    return "—" if duration is None else describe_duration(duration)


def _cells(row, columns) -> list[tuple]:
    return [(column, column.text(row)) for column in columns]


def _links(period: Period, **extra) -> dict[str, str]:
    """Query strings for the previous and next periods and for the downloads, keeping the sort."""
    keep = {name: value for name, value in extra.items() if value}
    return {
        "previous": "?" + urlencode({**period.previous().query, **keep}),
        "next": "?" + urlencode({**period.following().query, **keep}),
        "csv": "?" + urlencode({**period.query, "format": "csv"}),
        "xlsx": "?" + urlencode({**period.query, "format": "xlsx"}),
    }


@kpi_page
def kpi_table_view(request):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "reports/kpi_table.html", {"form": form, "table": None}, status=400)
    period = form.chosen
    table = kpi_table(user=request.user, period=period, engineer=_own_scope(request.user))
    columns = columns_for(table)
    sort = valid_sort(request.GET.get("sort"), columns)
    context = {
        "form": form,
        "table": table,
        "columns": columns,
        "sort": sort,
        "name_sort": NAME,
        "headers": _headers(columns, sort),
        "period_query": urlencode(period.query),
        "engineers": [(row, _cells(row, columns)) for row in sorted_rows(table.engineers, columns, sort)],
        "teams": [(row, _cells(row, columns)) for row in sorted_rows(table.teams, columns, sort)],
        "total": _cells(table.total, columns) if table.total else None,
        "links": _links(period, sort=sort if sort != NAME else ""),
    }
    return render(request, "reports/kpi_table.html", context)


@kpi_page
def kpi_export(request):
    """The table as CSV (`format=csv`) or Excel (`format=xlsx`); the page with its errors when the period is invalid."""
    form = PeriodForm(request.GET)
    kind = request.GET.get("format")
    if kind not in ("csv", "xlsx"):
        raise Http404
    if not form.is_valid():
        return render(request, "reports/kpi_table.html", {"form": form, "table": None}, status=400)
    table = kpi_table(user=request.user, period=form.chosen, engineer=_own_scope(request.user))
    if kind == "csv":
        response = HttpResponse(export.as_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(export.as_xlsx(table), content_type=export.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="kpis-{table.period.kind}-{table.period.slug}.{kind}"'
    return response


@kpi_page
def kpi_engineer_view(request, user_id: int):
    """One engineer's figures for the period and the tickets behind them."""
    engineer = get_object_or_404(User.objects.exclude(role=Role.CUSTOMER), pk=as_id(user_id) or 0)
    if not may_read_kpis_of(request.user, engineer):
        raise Http404
    form = PeriodForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "engineer": engineer, "row": None}
        return render(request, "reports/kpi_engineer.html", context, status=400)
    period = form.chosen
    table = kpi_table(user=request.user, period=period, engineer=engineer)
    tickets = handled_tickets(user=request.user, period=period, engineer=engineer)
    row = table.engineers[0]
    context = {
        "form": form,
        "engineer": engineer,
        "table": table,
        "row": row,
        "figures": _cells(row, columns_for(table)),
        "clocks": [(Clock(clock).label, row.clock(clock)) for clock in table.clocks],
        "tickets": [
            (ticket, _duration(ticket.response_time), _duration(ticket.resolution_time)) for ticket in tickets[:SHOWN]
        ],
        "more_tickets": len(tickets) > SHOWN,
        "period_query": urlencode(period.query),
        "links": _links(period),
    }
    return render(request, "reports/kpi_engineer.html", context)


urlpatterns = [
    path("reports/kpis/", kpi_table_view, name="kpi_table"),
    path("reports/kpis/download/", kpi_export, name="kpi_export"),
    path("reports/kpis/engineers/<int:user_id>/", kpi_engineer_view, name="kpi_engineer"),
]
