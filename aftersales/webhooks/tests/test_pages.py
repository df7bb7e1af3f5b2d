"""The administrators' pages: subscriptions, the secret shown once, the delivery log; nobody else gets in."""

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core import crypto
from aftersales.core.errors import PermissionDenied
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.webhooks.choices import AuditKind, DeliveryStatus
from aftersales.webhooks.models import WebhookAuditEvent, WebhookCursor, WebhookDelivery, WebhookSubscription
from aftersales.webhooks.services import subscription_update
from aftersales.webhooks.tests.conftest import PUBLIC_HOST

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def subscription(subscribe):
    subscription, _secret = subscribe(events=["ticket.created", "work_order.signed"], name="ITSM")
    return subscription


def delivery_for(subscription, status=DeliveryStatus.FAILED, source_event_id=1):
    return WebhookDelivery.objects.create(
        subscription=subscription,
        source_kind="ticket",
        source_event_id=source_event_id,
        event="ticket.created",
        payload={"event": "ticket.created", "ticket": {"number": "SR202611220001"}},
        status=status,
        attempts=8,
        last_http_status=500,
        last_problem="http_status",
        last_error="HTTP 500",
        response_excerpt="Internal Server Error",
    )


def form_data(**overrides):
    return {
        "name": "客户 ITSM",
        "url": f"https://{PUBLIC_HOST}/aftersales",
        "event_kinds": ["ticket.created", "ticket.status_changed", "work_order.status_changed"],
        "customer": "",
        **overrides,
    }


# Creating and the secret ----------------------------------------------------------------------------


def test_an_administrator_creates_a_subscription_and_sees_its_secret_once(admin):
    client = client_for(admin)

    response = client.post(reverse("webhook_subscription_create"), form_data())

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    subscription = WebhookSubscription.objects.get()
    secret = subscription.secret()
    assert len(secret) >= 40
    assert f'value="{secret}"' in response.content.decode()
    assert secret not in subscription.secret_token
    assert crypto.decrypt(subscription.secret_token) == secret
    assert (subscription.name, subscription.url, subscription.event_kinds, subscription.created_by) == (
        "客户 ITSM",
        f"https://{PUBLIC_HOST}/aftersales",
        ["ticket.created", "ticket.status_changed", "work_order.status_changed"],
        admin,
    )
    assert subscription.allow_private_network is False and subscription.is_active is True
    edit = client.get(reverse("webhook_subscription_edit", args=[subscription.pk]))
    assert edit.status_code == 200
    assert secret not in edit.content.decode()
    assert "X-Aftersales-Signature" in edit.content.decode()
    audit = WebhookAuditEvent.objects.get()
    assert (audit.kind, audit.actor, audit.data["url"], audit.data["allow_private_network"]) == (
        AuditKind.CREATED,
        admin,
        f"https://{PUBLIC_HOST}/aftersales",
        False,
    )
    assert secret not in str(audit.data)
    assert WebhookCursor.objects.filter(subscription=subscription).count() == 2


def test_a_private_address_is_refused_on_the_form_and_nothing_is_saved(admin, resolver):
    resolver.answers["intranet.example.com"] = ["192.168.10.5"]

    response = client_for(admin).post(
        reverse("webhook_subscription_create"), form_data(url="http://intranet.example.com/hook")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["url"] == [
        "intranet.example.com resolves to 192.168.10.5: private, loopback, link-local and reserved addresses are "
        "refused unless the subscription allows private network addresses."
    ]
    assert not WebhookSubscription.objects.exists()


def test_the_administrator_may_allow_a_private_network_receiver(admin, resolver):
    resolver.answers["intranet.example.com"] = ["192.168.10.5"]

    client_for(admin).post(
        reverse("webhook_subscription_create"),
        form_data(url="http://intranet.example.com/hook", allow_private_network="on"),
    )

    assert WebhookSubscription.objects.get().allow_private_network is True


def test_choosing_no_event_is_refused(admin):
    response = client_for(admin).post(reverse("webhook_subscription_create"), form_data(event_kinds=[]))

    assert "event_kinds" in response.context["form"].errors
    assert not WebhookSubscription.objects.exists()


# Editing, disabling, a new secret, the test event ---------------------------------------------------


def test_an_edit_is_saved_and_audited_with_what_changed(admin, subscription):
    customer = CustomerFactory()

    response = client_for(admin).post(
        reverse("webhook_subscription_edit", args=[subscription.pk]),
        form_data(name="ITSM", event_kinds=["ticket.created"], customer=customer.pk),
    )

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.customer, subscription.event_kinds, subscription.url) == (
        customer,
        ["ticket.created"],
        f"https://{PUBLIC_HOST}/aftersales",
    )
    audit = WebhookAuditEvent.objects.get(kind=AuditKind.UPDATED)
    page = client_for(admin).get(reverse("webhook_subscription_edit", args=[subscription.pk])).content.decode()
    assert "Changed: Address, Events, Customer" in page
    assert audit.actor == admin
    assert audit.data["changes"] == {
        "url": [f"https://{PUBLIC_HOST}/hook", f"https://{PUBLIC_HOST}/aftersales"],
        "event_kinds": [["ticket.created", "work_order.signed"], ["ticket.created"]],
        "customer": [None, customer.pk],
    }


def test_saving_without_a_change_writes_no_audit_event(admin, subscription):
    client_for(admin).post(
        reverse("webhook_subscription_edit", args=[subscription.pk]),
        form_data(name="ITSM", url=f"https://{PUBLIC_HOST}/hook", event_kinds=["ticket.created", "work_order.signed"]),
    )

    assert list(WebhookAuditEvent.objects.values_list("kind", flat=True)) == [AuditKind.CREATED]


def test_disabling_stops_the_subscription_and_fails_what_was_waiting(admin, subscription):
    waiting = delivery_for(subscription, status=DeliveryStatus.PENDING)

    response = client_for(admin).post(reverse("webhook_subscription_disable", args=[subscription.pk]))

    assert response.status_code == 302
    subscription.refresh_from_db()
    waiting.refresh_from_db()
    assert subscription.is_active is False
    assert (waiting.status, waiting.last_problem) == (DeliveryStatus.FAILED, "disabled")
    assert WebhookAuditEvent.objects.filter(kind=AuditKind.DISABLED, actor=admin).count() == 1

    client_for(admin).post(reverse("webhook_subscription_enable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.is_active is True
    assert WebhookAuditEvent.objects.filter(kind=AuditKind.ENABLED, actor=admin).count() == 1


def test_a_new_secret_is_shown_once_and_replaces_the_old_one(admin, subscription):
    old = subscription.secret()

    response = client_for(admin).post(reverse("webhook_subscription_rotate_secret", args=[subscription.pk]))

    subscription.refresh_from_db()
    new = subscription.secret()
    assert new != old
    assert f'value="{new}"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert WebhookAuditEvent.objects.filter(kind=AuditKind.SECRET_ROTATED, actor=admin).count() == 1


def test_the_test_button_queues_a_test_delivery(admin, subscription, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(admin).post(reverse("webhook_subscription_send_test", args=[subscription.pk]))

    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    assert (delivery.subscription, delivery.event, delivery.status, delivery.source_kind) == (
        subscription,
        "webhook.test",
        DeliveryStatus.PENDING,
        "test",
    )
    assert len(callbacks) == 1  # the delivery task is enqueued when the transaction commits


def test_a_disabled_subscription_sends_no_test(admin, subscription):
    WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=False)

    response = client_for(admin).post(reverse("webhook_subscription_send_test", args=[subscription.pk]), follow=True)

    assert "The subscription is disabled" in response.content.decode()
    assert not WebhookDelivery.objects.exists()


# The log ----------------------------------------------------------------------------------------------


def test_the_list_and_the_log_cost_the_same_queries_for_any_number_of_rows(admin, subscribe, django_assert_num_queries):
    client = client_for(admin)
    first, _secret = subscribe(name="一")
    delivery_for(first)
    client.get(reverse("webhook_subscription_list"))  # warm the session

    # The session, the user, the bell's unread count, then the subscriptions (with their last delivery); or
    # the page of the log and the subscriptions for its filter.
    with django_assert_num_queries(4):
        client.get(reverse("webhook_subscription_list"))
    with django_assert_num_queries(5):
        client.get(reverse("webhook_delivery_list"))
    for n in range(2, 6):
        subscription, _secret = subscribe(name=str(n))
        delivery_for(subscription, source_event_id=n)
    with django_assert_num_queries(4):
        listing = client.get(reverse("webhook_subscription_list"))
    with django_assert_num_queries(5):
        log = client.get(reverse("webhook_delivery_list"))

    assert listing.content.decode().count('data-testid="subscription-row"') == 5
    assert log.content.decode().count('data-testid="delivery-row"') == 5


def test_the_log_filters_by_subscription_and_status(admin, subscribe):
    first, _secret = subscribe(name="一")
    second, _secret = subscribe(name="二")
    failed = delivery_for(first)
    delivery_for(first, status=DeliveryStatus.DELIVERED, source_event_id=2)
    delivery_for(second, source_event_id=3)

    response = client_for(admin).get(reverse("webhook_delivery_list"), {"subscription": first.pk, "status": "failed"})

    assert [row.pk for row in response.context["page"]["rows"]] == [failed.pk]


def test_a_failed_delivery_is_retried_from_its_page(admin, subscription):
    failed = delivery_for(subscription)
    page = client_for(admin).get(reverse("webhook_delivery_detail", args=[failed.pk]))
    assert "SR202611220001" in page.content.decode() and "Internal Server Error" in page.content.decode()

    client_for(admin).post(reverse("webhook_delivery_retry", args=[failed.pk]))

    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PENDING
    assert WebhookAuditEvent.objects.filter(kind=AuditKind.DELIVERY_RETRIED, actor=admin).count() == 1


def test_a_delivered_delivery_is_not_retried(admin, subscription):
    done = delivery_for(subscription, status=DeliveryStatus.DELIVERED)

    response = client_for(admin).post(reverse("webhook_delivery_retry", args=[done.pk]), follow=True)

    assert "Only a failed delivery can be retried." in response.content.decode()
    done.refresh_from_db()
    assert done.status == DeliveryStatus.DELIVERED
    assert not WebhookAuditEvent.objects.filter(kind=AuditKind.DELIVERY_RETRIED).exists()


# Nobody else ------------------------------------------------------------------------------------------


def everything():
    return (
        list(WebhookSubscription.objects.order_by("pk").values()),
        list(WebhookDelivery.objects.order_by("pk").values()),
        list(WebhookAuditEvent.objects.order_by("pk").values()),
        list(WebhookCursor.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER, Role.DISPATCHER, Role.CUSTOMER])
def test_anyone_but_an_administrator_finds_no_page_and_changes_nothing(role, subscription):
    customer = CustomerFactory() if role == Role.CUSTOMER else None
    user = UserFactory(role=role, customer=customer)
    failed = delivery_for(subscription)
    client = client_for(user)
    before = everything()
    pages = [
        reverse("webhook_subscription_list"),
        reverse("webhook_subscription_create"),
        reverse("webhook_subscription_edit", args=[subscription.pk]),
        reverse("webhook_delivery_list"),
        reverse("webhook_delivery_detail", args=[failed.pk]),
    ]
    actions = [
        reverse("webhook_subscription_create"),
        reverse("webhook_subscription_edit", args=[subscription.pk]),
        reverse("webhook_subscription_disable", args=[subscription.pk]),
        reverse("webhook_subscription_enable", args=[subscription.pk]),
        reverse("webhook_subscription_rotate_secret", args=[subscription.pk]),
        reverse("webhook_subscription_send_test", args=[subscription.pk]),
        reverse("webhook_delivery_retry", args=[failed.pk]),
    ]

    answers = [client.get(url).status_code for url in pages]
    answers += [client.post(url, form_data(allow_private_network="on")).status_code for url in actions]

    assert answers == [404] * (len(pages) + len(actions))
    assert everything() == before


def test_anonymous_visitors_are_sent_to_sign_in(subscription):
    response = Client().get(reverse("webhook_subscription_edit", args=[subscription.pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_only_an_administrator_may_allow_private_networks_even_through_the_service(subscription):
    manager = UserFactory(role=Role.MANAGER)
    before = everything()

    with pytest.raises(PermissionDenied):
        subscription_update(actor=manager, subscription=subscription, allow_private_network=True)

    assert everything() == before
