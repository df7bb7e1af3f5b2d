"""The period selector of the KPI pages and downloads, bound to the query string."""

import datetime as dt

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from aftersales.core.forms import StyledForm
from aftersales.core.time import local_date
from aftersales.reports.choices import PeriodKind
from aftersales.reports.periods import FIRST_DAY, Period, last_day_in_reach, out_of_reach_message
from aftersales.tickets.views.sla_report import one_year_after

DEFAULT_KIND = PeriodKind.MONTH


class PeriodForm(StyledForm):
    period = forms.ChoiceField(label=pgettext_lazy("report period", "Period"), choices=PeriodKind.choices)
    date = forms.DateField(
        label=gettext_lazy("Containing the day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "data-period-field": "date"}),
    )
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "data-period-field": "range"}),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "data-period-field": "range"}),
    )

    def __init__(self, query, *, today: dt.date | None = None):
        """Bound to the query string; this month when it names no period."""
        self.today = today or local_date()
        data = query.copy()
        data.setdefault("period", DEFAULT_KIND)
        if data["period"] != PeriodKind.RANGE and not data.get("date"):
            data["date"] = self.today.isoformat()
        super().__init__(data)

    def clean(self):
        data = super().clean()
        for name in ("date", "start", "end"):
            if data.get(name) and not FIRST_DAY <= data[name] <= last_day_in_reach(self.today):
                self.add_error(name, out_of_reach_message(self.today))
        kind = data.get("period")
        if kind == PeriodKind.RANGE:
            start, end = data.get("start"), data.get("end")
            for name in ("start", "end"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Give both dates of the period."))
            if start and end and start > end:
                self.add_error("end", _("The end of the period must be on or after its start."))
            elif start and end and end >= one_year_after(start):
                self.add_error("end", _("The period can be at most one year long."))
        elif kind and not data.get("date") and "date" not in self.errors:
            self.add_error("date", _("Give a day of the period."))
        return data

    @property
    def chosen(self) -> Period:
        """The period asked for; only once the form is valid."""
        data = self.cleaned_data
        if data["period"] == PeriodKind.RANGE:
            return Period(PeriodKind.RANGE, data["start"], data["end"])
        return Period.containing(data["period"], data["date"])
