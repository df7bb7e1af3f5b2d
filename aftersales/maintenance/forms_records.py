"""Forms of the weekly plan, the weekly report and training pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts import roles
from aftersales.accounts.models import User
from aftersales.core.forms import StyledForm
from aftersales.customers.models import Customer, Site
from aftersales.maintenance.models import TrainingAttendee

SIGNATURE_MAX = 500_000


def engineers():
    return User.objects.filter(is_active=True, role__in=[roles.Role.ENGINEER, roles.Role.EXPERT]).order_by(
        "last_name", "first_name", "username"
    )


def staff():
    return User.objects.filter(is_active=True, role__in=sorted(roles.STAFF_ROLES)).order_by(
        "last_name", "first_name", "username"
    )


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class WeeklyPlanForm(StyledForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.order_by("name"))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.order_by("name"), required=False)
    engineer = forms.ModelChoiceField(label=_("Resident engineer"), queryset=engineers(), required=False)
    week_start = forms.DateField(label=_("Week of (a Monday)"), widget=DateInput)
    customer_lead = forms.CharField(label=_("Customer's lead"), max_length=100)
    content = forms.CharField(label=_("Planned work"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = engineers()
        if editing:  # a plan keeps its customer and engineer
            del self.fields["customer"], self.fields["engineer"]


class PlanSignatureForm(StyledForm):
    role = forms.ChoiceField(choices=[("engineer", "engineer"), ("customer", "customer")], widget=forms.HiddenInput)
    signer_name = forms.CharField(label=_("Name of the signer"), max_length=100)
    signature = forms.CharField(widget=forms.HiddenInput, max_length=SIGNATURE_MAX)


class ReportDraftForm(StyledForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.order_by("name"))
    week_start = forms.DateField(label=_("Week of (a Monday)"), widget=DateInput)
    engineer = forms.ModelChoiceField(label=_("Resident engineer"), queryset=engineers(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = engineers()


class ReportForm(StyledForm):
    work_done = forms.CharField(label=_("Work done"), widget=forms.Textarea(attrs={"rows": 8}), max_length=50_000)
    problems = forms.CharField(
        label=_("Problems found"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50_000, required=False
    )
    next_week = forms.CharField(
        label=_("Next week's plan"), widget=forms.Textarea(attrs={"rows": 5}), max_length=50_000, required=False
    )


class TrainingForm(StyledForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.order_by("name"))
    topic = forms.CharField(label=_("Topic"), max_length=200)
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=staff(), required=False)
    trainer_name = forms.CharField(
        label=_("Trainer's name"), max_length=100, required=False, help_text=_("When the trainer is not a user.")
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput)
    place = forms.CharField(label=_("Place"), max_length=200)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = staff()
        if editing:  # a session stays with its customer
            del self.fields["customer"]


class MaterialForm(StyledForm):
    file = forms.FileField(label=_("File"))


class AttendeeForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)


class AttendeeSignInForm(StyledForm):
    attendee = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    signature = forms.CharField(widget=forms.HiddenInput, max_length=SIGNATURE_MAX)


class TrainerSignatureForm(StyledForm):
    signature = forms.CharField(widget=forms.HiddenInput, max_length=SIGNATURE_MAX)


class PrintedSheetForm(StyledForm):
    file = forms.FileField(label=_("Scanned sign-in sheet (PDF, JPEG or PNG)"))
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees who signed on paper"),
        queryset=TrainingAttendee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        if session is not None:
            self.fields["attendees"].queryset = session.attendees.filter(signed_at__isnull=True)
        self.fields["attendees"].widget.attrs["class"] = "form-check-input"


class FeedbackForm(StyledForm):
    feedback = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000)
