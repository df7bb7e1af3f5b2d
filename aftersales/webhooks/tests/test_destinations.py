"""The SSRF guard: which addresses a webhook may reach, checked when saved and again at every delivery."""

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.webhooks.choices import DeliveryProblem, DeliveryStatus
from aftersales.webhooks.delivery import deliver_due
from aftersales.webhooks.destinations import RefusedDestination, destination_for, is_forbidden
from aftersales.webhooks.models import WebhookAuditEvent, WebhookDelivery, WebhookSubscription
from aftersales.webhooks.tests.conftest import PUBLIC_ADDRESS, PUBLIC_HOST

REFUSED = [
    "127.0.0.1",  # loopback
    "127.255.0.9",
    "10.0.0.1",  # 10/8
    "10.255.255.254",
    "172.16.5.4",
    "192.168.1.10",
    "169.254.169.254",  # link-local: the cloud metadata service
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "0.0.0.0",  # unspecified: Linux connects it to the local host
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "::1",  # IPv6 loopback
    "::",
    "fe80::1",  # IPv6 link-local
    "fc00::1",  # unique local
    "fec0::1",  # site-local (deprecated)
    "ff02::1",  # multicast
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",  # IPv4-mapped private
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2001:db8::1",  # documentation
]
ALLOWED = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_private_local_and_special_addresses_are_refused(address):
    assert is_forbidden(address) is True


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address):
    assert is_forbidden(address) is False


@pytest.mark.parametrize("address", ["10.0.0.1", "127.0.0.1", "::1", "169.254.169.254", "fd12::1"])
def test_a_subscription_that_allows_private_networks_may_reach_them(address):
    assert is_forbidden(address, allow_private_network=True) is False


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "224.0.0.1", "ff02::1"])
def test_unspecified_and_multicast_stay_refused_even_for_private_networks(address):
    assert is_forbidden(address, allow_private_network=True) is True


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.1.2.3:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[::ffff:a00:1]/hook",
        "http://2130706433/hook",  # 127.0.0.1 written as one number: resolved, then refused
        "http://0x7f.1/hook",
        "http://localhost/hook",
    ],
)
def test_addresses_that_are_or_resolve_to_local_ones_are_refused(url, resolver):
    resolver.answers.update({"localhost": ["127.0.0.1", "::1"], "2130706433": ["127.0.0.1"], "0x7f.1": ["127.0.0.1"]})

    with pytest.raises(RefusedDestination) as refused:
        destination_for(url, allow_private_network=False)

    assert refused.value.problem == DeliveryProblem.REFUSED_ADDRESS


def test_a_host_name_resolving_to_a_private_address_is_refused(resolver):
    resolver.answers["intranet.example.com"] = ["10.20.30.40"]

    with pytest.raises(RefusedDestination) as refused:
        destination_for("https://intranet.example.com/hook", allow_private_network=False)

    assert (refused.value.problem, refused.value.host, refused.value.addresses) == (
        DeliveryProblem.REFUSED_ADDRESS,
        "intranet.example.com",
        ("10.20.30.40",),
    )


def test_one_private_address_among_public_ones_is_enough_to_refuse(resolver):
    resolver.answers["mixed.example.com"] = [PUBLIC_ADDRESS, "2606:4700:4700::1111", "::ffff:192.168.0.1"]

    with pytest.raises(RefusedDestination) as refused:
        destination_for("https://mixed.example.com/", allow_private_network=False)

    assert refused.value.addresses == ("::ffff:192.168.0.1",)


def test_a_public_host_gives_its_checked_addresses_host_port_and_target(resolver):
    destination = destination_for(
        f"https://{PUBLIC_HOST.upper()}:8443/in/aftersales?key=1#frag", allow_private_network=False
    )

    assert (destination.scheme, destination.host, destination.port, destination.target, destination.addresses) == (
        "https",
        PUBLIC_HOST,
        8443,
        "/in/aftersales?key=1",
        (PUBLIC_ADDRESS,),
    )
    assert resolver.lookups == [PUBLIC_HOST]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "file:///etc/passwd",
        "gopher://hooks.example.com/",
        "hooks.example.com/hook",
        "https:///hook",
        "https://user:password@hooks.example.com/hook",
        "https://hooks.example.com:99999/hook",
    ],
)
def test_only_plain_http_and_https_addresses_are_accepted(url):
    with pytest.raises(RefusedDestination) as refused:
        destination_for(url, allow_private_network=False)

    assert refused.value.problem == DeliveryProblem.INVALID_URL


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(RefusedDestination) as refused:
        destination_for("https://nowhere.invalid/hook", allow_private_network=False)

    assert refused.value.problem == DeliveryProblem.UNRESOLVABLE


# When saved -----------------------------------------------------------------------------------------


def test_saving_a_subscription_to_a_private_address_is_refused_and_saves_nothing(subscribe, resolver):
    resolver.answers["intranet.example.com"] = ["10.20.30.40"]

    with pytest.raises(ValidationFailed) as refused:
        subscribe("https://intranet.example.com/hook")

    assert set(refused.value.detail) == {"url"}
    assert "10.20.30.40" in str(refused.value.detail["url"][0])
    assert not WebhookSubscription.objects.exists()
    assert not WebhookAuditEvent.objects.exists()


def test_changing_the_address_to_a_metadata_service_is_refused_and_changes_nothing(subscribe, admin):
    from aftersales.webhooks.services import subscription_update

    subscription, _secret = subscribe()

    with pytest.raises(ValidationFailed):
        subscription_update(actor=admin, subscription=subscription, url="http://169.254.169.254/latest/meta-data/")

    subscription.refresh_from_db()
    assert subscription.url == f"https://{PUBLIC_HOST}/hook"
    assert WebhookAuditEvent.objects.filter(subscription=subscription).count() == 1  # created only


def test_turning_off_private_networks_is_refused_while_the_address_is_private(subscribe, admin, receiver):
    from aftersales.webhooks.services import subscription_update

    subscription, _secret = subscribe(receiver.url, allow_private_network=True)

    with pytest.raises(ValidationFailed) as refused:
        subscription_update(actor=admin, subscription=subscription, allow_private_network=False)

    assert set(refused.value.detail) == {"url"}
    subscription.refresh_from_db()
    assert subscription.allow_private_network is True


# At delivery ----------------------------------------------------------------------------------------


def test_an_address_that_turns_private_after_saving_is_refused_at_delivery(subscribe, resolver, receiver):
    """DNS rebinding across time: the name was public when saved, points inside when the event is sent."""
    resolver.answers["rebind.example.com"] = [PUBLIC_ADDRESS]
    subscription, _secret = subscribe(f"http://rebind.example.com:{receiver.port}/hook")
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, source_kind="test", source_event_id=1, event="webhook.test", payload={}
    )
    resolver.answers["rebind.example.com"] = ["127.0.0.1"]

    outcome = deliver_due()

    assert outcome == {"claimed": 1, "delivered": 0, "retrying": 1, "failed": 0}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_problem, delivery.last_http_status) == (
        DeliveryStatus.PENDING,
        1,
        DeliveryProblem.REFUSED_ADDRESS,
        None,
    )
    assert "127.0.0.1" in delivery.last_error
    assert receiver.requests == []


def test_the_connection_goes_to_the_address_that_was_checked_not_to_a_second_lookup(subscribe, resolver, receiver):
    """Each attempt resolves once; a resolver that would answer differently the next time is never asked again."""
    answers = iter([["127.0.0.1"], ["127.0.0.1"], ["169.254.169.254"]])
    resolver.answers["pinned.example.com"] = lambda: next(answers)
    subscription, secret = subscribe(f"http://pinned.example.com:{receiver.port}/hook", allow_private_network=True)
    receiver.secret = secret
    WebhookDelivery.objects.create(
        subscription=subscription, source_kind="test", source_event_id=1, event="webhook.test", payload={"a": 1}
    )

    deliver_due()

    assert resolver.lookups == ["pinned.example.com", "pinned.example.com"]  # saving, then this attempt
    (request,) = receiver.requests
    assert request.headers["Host"] == f"pinned.example.com:{receiver.port}"
    assert request.signature_valid
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
