"""The internal monthly statistics (staff only): a month's requests by kind, category, product and customer,
the unfinished ones with their owners, and the common problems; printable, and as an Excel file."""

import datetime as dt

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.forms import StyledForm
from aftersales.core.time import local_date
from aftersales.reports.periods import FIRST_DAY, month_of
from aftersales.reports.statistics import UNFINISHED_SHOWN, MonthlyStatistics, monthly_statistics
from aftersales.reports.xlsx import statistics_workbook
from aftersales.tickets.views.sla_board import staff_page
from aftersales.tickets.views.sla_report import last_full_month

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHARTED_CUSTOMERS = 10


class MonthForm(StyledForm):
    month = forms.DateField(
        label=gettext_lazy("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": gettext_lazy("Choose a month, e.g. 2026-10.")},
    )

    def __init__(self, query):
        data = query.copy()
        data.setdefault("month", last_full_month(local_date())[0].strftime("%Y-%m"))
        super().__init__(data)

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > local_date():
            raise forms.ValidationError(_("This month has not begun yet."))
        if month < FIRST_DAY:
            raise forms.ValidationError(_("Choose a month, e.g. 2026-10."))
        return month


def _statistics(request, form: MonthForm) -> MonthlyStatistics | None:
    if not form.is_valid():
        return None
    return monthly_statistics(user=request.user, period=month_of(form.cleaned_data["month"]))


def _bar(shares, name: str) -> dict:
    return {
        "kind": "bar",
        "categories": [s.label for s in shares],
        "series": [{"name": name, "data": [s.count for s in shares]}],
    }


@staff_page
def statistics_page(request):
    form = MonthForm(request.GET)
    stats = _statistics(request, form)
    context = {"form": form, "stats": stats, "unfinished_limit": UNFINISHED_SHOWN}
    if stats is not None:
        tickets = _("Tickets")
        context["charts"] = {
            "kinds": _bar(stats.by_kind, tickets),
            "categories": _bar(stats.by_category, tickets),
            "customers": _bar(stats.by_customer[:CHARTED_CUSTOMERS], tickets),
        }
        context["previous_month"] = (stats.period.start - dt.timedelta(days=1)).strftime("%Y-%m")
        following = stats.period.end + dt.timedelta(days=1)
        context["next_month"] = following.strftime("%Y-%m") if following <= local_date() else ""
    return render(request, "reports/statistics.html", context, status=400 if stats is None else 200)


@staff_page
def statistics_xlsx(request):
    form = MonthForm(request.GET)
    stats = _statistics(request, form)
    if stats is None:
        return render(request, "reports/statistics.html", {"form": form, "stats": None}, status=400)
    response = HttpResponse(statistics_workbook(stats, user=request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="statistics-{stats.period.start:%Y-%m}.xlsx"'
    return response


urlpatterns = [
    path("reports/statistics/", statistics_page, name="monthly_statistics"),
    path("reports/statistics.xlsx", statistics_xlsx, name="monthly_statistics_xlsx"),
]
