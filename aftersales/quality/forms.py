"""Forms of the quality pages: input only; the services check and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from aftersales.accounts.models import User
from aftersales.accounts.roles import STAFF_ROLES
from aftersales.core.forms import StyledForm, style_widgets
from aftersales.customers.models import Customer
from aftersales.knowledge.forms import IdMultipleChoiceField
from aftersales.quality.choices import Method, Outcome
from aftersales.quality.models import FollowUpRule
from aftersales.quality.services.follow_ups import ANSWERED
from aftersales.tickets.choices import Channel, Kind
from aftersales.tickets.models import Ticket

SCORES = [(str(n), str(n)) for n in range(1, 6)]
YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
YES_PARTLY_NO = [("", "—"), ("yes", _("Yes")), ("partly", _("Partly")), ("no", _("No"))]


class ScoresForm(StyledForm):
    """The four scores of the survey (1–5, 5 best) and a comment."""

    score_overall = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with the service?"),
        choices=SCORES,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
    )
    score_response_speed = forms.TypedChoiceField(
        label=_("How satisfied are you with how fast we responded?"),
        choices=SCORES,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
    )
    score_professionalism = forms.TypedChoiceField(
        label=_("How satisfied are you with the engineer's professional skill?"),
        choices=SCORES,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
    )
    score_attitude = forms.TypedChoiceField(
        label=_("How satisfied are you with the engineer's attitude?"),
        choices=SCORES,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def scores(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields if name.startswith("score_")}


class FollowUpRecordForm(ScoresForm):
    """What a quality controller records after a call or a visit, with the script's questions."""

    method = forms.ChoiceField(
        label=_("How"), choices=[(Method.PHONE, Method.PHONE.label), (Method.VISIT, Method.VISIT.label)]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (ANSWERED, _("The customer answered")),
            (Outcome.UNREACHABLE, Outcome.UNREACHABLE.label),
            (Outcome.DECLINED, Outcome.DECLINED.label),
        ],
    )
    problem_solved = forms.ChoiceField(label=_("Was the problem solved?"), choices=YES_PARTLY_NO, required=False)
    engineer_on_time = forms.ChoiceField(
        label=_("Did the engineer respond and arrive when promised?"), choices=YES_NO, required=False
    )
    explained_clearly = forms.ChoiceField(
        label=_("Did the engineer explain what was done?"), choices=YES_NO, required=False
    )
    field_order = [
        "method",
        "outcome",
        "problem_solved",
        "engineer_on_time",
        "explained_clearly",
        "score_overall",
        "score_response_speed",
        "score_professionalism",
        "score_attitude",
        "comment",
    ]

    def script_answers(self) -> dict:
        names = ("problem_solved", "engineer_on_time", "explained_clearly")
        return {name: self.cleaned_data[name] for name in names if self.cleaned_data.get(name)}


class SendLinkForm(StyledForm):
    send_to = forms.CharField(
        label=_("Send to"),
        max_length=200,
        required=False,
        help_text=_("A mobile number or email address of the customer's contacts; empty: the ticket's contact."),
    )


class ComplaintForm(StyledForm):
    """A complaint: staff name the customer and channel; a customer complains for their own organisation."""

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.order_by("name"))
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(value, label) for value, label in Channel.choices if value != Channel.FOLLOW_UP],
        initial=Channel.PHONE,
    )
    title = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    contact_phone = PhoneNumberField(label=_("Contact phone"), region="CN")
    tickets = forms.CharField(
        label=_("Tickets concerned"),
        required=False,
        max_length=500,
        help_text=_("Ticket numbers, separated by spaces or commas."),
    )

    def __init__(self, *args, customer_user: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if customer_user:
            del self.fields["customer"], self.fields["channel"]


class ComplaintLinkForm(StyledForm):
    tickets = forms.CharField(
        label=_("Tickets concerned"),
        required=False,
        max_length=500,
        help_text=_("Ticket numbers, separated by spaces or commas."),
    )
    people = IdMultipleChoiceField(
        label=_("People concerned"),
        required=False,
        queryset=User.objects.filter(is_active=True, role__in=sorted(STAFF_ROLES)).order_by("username"),
    )


class ComplaintCloseForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput())
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    corrective_action = forms.CharField(
        label=_("Corrective action"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class QcReviewForm(StyledForm):
    response_quality = forms.TypedChoiceField(
        label=_("Response quality: did the solution really solve the customer's problem?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    service_quality = forms.TypedChoiceField(
        label=_("Service quality: how well did the engineer handle it?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    score = forms.IntegerField(label=_("Overall score (0–100)"), min_value=0, max_value=100)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpRuleForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("Ticket kinds followed up"), choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods (the first ticked is planned)"), choices=Method.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = FollowUpRule
        fields = ["enabled", "kinds", "delay_hours", "sample_percent", "low_score_threshold", "methods"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
        for name in ("kinds", "methods"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_methods(self):
        chosen = self.cleaned_data["methods"]
        return [value for value in Method.values if value in chosen]


def tickets_by_number(text: str, *, visible) -> tuple[list[Ticket], list[str]]:
    """The tickets named in `text` that `visible` holds, and the numbers not found there."""
    numbers = [
        part.strip().upper() for part in (text or "").replace(",", " ").replace("，", " ").split() if part.strip()
    ]
    found = {ticket.number: ticket for ticket in visible.filter(number__in=numbers)}
    return [found[n] for n in dict.fromkeys(numbers) if n in found], [n for n in numbers if n not in found]
