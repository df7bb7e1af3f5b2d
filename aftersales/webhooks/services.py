"""Administrators' actions on webhook subscriptions and deliveries; each one writes an audit event.

The signing secret is made here, stored encrypted (core.crypto) and returned once, to be shown once.
An address is checked against the SSRF rules (destinations.py) whenever it is saved.
"""

import datetime as dt
import secrets

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.notifications.services import is_administrator
from aftersales.webhooks.choices import EVENT_CODES, AuditKind, DeliveryProblem, DeliveryStatus, SourceKind
from aftersales.webhooks.destinations import RefusedDestination, destination_for
from aftersales.webhooks.models import WebhookAuditEvent, WebhookDelivery, WebhookSubscription
from aftersales.webhooks.payloads import ping_payload
from aftersales.webhooks.sweep import cursors_start

EDITABLE = ("name", "url", "event_kinds", "customer", "allow_private_network")
CHECKED = ("name", "url", "event_kinds", "allow_private_network")


class SubscriptionDisabled(DomainError):
    code = "subscription_disabled"
    status = 409
    default_message = gettext_lazy(
        "The subscription is disabled: enable it first, a disabled subscription sends nothing."
    )


def _require_administrator(actor) -> None:
    if not is_administrator(actor):
        raise PermissionDenied()


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


def refusal_message(refused: RefusedDestination) -> str:
    """A refused address in words, for the form."""
    if refused.problem == DeliveryProblem.REFUSED_ADDRESS:
        return _(
            "%(host)s resolves to %(addresses)s: private, loopback, link-local and reserved addresses are refused "
            "unless the subscription allows private network addresses."
        ) % {"host": refused.host, "addresses": ", ".join(refused.addresses)}
    if refused.problem == DeliveryProblem.UNRESOLVABLE:
        return _("The host name %(host)s could not be resolved.") % {"host": refused.host}
    return str(DeliveryProblem(refused.problem).label)


def _validated(values: dict) -> dict:
    errors = {}
    values = {**values, "name": values["name"].strip(), "url": values["url"].strip()}
    if not values["name"]:
        errors["name"] = [_("Give the subscription a name.")]
    kinds = sorted(set(values["event_kinds"]))
    if not kinds:
        errors["event_kinds"] = [_("Choose at least one event.")]
    elif unknown := [kind for kind in kinds if kind not in EVENT_CODES]:
        errors["event_kinds"] = [_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}]
    try:
        destination_for(values["url"], allow_private_network=values["allow_private_network"])
    except RefusedDestination as refused:
        errors["url"] = [refusal_message(refused)]
    if errors:
        raise ValidationFailed(detail=errors)
    return {**values, "event_kinds": kinds}


def _checked_values(subscription: WebhookSubscription) -> dict:
    return {field: getattr(subscription, field) for field in CHECKED}


def _snapshot(subscription: WebhookSubscription) -> dict:
    """The audited fields as codes and values (the secret never)."""
    return {
        "name": subscription.name,
        "url": subscription.url,
        "event_kinds": list(subscription.event_kinds),
        "customer": subscription.customer_id,
        "allow_private_network": subscription.allow_private_network,
        "is_active": subscription.is_active,
    }


def _audit(subscription, actor, kind: str, now: dt.datetime, **data) -> WebhookAuditEvent:
    return WebhookAuditEvent.objects.create(subscription=subscription, actor=actor, kind=kind, at=now, data=data)


def _locked(subscription: WebhookSubscription) -> WebhookSubscription:
    # NO KEY UPDATE: a sweep inserting this subscription's deliveries (a foreign-key check) is not blocked.
    return WebhookSubscription.objects.select_for_update(no_key=True).get(pk=subscription.pk)


@transaction.atomic
def subscription_create(
    *,
    actor,
    name: str,
    url: str,
    event_kinds: list[str],
    customer=None,
    allow_private_network: bool = False,
    now: dt.datetime | None = None,
) -> tuple[WebhookSubscription, str]:
    """A new active subscription and its signing secret (returned this once; stored only encrypted)."""
    _require_administrator(actor)
    now = now or timezone.now()
    values = _validated(
        {"name": name, "url": url, "event_kinds": event_kinds, "allow_private_network": allow_private_network}
    )
    secret = generate_secret()
    subscription = WebhookSubscription(**values, customer=customer, created_by=actor)
    subscription.set_secret(secret)
    subscription.save()
    cursors_start(subscription, now)
    _audit(subscription, actor, AuditKind.CREATED, now, **_snapshot(subscription))
    return subscription, secret


@transaction.atomic
def subscription_update(
    *, actor, subscription: WebhookSubscription, now: dt.datetime | None = None, **changes
) -> WebhookSubscription:
    """Change name, address, events, customer filter or the private-network permission (audited)."""
    _require_administrator(actor)
    now = now or timezone.now()
    subscription = _locked(subscription)
    before = _snapshot(subscription)
    current = {field: getattr(subscription, field) for field in EDITABLE}
    wanted = {**current, **{field: value for field, value in changes.items() if field in EDITABLE}}
    values = _validated({field: wanted[field] for field in CHECKED})
    for field, value in {**values, "customer": wanted["customer"]}.items():
        setattr(subscription, field, value)
    after = _snapshot(subscription)
    changed = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
    if changed:
        subscription.save(update_fields=[*EDITABLE, "updated_at"])
        _audit(subscription, actor, AuditKind.UPDATED, now, changes=changed)
    return subscription


@transaction.atomic
def subscription_set_active(
    *, actor, subscription: WebhookSubscription, active: bool, now: dt.datetime | None = None
) -> WebhookSubscription:
    """Disable: nothing more is swept or sent, waiting deliveries fail. Enable: events from now on are sent."""
    _require_administrator(actor)
    now = now or timezone.now()
    subscription = _locked(subscription)
    if subscription.is_active == active:
        return subscription
    if active:
        _validated(_checked_values(subscription))  # the address may have become private meanwhile
        cursors_start(subscription, now)  # what happened while it was off is not replayed
    else:
        subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, last_problem=DeliveryProblem.DISABLED, last_error="", next_attempt_at=now
        )
    subscription.is_active = active
    subscription.save(update_fields=["is_active", "updated_at"])
    _audit(subscription, actor, AuditKind.ENABLED if active else AuditKind.DISABLED, now)
    return subscription


@transaction.atomic
def subscription_rotate_secret(
    *, actor, subscription: WebhookSubscription, now: dt.datetime | None = None
) -> tuple[WebhookSubscription, str]:
    """A new signing secret, returned this once; from now on every attempt is signed with it."""
    _require_administrator(actor)
    now = now or timezone.now()
    subscription = _locked(subscription)
    secret = generate_secret()
    subscription.set_secret(secret)
    subscription.save(update_fields=["secret_token", "updated_at"])
    _audit(subscription, actor, AuditKind.SECRET_ROTATED, now)
    return subscription, secret


@transaction.atomic
def subscription_send_test(
    *, actor, subscription: WebhookSubscription, now: dt.datetime | None = None
) -> WebhookDelivery:
    """Queue a `webhook.test` event for this subscription alone, sent by the delivery task at once."""
    _require_administrator(actor)
    now = now or timezone.now()
    subscription = _locked(subscription)
    if not subscription.is_active:
        raise SubscriptionDisabled()
    audit_event = _audit(subscription, actor, AuditKind.TEST_SENT, now)
    payload = ping_payload(subscription=subscription, audit_event=audit_event)
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        source_kind=SourceKind.TEST,
        source_event_id=audit_event.pk,  # the audit event is the test's own event: unique
        event=payload["event"],
        payload=payload,
        next_attempt_at=now,
        created_at=now,
    )
    WebhookAuditEvent.objects.filter(pk=audit_event.pk).update(data={"delivery": delivery.pk})
    schedule_delivery()
    return delivery


@transaction.atomic
def delivery_retry(*, actor, delivery: WebhookDelivery, now: dt.datetime | None = None) -> WebhookDelivery:
    """One more attempt now for a failed delivery (another failure marks it failed again at once)."""
    _require_administrator(actor)
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    if delivery.status != DeliveryStatus.FAILED:
        raise Conflict(_("Only a failed delivery can be retried."))
    if not delivery.subscription.is_active:
        raise SubscriptionDisabled()
    delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now
    delivery.save(update_fields=["status", "next_attempt_at"])
    _audit(delivery.subscription, actor, AuditKind.DELIVERY_RETRIED, now, delivery=delivery.pk)
    schedule_delivery()
    return delivery


def schedule_delivery() -> None:
    """Run the delivery task as soon as the current transaction commits (once per transaction)."""
    pending = getattr(connection, "run_on_commit", [])
    if any(callback is _enqueue_delivery_task for _savepoints, callback, *_rest in pending):
        return
    transaction.on_commit(_enqueue_delivery_task, robust=True)


def _enqueue_delivery_task() -> None:
    from aftersales.webhooks.tasks import deliver_webhooks  # the task module imports this one

    deliver_webhooks.enqueue()
