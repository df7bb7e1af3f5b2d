"""Forms for lent remote access and change approvals. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import StyledForm
from aftersales.dispatch.models import ChangeApproval, CredentialReveal, RemoteCredential
from aftersales.dispatch.services.remote import PASSWORD_MAX_LENGTH

APPROVE, REJECT = "approve", "reject"


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class CredentialLendForm(StyledForm):
    system = forms.CharField(label=_("System"), max_length=_max_length(RemoteCredential, "system"))
    address = forms.CharField(
        label=_("Address"),
        max_length=_max_length(RemoteCredential, "address"),
        help_text=_("Host, IP, VPN or jump server."),
    )
    username = forms.CharField(label=_("User name"), max_length=_max_length(RemoteCredential, "username"))
    # Never rendered back into the page, not even after a refused submission.
    password = forms.CharField(
        label=_("Password"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    lent_by = forms.CharField(
        label=_("Lent by"),
        max_length=_max_length(RemoteCredential, "lent_by"),
        help_text=_("The customer's person who gave the access."),
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("At most 30 days from now."),
    )


class CredentialRevealForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=_max_length(CredentialReveal, "reason"),
        help_text=_("Every time a password is shown, who saw it and why is recorded."),
    )


class ChangeApprovalRequestForm(StyledForm):
    description = forms.CharField(
        label=_("Change"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What will be changed, why, the risk and how to roll back."),
    )
    send_to = forms.CharField(
        label=_("Also send a one-time link to"),
        max_length=200,
        required=False,
        help_text=_("A mobile number or email address of the customer's contact. Leave empty to ask in the portal."),
    )


class ChangeApprovalDecideForm(StyledForm):
    # Posted by the Approve and Reject buttons (name="decision"), not rendered as a field.
    decision = forms.ChoiceField(label=_("Decision"), choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))])
    decided_by_name = forms.CharField(
        label=_("Your name"), max_length=_max_length(ChangeApproval, "decided_by_name"), required=False
    )
    note = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when you reject the change."),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == APPROVE
