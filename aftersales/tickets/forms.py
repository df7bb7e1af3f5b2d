"""Forms for the ticket pages. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from aftersales.accounts.models import Team, User
from aftersales.accounts.roles import Role
from aftersales.assets.models import Asset
from aftersales.core.forms import LARGEST_ID, StyledForm, as_id
from aftersales.customers.models import Customer, Site
from aftersales.tickets.choices import Channel, Kind, Level, ResolutionMethod, Tier

STAFF_CHANNELS = [choice for choice in Channel.choices if choice[0] != Channel.PORTAL]


class IntakeForm(StyledForm):
    """Logging a request: staff choose the customer; customer users report for their own."""

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    assets = forms.ModelMultipleChoiceField(label=_("Assets"), queryset=Asset.objects.none(), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    contact_phone = PhoneNumberField(label=_("Contact phone"), region="CN")
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS, initial=Channel.PHONE)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.GENERAL_FAULT)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Level.choices, coerce=int, initial=Level.MEDIUM)
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Level.choices, coerce=int, initial=Level.MEDIUM)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    received_at = forms.DateTimeField(
        label=_("Time received"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now. Set it when registering a fax, email or call received earlier."),
    )
    on_site_required = forms.BooleanField(
        label=_("On-site visit needed"), required=False, help_text=_("Starts the on-site arrival clock.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user).filter(is_active=True)
        customer_id = as_id(self.data.get("customer") or self.initial.get("customer"))
        if user.is_customer_user:
            customer_id = user.customer_id
            self.fields["customer"].initial = customer_id
            self.fields["customer"].widget = forms.HiddenInput()
            # Staff decide whether an engineer goes on site: it starts a clock the customer holds us to.
            del self.fields["channel"], self.fields["received_at"], self.fields["on_site_required"]
        self.fields["site"].queryset = Site.objects.visible_to(user).filter(customer_id=customer_id or 0)
        self.fields["assets"].queryset = (
            Asset.objects.visible_to(user).filter(customer_id=customer_id or 0).select_related("product__vendor")
        )


class AssignForm(StyledForm):
    assignee = forms.ModelChoiceField(label=_("Engineer"), queryset=User.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        workers = [Role.ENGINEER, Role.EXPERT, Role.AGENT, Role.ADMIN]
        self.fields["assignee"].queryset = User.objects.filter(is_active=True, role__in=workers).order_by("username")


class TransitionForm(StyledForm):
    action = forms.CharField(widget=forms.HiddenInput())
    version = forms.IntegerField(widget=forms.HiddenInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    resolution_method = forms.ChoiceField(
        label=_("Resolution method"), choices=[("", "---------"), *ResolutionMethod.choices], required=False
    )
    resolution = forms.CharField(label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    corrective_action = forms.CharField(
        label=_("Corrective action"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was changed so that it does not happen again (required for complaints)."),
    )


class CommentForm(StyledForm):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(
        label=_("Visible to the customer"),
        required=False,
        initial=True,
        help_text=_("Untick for an internal note that only staff see."),
    )


class AttachmentForm(StyledForm):
    file = forms.FileField(label=_("File"))
    is_public = forms.BooleanField(label=_("Visible to the customer"), required=False, initial=True)


class TicketEditForm(StyledForm):
    """The descriptive fields staff may correct after intake; the service re-derives the priority."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Level.choices, coerce=int)
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Level.choices, coerce=int)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    contact_phone = PhoneNumberField(label=_("Contact phone"), region="CN")
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    on_site_required = forms.BooleanField(
        label=_("On-site visit needed"), required=False, help_text=_("Starts the on-site arrival clock.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    @classmethod
    def for_ticket(cls, ticket, data=None):
        initial = {name: getattr(ticket, name) for name in cls.base_fields if name != "team"}
        return cls(data, initial={**initial, "team": ticket.team_id})


class ArrivalForm(StyledForm):
    """The engineer is on site; the time defaults to now (the service checks it lies between the request and now)."""

    arrived_at = forms.DateTimeField(
        label=_("Arrived at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput())


class CallForm(StyledForm):
    note = forms.CharField(
        label=_("What was discussed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only staff see logged calls. The first call back counts as the response."),
    )


class EscalationAcknowledgeForm(StyledForm):
    escalation = forms.IntegerField(widget=forms.HiddenInput(), min_value=1, max_value=LARGEST_ID)
