"""Administrators' pages: subscriptions (list, create, edit, disable, new secret, test event) and the delivery log.

To anyone but an administrator these pages do not exist (404), as other pages a role may not use.
A signing secret is shown once, on the answer to the request that made it, and never cached.
"""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from aftersales.core.errors import DomainError
from aftersales.core.views import add_domain_error, flash_domain_error
from aftersales.notifications.services import is_administrator
from aftersales.tickets.views.queue import page_without_count
from aftersales.webhooks import selectors, services
from aftersales.webhooks.choices import TICKET_EVENTS, WORK_ORDER_EVENTS, DeliveryStatus
from aftersales.webhooks.forms import DeliveryFilterForm, SubscriptionForm
from aftersales.webhooks.models import WebhookDelivery, WebhookSubscription

RECENT_DELIVERIES = 10
FIELD_LABELS = {name: field.label for name, field in SubscriptionForm.base_fields.items()}


def administrators_only(view):
    @login_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not is_administrator(request.user):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except (WebhookSubscription.DoesNotExist, WebhookDelivery.DoesNotExist):
            raise Http404 from None

    return checked


def _form_page(request, form, subscription=None):
    context = {"form": form, "subscription": subscription, "event_groups": _event_groups(form)}
    if subscription is not None:
        context["audit_events"] = [
            (event, [str(label) for field, label in FIELD_LABELS.items() if field in event.data.get("changes", {})])
            for event in selectors.audit_trail(user=request.user, subscription_id=subscription.pk)
        ]
        context["deliveries"] = selectors.delivery_log(user=request.user, subscription_id=subscription.pk)[
            :RECENT_DELIVERIES
        ]
    return render(request, "webhooks/subscription_form.html", context)


def _event_groups(form) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    chosen = set(form["event_kinds"].value() or [])
    return [
        (label, [(code, name, code in chosen) for code, name in events])
        for label, events in ((_("Ticket events"), TICKET_EVENTS), (_("Work-order events"), WORK_ORDER_EVENTS))
    ]


def _secret_page(request, subscription, secret, created: bool):
    return render(request, "webhooks/secret.html", {"subscription": subscription, "secret": secret, "created": created})


@administrators_only
@require_safe
def subscription_list(request):
    subscriptions = selectors.subscription_list(user=request.user)
    context = {"subscriptions": subscriptions, "statuses": DeliveryStatus.choices}
    return render(request, "webhooks/subscription_list.html", context)


@administrators_only
@never_cache
def subscription_create(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = services.subscription_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _secret_page(request, subscription, secret, created=True)
    return _form_page(request, form)


@administrators_only
def subscription_edit(request, pk: int):
    subscription = selectors.subscription_of(user=request.user, subscription_id=pk)
    form = SubscriptionForm.for_subscription(subscription, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_update(actor=request.user, subscription=subscription, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("webhook_subscription_edit", pk=pk)
    return _form_page(request, form, subscription)


def _act(request, pk: int, service, success: str):
    """A button on the subscription's page: run the service, say how it went, show the page again."""
    subscription = selectors.subscription_of(user=request.user, subscription_id=pk)
    try:
        service(actor=request.user, subscription=subscription)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, success)
    return redirect("webhook_subscription_edit", pk=pk)


@administrators_only
@require_POST
def subscription_disable(request, pk: int):
    def disable(**kwargs):
        return services.subscription_set_active(active=False, **kwargs)

    return _act(request, pk, disable, _("The subscription is disabled; nothing more is sent to it."))


@administrators_only
@require_POST
def subscription_enable(request, pk: int):
    def enable(**kwargs):
        return services.subscription_set_active(active=True, **kwargs)

    return _act(request, pk, enable, _("The subscription is enabled; events from now on are sent."))


@administrators_only
@require_POST
@never_cache
def subscription_rotate_secret(request, pk: int):
    subscription = selectors.subscription_of(user=request.user, subscription_id=pk)
    subscription, secret = services.subscription_rotate_secret(actor=request.user, subscription=subscription)
    return _secret_page(request, subscription, secret, created=False)


@administrators_only
@require_POST
def subscription_send_test(request, pk: int):
    return _act(
        request,
        pk,
        services.subscription_send_test,
        _("A test event is queued and will be sent in a moment; its result shows in the delivery log."),
    )


@administrators_only
@require_safe
def delivery_list(request):
    filters = DeliveryFilterForm(request.GET or None)
    subscriptions = WebhookSubscription.objects.visible_to(request.user).order_by("name", "id").only("id", "name")
    filters.fields["subscription"].queryset = subscriptions
    chosen = filters.cleaned_data if filters.is_valid() else {}
    subscription = chosen.get("subscription")
    deliveries = selectors.delivery_log(
        user=request.user, subscription_id=subscription.pk if subscription else None, status=chosen.get("status", "")
    )
    page = page_without_count(deliveries, request.GET.get("page"))
    context = {"filters": filters, "page": page, "subscriptions": list(subscriptions)}
    return render(request, "webhooks/delivery_list.html", context)


@administrators_only
@require_safe
def delivery_detail(request, pk: int):
    delivery = selectors.delivery_of(user=request.user, delivery_id=pk)
    payload = json.dumps(delivery.payload, ensure_ascii=False, indent=2, sort_keys=True)
    return render(request, "webhooks/delivery_detail.html", {"delivery": delivery, "payload": payload})


@administrators_only
@require_POST
def delivery_retry(request, pk: int):
    delivery = selectors.delivery_of(user=request.user, delivery_id=pk)
    try:
        services.delivery_retry(actor=request.user, delivery=delivery)
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, _("The delivery will be tried again in a moment."))
    return redirect("webhook_delivery_detail", pk=pk)
