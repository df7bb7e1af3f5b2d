from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from aftersales.core.forms import StyledForm
from aftersales.customers.models import Customer
from aftersales.inbox.choices import Outcome
from aftersales.inbox.models import Mailbox
from aftersales.tickets.choices import Kind


class InboxFilter(StyledForm):
    mailbox = forms.ModelChoiceField(label=_("Mailbox"), queryset=Mailbox.objects.none(), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("All")), *Outcome.choices], required=False)
    review = forms.BooleanField(label=_("Needs review only"), required=False)
    q = forms.CharField(label=_("Sender or subject contains"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mailbox"].queryset = Mailbox.objects.only("id", "address").order_by("address")


class SortTicketForm(StyledForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    contact_phone = PhoneNumberField(label=_("Contact phone"), region="CN")
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.GENERAL_FAULT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True).only("id", "name")


class AttachForm(StyledForm):
    ticket_number = forms.CharField(label=_("Ticket number"), max_length=20, help_text=_("For example SR202611220001."))
    public = forms.BooleanField(
        label=_("The sender speaks for the customer: add it as a public reply"),
        required=False,
        help_text=_("Otherwise it is added as an internal note."),
    )

    def clean_ticket_number(self):
        return self.cleaned_data["ticket_number"].strip().upper()
