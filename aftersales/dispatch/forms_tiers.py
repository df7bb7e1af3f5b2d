"""Forms for escalating a ticket and for its vendor cases. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Team, User
from aftersales.accounts.roles import Role
from aftersales.assets.models import Vendor
from aftersales.core.forms import StyledForm
from aftersales.dispatch.choices import VendorCaseStatus
from aftersales.dispatch.forms import WORKING_ROLES
from aftersales.tickets.choices import Tier
from aftersales.tickets.services.tiers import higher_tiers


def _moment_field(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class EscalateForm(StyledForm):
    """Up a tier. Every tier is accepted, so a wrong one gets the service's reason rather than a bare refusal."""

    prefix = "escalate"  # the ticket page has other forms with a reason, a team or an engineer

    to_tier = forms.ChoiceField(label=_("Escalate to"), choices=Tier.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    assignee = forms.ModelChoiceField(
        label=_("Engineer"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty to let the team lead or the engineer on duty take it."),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(is_active=True, role__in=WORKING_ROLES).order_by(
            "username"
        )

    @classmethod
    def for_ticket(cls, ticket) -> "EscalateForm":
        """The empty form on the ticket page offers only the tiers above the ticket's own."""
        form = cls(initial={"version": ticket.version, "team": ticket.team_id})
        higher = higher_tiers(ticket.tier)
        form.fields["to_tier"].choices = [choice for choice in Tier.choices if choice[0] in higher]
        return form


class ManagerEscalationForm(StyledForm):
    prefix = "manager"

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    manager = forms.ModelChoiceField(
        label=_("Manager"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty for the duty manager on duty now."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = User.objects.filter(is_active=True, role=Role.MANAGER).order_by("username")


class VendorCaseForm(StyledForm):
    prefix = "vendor_case"

    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Vendor.objects.all())
    case_number = forms.CharField(label=_("Vendor's case number"), max_length=100)
    contact_name = forms.CharField(label=_("Vendor contact"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=50, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    promised_response_at = _moment_field(_("Vendor promised a response by"))
    promised_resolution_at = _moment_field(_("Vendor promised a fix by"))


class VendorCaseUpdateForm(StyledForm):
    note = forms.CharField(label=_("Progress"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(label=_("Status"), choices=VendorCaseStatus.choices)
    responded_at = _moment_field(_("Vendor responded at"), _("Leave empty if unchanged."))
    resolved_at = _moment_field(_("Vendor fixed it at"), _("Leave empty if unchanged; marking it solved means now."))

    @classmethod
    def for_case(cls, case, data=None) -> "VendorCaseUpdateForm":
        """Each case on the page has its own form: the prefix keeps their fields apart."""
        return cls(data, initial={"status": case.status}, prefix=f"case{case.pk}")
