from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.customers.models import Customer
from aftersales.webhooks.choices import EVENT_CHOICES, DeliveryStatus
from aftersales.webhooks.models import WebhookSubscription


class SubscriptionForm(forms.Form):
    """The fields of a subscription; the service checks the address and the events."""

    name = forms.CharField(label=pgettext_lazy("name of a thing", "Name"), max_length=100)
    url = forms.CharField(
        label=_("Address"),
        max_length=1000,
        widget=forms.URLInput,
        help_text=WebhookSubscription._meta.get_field("url").help_text,
    )
    event_kinds = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        empty_label=_("All customers"),
        help_text=WebhookSubscription._meta.get_field("customer").help_text,
    )
    allow_private_network = forms.BooleanField(
        label=WebhookSubscription._meta.get_field("allow_private_network").verbose_name.capitalize(),
        required=False,
        help_text=WebhookSubscription._meta.get_field("allow_private_network").help_text,
    )

    @classmethod
    def for_subscription(cls, subscription: WebhookSubscription, data=None) -> "SubscriptionForm":
        initial = {
            "name": subscription.name,
            "url": subscription.url,
            "event_kinds": subscription.event_kinds,
            "customer": subscription.customer_id,
            "allow_private_network": subscription.allow_private_network,
        }
        return cls(data, initial=initial)


class DeliveryFilterForm(forms.Form):
    subscription = forms.ModelChoiceField(
        label=_("Subscription"),
        queryset=WebhookSubscription.objects.order_by("name"),
        required=False,
        empty_label=_("All subscriptions"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *DeliveryStatus.choices], required=False
    )
