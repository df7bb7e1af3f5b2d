from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.contracts.choices import ContractStatus
from aftersales.contracts.models import Contract
from aftersales.core.forms import StyledForm, as_id
from aftersales.core.time import local_date
from aftersales.customers.models import Customer
from aftersales.reports.choices import REPORT_PERIOD_CHOICES, PeriodKind, ReportStatus
from aftersales.reports.periods import FIRST_DAY, Period, last_day_in_reach, out_of_reach_message
from aftersales.tickets.views.sla_report import last_full_month


class RequestForm(StyledForm):
    """Generate a report: a contract, and the month, quarter or year containing a day."""

    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none())
    period_kind = forms.ChoiceField(
        label=pgettext_lazy("report period", "Period"), choices=REPORT_PERIOD_CHOICES, initial=PeriodKind.MONTH
    )
    day = forms.DateField(
        label=_("A day in the period"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The report covers the whole month, quarter or year this day is in."),
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"day": last_full_month(local_date())[0]})
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = (
            Contract.objects.visible_to(user).filter(status=ContractStatus.ACTIVE).select_related("customer")
        )
        self.fields["contract"].label_from_instance = lambda contract: f"{contract.number} · {contract.customer.name}"

    def clean_day(self):
        day, today = self.cleaned_data["day"], local_date()
        if not FIRST_DAY <= day <= last_day_in_reach(today):
            raise forms.ValidationError(out_of_reach_message(today))
        return day

    @property
    def period(self):
        return Period.containing(self.cleaned_data["period_kind"], self.cleaned_data["day"])


class RecommendationsForm(StyledForm):
    recommendations = forms.CharField(
        label=_("Common problems and recommendations"), widget=forms.Textarea(attrs={"rows": 10}), max_length=10_000
    )


class ListFilter(StyledForm):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *ReportStatus.choices], required=False)
    period_kind = forms.ChoiceField(
        label=pgettext_lazy("report period", "Period"), choices=[("", _("All")), *REPORT_PERIOD_CHOICES], required=False
    )

    def __init__(self, query, *, user):
        data = query.copy()
        if data.get("customer") and as_id(data["customer"]) is None:
            data["customer"] = "0"
        super().__init__(data)
        self.fields["customer"].queryset = Customer.objects.visible_to(user).order_by("name")

    def apply(self, reports):
        if not self.is_valid():
            return reports.none()
        data = self.cleaned_data
        if data["customer"]:
            reports = reports.filter(customer=data["customer"])
        if data["status"]:
            reports = reports.filter(status=data["status"])
        if data["period_kind"]:
            reports = reports.filter(period_kind=data["period_kind"])
        return reports
