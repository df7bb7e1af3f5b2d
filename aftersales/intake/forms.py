"""Forms for the fax, hotline and alert pages. They parse input; the services decide."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.formfields import PhoneNumberField

from aftersales.accounts.models import User
from aftersales.accounts.roles import STAFF_ROLES
from aftersales.core.forms import StyledForm
from aftersales.customers.models import Customer
from aftersales.intake.models import AlertSource, AlertStatus
from aftersales.tickets.choices import Kind


def active_customers():
    return Customer.objects.filter(is_active=True).only("id", "name")


def active_staff():
    return User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("username")


class FaxUploadForm(StyledForm):
    file = forms.FileField(label=_("Scanned fax"), help_text=_("A PDF or TIFF file."))
    fax_number = forms.CharField(
        label=_("Fax number"),
        max_length=50,
        required=False,
        help_text=_("The sender's number as the fax header shows it; it finds the customer."),
    )
    received_at = forms.DateTimeField(
        label=_("Time received"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    summary = forms.CharField(
        label=_("Summary of the problem"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    recipient = forms.ModelChoiceField(
        label=_("Recipient"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Who in the technical department took the fax over."),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        required=False,
        help_text=_("Leave empty to find the customer by the fax number."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    contact_phone = PhoneNumberField(label=_("Contact phone"), region="CN", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = active_staff()
        self.fields["customer"].queryset = active_customers()
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))


class FaxAssignForm(StyledForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    contact_phone = PhoneNumberField(label=_("Contact phone"), region="CN")
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.GENERAL_FAULT)
    remember_number = forms.BooleanField(
        label=_("Remember this fax number for this customer"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = active_customers()


class FaxDismissForm(StyledForm):
    reason = forms.CharField(label=_("Why no ticket"), max_length=200)


REGISTER_MONTHS = (dt.date(2000, 1, 1), dt.date(2999, 12, 31))


class FaxRegisterFilter(StyledForm):
    """The register's filters; the month comes from the page's own links."""

    WAITING, TICKET, SET_ASIDE = "waiting", "ticket", "set_aside"
    month = forms.DateField(required=False, input_formats=["%Y-%m"], widget=forms.HiddenInput())
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none(), required=False)
    state = forms.ChoiceField(
        label=pgettext_lazy("fax", "State"),
        required=False,
        choices=[
            ("", _("All")),
            (TICKET, _("Ticket registered")),
            (WAITING, _("Waiting for an agent")),
            (SET_ASIDE, _("Set aside")),
        ],
    )
    q = forms.CharField(label=_("Number, fax number or summary contains"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.only("id", "name")

    def clean_month(self):
        month = self.cleaned_data.get("month")
        if month is not None and not REGISTER_MONTHS[0] <= month <= REGISTER_MONTHS[1]:
            # The page links the month before and after: at the calendar's ends they do not exist.
            raise forms.ValidationError(
                _("Choose a month from %(first)s to %(last)s.")
                % {"first": f"{REGISTER_MONTHS[0]:%Y-%m}", "last": f"{REGISTER_MONTHS[1]:%Y-%m}"}
            )
        return month

    def month_start(self) -> dt.date:
        month = self.cleaned_data.get("month") if self.is_valid() else None
        return (month or timezone.localdate()).replace(day=1)


class CallLogForm(StyledForm):
    ticket = forms.CharField(label=_("Ticket number"), max_length=20)
    note = forms.CharField(label=_("What was discussed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class AlertFilter(StyledForm):
    source = forms.ModelChoiceField(label=_("Alert source"), queryset=AlertSource.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *AlertStatus.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = AlertSource.objects.only("id", "name")
