"""The SLA compliance report for a period, on a page and as CSV files that Excel opens in Chinese."""

import csv
import datetime as dt

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.contracts.models import Contract
from aftersales.core.forms import StyledForm, as_id
from aftersales.core.time import local_date
from aftersales.customers.models import Customer
from aftersales.tickets.sla_report import ComplianceReport, sla_compliance
from aftersales.tickets.views.sla_board import describe_duration, staff_page

# Excel reads a CSV file as the local ANSI code page unless it starts with a byte order mark.
BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet; a customer's name must never run as one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The page lists this many breaches; the CSV file has them all.
BREACHES_SHOWN = 200


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28) + dt.timedelta(days=1)


class ReportForm(StyledForm):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    customer = forms.ModelChoiceField(
        label=gettext_lazy("Customer"),
        queryset=Customer.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    contract = forms.ModelChoiceField(
        label=gettext_lazy("Contract"),
        queryset=Contract.objects.none(),
        required=False,
        empty_label=gettext_lazy("All"),
    )

    def __init__(self, query, *, user):
        """Bound to the query string, with the last full month when it names no period."""
        data = query.copy()
        start, end = last_full_month(local_date())
        data.setdefault("start", start.isoformat())
        data.setdefault("end", end.isoformat())
        for name in ("customer", "contract"):  # an id no row can have (abc, past 64 bits) chooses nothing
            if data.get(name) and as_id(data[name]) is None:
                data[name] = "0"
        super().__init__(data)
        self.fields["customer"].queryset = Customer.objects.visible_to(user).order_by("name")
        self.fields["contract"].queryset = Contract.objects.visible_to(user).order_by("number")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period must be on or after its start."))
        elif start and end and end >= one_year_after(start):
            self.add_error("end", _("The period can be at most one year long."))
        return data


def _report(request, form: ReportForm) -> ComplianceReport | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return sla_compliance(
        user=request.user,
        start=data["start"],
        end=data["end"],
        customer_id=data["customer"].pk if data["customer"] else None,
        contract_id=data["contract"].pk if data["contract"] else None,
    )


@staff_page
def sla_report(request):
    form = ReportForm(request.GET, user=request.user)
    report = _report(request, form)
    context = {"form": form, "report": report, "breach_limit": BREACHES_SHOWN}
    if report is not None:
        context["breaches"] = [
            (breach, describe_duration(breach.overdue)) for breach in report.breaches[:BREACHES_SHOWN]
        ]
    return render(request, "tickets/sla_report.html", context, status=400 if report is None else 200)


@staff_page
def sla_report_csv(request):
    """The summary rows, or with `rows=breaches` the list of breaches; the page with its errors when invalid."""
    form = ReportForm(request.GET, user=request.user)
    report = _report(request, form)
    if report is None:
        return render(request, "tickets/sla_report.html", {"form": form, "report": None}, status=400)
    breaches = request.GET.get("rows") == "breaches"
    name = "sla-breaches" if breaches else "sla-compliance"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{report.start}-{report.end}.csv"'
    response.write(BOM)
    writer = csv.writer(response)
    for line in breach_lines(report) if breaches else summary_lines(report):
        writer.writerow([_cell(value) for value in line])
    return response


def summary_lines(report: ComplianceReport):
    yield [
        _("Customer"),
        _("Contract"),
        _("Priority"),
        _("Clock"),
        _("Counted"),
        _("Met"),
        _("Breached"),
        _("Still running"),
        _("Met rate"),
    ]
    for row in [*report.rows, report.total]:
        yield [
            row.customer or _("Total"),
            row.contract,
            row.priority_label,
            row.clock_label,
            row.counted,
            row.met,
            row.breached,
            row.running,
            "" if row.percent_met is None else f"{row.percent_met:.1f}%",
        ]


def breach_lines(report: ComplianceReport):
    yield [
        _("Ticket"),
        _("Customer"),
        _("Contract"),
        _("Priority"),
        _("Clock"),
        _("Target (minutes)"),
        _("Due (breached at)"),
        _("Stopped at"),
        _("Overdue by (business minutes)"),
        _("Overdue by"),
    ]
    for breach in report.breaches:
        yield [
            breach.number,
            breach.customer,
            breach.contract,
            breach.priority_label,
            breach.clock_label,
            int(breach.target.total_seconds() // 60),
            _local(breach.due_at),
            _local(breach.stopped_at) if breach.stopped_at else "",
            int(breach.overdue.total_seconds() // 60),
            describe_duration(breach.overdue),
        ]


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _cell(value) -> object:
    if isinstance(value, int | float):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
