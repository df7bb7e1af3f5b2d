"""Forms for the work-order pages. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.accounts.roles import ROLE_PERMISSIONS, WORK
from aftersales.core.forms import StyledForm
from aftersales.dispatch.choices import SignerRole, WorkOrderKind

WORKING_ROLES = [role for role, permissions in ROLE_PERMISSIONS.items() if WORK in permissions]


class DispatchForm(StyledForm):
    engineer = forms.ModelChoiceField(
        label=_("Engineer"),
        queryset=User.objects.filter(is_active=True, role__in=WORKING_ROLES).order_by("last_name", "first_name"),
        required=False,
        help_text=_("Leave empty to send the best-ranked engineer."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkOrderKind.choices, initial=WorkOrderKind.ON_SITE)
    basis = forms.CharField(
        label=_("Basis for dispatch"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why this job is sent: the request, the contract clause, the customer's call."),
    )
    task_description = forms.CharField(
        label=_("Task description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ActionForm(StyledForm):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PositionForm(StyledForm):
    """Hidden fields the page fills from the phone's geolocation, when the phone allows it."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    latitude = forms.DecimalField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    longitude = forms.DecimalField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    accuracy_m = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=0)


class CompleteForm(PositionForm):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class WorkLogForm(StyledForm):
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_value=24, decimal_places=2, initial=0)


class PartForm(StyledForm):
    description = forms.CharField(label=_("Part"), max_length=200)
    part_number = forms.CharField(label=_("Part number"), max_length=100, required=False)
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    unit_price = forms.DecimalField(label=_("Unit price (CNY)"), min_value=0, decimal_places=2, initial=0)


class SheetForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    software_name = forms.CharField(label=_("Software name"), max_length=100, required=False)
    software_version = forms.CharField(label=_("Software version"), max_length=50, required=False)
    task_description = forms.CharField(
        label=_("Task description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    method = forms.CharField(label=_("Method"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    labour_hours = forms.DecimalField(label=_("Labour hours"), min_value=0, max_digits=6, decimal_places=2)
    travel_km = forms.DecimalField(label=_("Travel distance (km)"), min_value=0, max_digits=8, decimal_places=1)
    travel_cost = forms.DecimalField(label=_("Travel expenses (CNY)"), min_value=0, max_digits=10, decimal_places=2)


class SignatureForm(StyledForm):
    role = forms.ChoiceField(choices=SignerRole.choices, widget=forms.HiddenInput)
    signer_name = forms.CharField(label=_("Name of the signer"), max_length=100)
    signature = forms.CharField(widget=forms.HiddenInput, max_length=500_000)


class LinkSignatureForm(StyledForm):
    signer_name = forms.CharField(label=_("Your name"), max_length=100)
    signature = forms.CharField(widget=forms.HiddenInput, max_length=500_000)


class SigningLinkForm(StyledForm):
    send_to = forms.CharField(
        label=_("Mobile number or email"),
        max_length=200,
        help_text=_("The customer gets a link to sign on their own phone; it works once and expires."),
    )
