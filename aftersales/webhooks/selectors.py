"""Reads for the administrators' pages; every one starts from what the user may see (administrators: all)."""

from django.db.models import OuterRef, QuerySet, Subquery

from aftersales.webhooks.models import WebhookAuditEvent, WebhookDelivery, WebhookSubscription


def subscription_list(*, user) -> QuerySet[WebhookSubscription]:
    """Subscriptions with their latest delivery's status and time (one index probe each, through the log index)."""
    latest = WebhookDelivery.objects.filter(subscription=OuterRef("pk")).order_by("-created_at", "-id")
    return (
        WebhookSubscription.objects.visible_to(user)
        .select_related("customer")
        .defer("secret_token")
        .annotate(
            last_delivery_status=Subquery(latest.values("status")[:1]),
            last_delivery_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("-is_active", "name", "id")
    )


def subscription_of(*, user, subscription_id: int) -> WebhookSubscription:
    """Raises DoesNotExist for anyone but an administrator."""
    return WebhookSubscription.objects.visible_to(user).select_related("customer").get(pk=subscription_id)


def delivery_log(*, user, subscription_id: int | None = None, status: str = "") -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.visible_to(user).select_related("subscription")
    if subscription_id is not None:
        deliveries = deliveries.filter(subscription_id=subscription_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.defer("payload", "response_excerpt").order_by("-created_at", "-id")


def delivery_of(*, user, delivery_id: int) -> WebhookDelivery:
    return WebhookDelivery.objects.visible_to(user).select_related("subscription").get(pk=delivery_id)


def audit_trail(*, user, subscription_id: int, limit: int = 20) -> list[WebhookAuditEvent]:
    return list(
        WebhookAuditEvent.objects.visible_to(user)
        .filter(subscription_id=subscription_id)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
