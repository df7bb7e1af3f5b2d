"""Forms for the inspection pages. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.accounts.roles import ROLE_PERMISSIONS, WORK
from aftersales.core.forms import StyledForm
from aftersales.customers.models import Customer
from aftersales.maintenance.choices import InspectionStatus, Outcome

WORKING_ROLES = [role for role, permissions in ROLE_PERMISSIONS.items() if WORK in permissions]
TO_DO, ALL = "", "all"


class InspectionFilterForm(StyledForm):
    """Staff filter by engineer and customer too; customers only by status and date."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(TO_DO, _("To do")), (ALL, _("All")), *InspectionStatus.choices],
    )
    engineer = forms.ModelChoiceField(
        label=_("Engineer"),
        required=False,
        queryset=User.objects.filter(is_active=True, role__in=WORKING_ROLES).order_by("last_name", "first_name"),
        empty_label=_("Every engineer"),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.order_by("name"), empty_label=_("Every customer")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["engineer"], self.fields["customer"]


class ResultForm(StyledForm):
    """One checklist item. Without an outcome a reading decides (outside its good range it fails)."""

    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=Outcome.choices, widget=forms.RadioSelect)
    reading = forms.DecimalField(label=_("Reading"), required=False, max_digits=12, decimal_places=3)
    text = forms.CharField(label=_("Remark"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["class"] = "form-check-input"


class CompleteForm(StyledForm):
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
