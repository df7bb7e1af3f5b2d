"""Deliveries POSTed to a real receiver on 127.0.0.1: signed, retried with backoff, given up, retried by hand."""

import datetime as dt
import json
import ssl
import threading
import time
from http.server import ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.tickets import services as tickets
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.webhooks import transport
from aftersales.webhooks.choices import AuditKind, DeliveryProblem, DeliveryStatus
from aftersales.webhooks.delivery import deliver_due
from aftersales.webhooks.models import WebhookAuditEvent, WebhookDelivery
from aftersales.webhooks.services import delivery_retry, subscription_send_test
from aftersales.webhooks.signing import verify
from aftersales.webhooks.sweep import events_sweep
from aftersales.webhooks.tests.conftest import _handler

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return UserFactory(username="webhook-agent", role=Role.AGENT)


def queue_one(subscription, payload=None, source_event_id=1):
    return WebhookDelivery.objects.create(
        subscription=subscription,
        source_kind="test",
        source_event_id=source_event_id,
        event="webhook.test",
        payload=payload or {"event": "webhook.test", "n": source_event_id},
    )


def test_a_ticket_event_reaches_the_receiver_signed_and_the_receiver_verifies_it(subscribe_receiver, receiver, agent):
    subscribe_receiver(events=["ticket.status_changed", "ticket.commented"])
    customer = CustomerFactory()
    ticket = TicketFactory(customer=customer, number="SR202611220007", status="new", priority=2)
    tickets.comment_add(actor=agent, ticket=ticket, body="客户说机房空调也坏了。", is_public=True)
    tickets.comment_add(actor=agent, ticket=ticket, body="内部：合同快到期。", is_public=False)
    events_sweep()

    outcome = deliver_due()

    assert outcome == {"claimed": 1, "delivered": 1, "retrying": 0, "failed": 0}
    (request,) = receiver.requests
    assert request.signature_valid, "the receiver's own HMAC check failed"
    delivery = WebhookDelivery.objects.get()
    assert request.path == "/hooks/aftersales?source=test"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Aftersales-Event"] == "ticket.commented"
    assert request.headers["X-Aftersales-Delivery"] == str(delivery.pk)
    assert abs(int(request.headers["X-Aftersales-Timestamp"]) - time.time()) < 60
    assert verify(
        receiver.secret,
        timestamp=request.headers["X-Aftersales-Timestamp"],
        signature_header=request.headers["X-Aftersales-Signature"],
        body=request.body,
    )
    event = ticket.events.get(kind="commented", data__public=True)
    assert request.json == {
        "event": "ticket.commented",
        "event_id": event.pk,
        "at": event.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "ticket": {
            "number": "SR202611220007",
            "status": "new",
            "priority": 2,
            "kind": "general_fault",
            "customer_id": customer.pk,
        },
    }
    assert "空调" not in request.body.decode() and "合同" not in request.body.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_http_status, delivery.response_excerpt) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
        "thanks",
    )


def test_a_wrong_secret_is_caught_by_the_receiver(subscribe_receiver, receiver):
    subscription = subscribe_receiver()
    receiver.secret = "not-the-secret"
    queue_one(subscription)

    deliver_due()

    (request,) = receiver.requests
    assert request.signature_valid is False
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_http_status, delivery.last_problem) == (
        DeliveryStatus.PENDING,
        401,
        DeliveryProblem.HTTP_STATUS,
    )


def test_a_status_change_says_from_and_to(subscribe_receiver, receiver, agent):
    engineer = UserFactory(role=Role.ENGINEER)
    subscribe_receiver(events=["ticket.status_changed"])
    ticket = TicketFactory(status="assigned", assignee=engineer)
    tickets.ticket_transition(actor=engineer, ticket=ticket, action="accept", version=1)
    events_sweep()

    deliver_due()

    (request,) = receiver.requests
    assert request.json["change"] == {"from_status": "assigned", "to_status": "in_progress"}
    assert request.json["ticket"]["status"] == "in_progress"


def test_a_redirect_is_not_followed_and_counts_as_a_failure(subscribe_receiver, receiver):
    subscription = subscribe_receiver()
    receiver.answers.append((302, b"", {"Location": f"http://127.0.0.1:{receiver.port}/elsewhere"}))
    queue_one(subscription)

    outcome = deliver_due()

    assert outcome["retrying"] == 1
    assert [request.path for request in receiver.requests] == ["/hooks/aftersales?source=test"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_http_status, delivery.last_problem) == (
        DeliveryStatus.PENDING,
        302,
        DeliveryProblem.REDIRECT,
    )
    assert "/elsewhere" in delivery.last_error


def test_failures_are_retried_with_growing_waits_then_delivered(subscribe_receiver, receiver, settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 60
    subscription = subscribe_receiver()
    receiver.answers += [(500, b"database down", {}), (503, b"still down", {})]
    delivery = queue_one(subscription)
    start = timezone.now()

    first = deliver_due(now=start)
    delivery.refresh_from_db()
    assert first["retrying"] == 1
    assert (delivery.status, delivery.attempts, delivery.last_http_status, delivery.response_excerpt) == (
        DeliveryStatus.PENDING,
        1,
        500,
        "database down",
    )
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=60)
    assert deliver_due(now=start + dt.timedelta(seconds=59))["claimed"] == 0  # not yet due

    deliver_due(now=start + dt.timedelta(seconds=60))
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_http_status) == (2, 503)
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=60 + 120)

    last = deliver_due(now=start + dt.timedelta(seconds=180))
    delivery.refresh_from_db()
    assert last["delivered"] == 1
    assert (delivery.status, delivery.attempts, delivery.last_http_status, delivery.last_problem) == (
        DeliveryStatus.DELIVERED,
        3,
        200,
        "",
    )
    assert delivery.delivered_at == start + dt.timedelta(seconds=180)
    assert len(receiver.requests) == 3
    assert all(request.signature_valid for request in receiver.requests)
    assert len({request.headers["X-Aftersales-Delivery"] for request in receiver.requests}) == 1


def test_after_the_last_attempt_the_delivery_is_failed_until_an_administrator_retries(
    subscribe_receiver, receiver, settings, admin
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 1
    subscription = subscribe_receiver()
    receiver.answers += [(500, b"", {}), (500, b"", {})]
    delivery = queue_one(subscription)
    start = timezone.now()

    deliver_due(now=start)
    outcome = deliver_due(now=start + dt.timedelta(seconds=1))
    delivery.refresh_from_db()
    assert outcome["failed"] == 1
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert deliver_due(now=start + dt.timedelta(days=1))["claimed"] == 0  # failed stays failed

    delivery_retry(actor=admin, delivery=delivery, now=start + dt.timedelta(days=1))
    outcome = deliver_due(now=start + dt.timedelta(days=1))

    delivery.refresh_from_db()
    assert outcome["delivered"] == 1
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 3)
    audit = WebhookAuditEvent.objects.get(kind=AuditKind.DELIVERY_RETRIED)
    assert (audit.actor, audit.data) == (admin, {"delivery": delivery.pk})


def test_the_test_button_sends_a_signed_test_event(subscribe_receiver, receiver, admin):
    subscription = subscribe_receiver()

    delivery = subscription_send_test(actor=admin, subscription=subscription)
    deliver_due()

    (request,) = receiver.requests
    assert request.signature_valid
    assert request.headers["X-Aftersales-Event"] == "webhook.test"
    assert request.json["subscription"] == {"id": subscription.pk, "name": subscription.name}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    audit = WebhookAuditEvent.objects.get(kind=AuditKind.TEST_SENT)
    assert (audit.actor, audit.data, delivery.source_event_id) == (admin, {"delivery": delivery.pk}, audit.pk)


def test_a_long_answer_is_read_only_up_to_the_cap_and_kept_as_an_excerpt(subscribe_receiver, receiver):
    subscription = subscribe_receiver()
    receiver.answers.append((200, b"x" * (2 * 1024 * 1024), {}))
    queue_one(subscription)

    deliver_due()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.response_excerpt == "x" * transport.EXCERPT_CHARACTERS


def test_a_receiver_that_does_not_answer_in_time_is_a_timeout(subscribe_receiver, receiver, monkeypatch):
    subscription = subscribe_receiver()
    monkeypatch.setattr(transport, "CONNECT_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr(transport, "TOTAL_TIMEOUT_SECONDS", 0.5)
    release = threading.Event()
    original = receiver.checks

    def slow(headers, body):
        release.wait(5)
        return original(headers, body)

    monkeypatch.setattr(receiver, "checks", slow)
    queue_one(subscription)

    started = time.monotonic()
    deliver_due()
    release.set()

    assert time.monotonic() - started < 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_problem) == (DeliveryStatus.PENDING, DeliveryProblem.TIMEOUT)


def test_nothing_listening_is_a_connection_problem(subscribe):
    subscription, _secret = subscribe("http://127.0.0.1:9/hook", allow_private_network=True)
    queue_one(subscription)

    deliver_due()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_problem, delivery.last_http_status) == (
        DeliveryStatus.PENDING,
        DeliveryProblem.CONNECTION,
        None,
    )


def test_a_disabled_subscriptions_deliveries_are_not_sent(subscribe_receiver, receiver, admin):
    from aftersales.webhooks.services import subscription_set_active

    subscription = subscribe_receiver()
    delivery = queue_one(subscription)

    subscription_set_active(actor=admin, subscription=subscription, active=False)
    outcome = deliver_due()

    assert outcome["claimed"] == 0
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_problem) == (DeliveryStatus.FAILED, DeliveryProblem.DISABLED)


def test_a_lease_still_held_by_another_worker_is_left_alone(subscribe_receiver, receiver):
    subscription = subscribe_receiver()
    delivery = queue_one(subscription)
    later = timezone.now() + dt.timedelta(minutes=1)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, next_attempt_at=later)

    assert deliver_due()["claimed"] == 0
    assert deliver_due(now=later)["delivered"] == 1  # the lease ran out: the worker died, the row is due again


# HTTPS: the name is checked on the certificate while the socket goes to the checked address ------------


def _certificate(tmp_path, name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """A receiver with a certificate for hooks.internal.test, trusted by the sender for this test only."""
    from aftersales.webhooks.tests.conftest import Receiver

    cert_file, key_file = _certificate(tmp_path, "hooks.internal.test")
    receiver = Receiver()
    server_names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def trusting():
        client = ssl.create_default_context(cafile=str(cert_file))
        return client

    monkeypatch.setattr(transport, "tls_context", trusting)
    yield receiver, server_names
    server.shutdown()
    server.server_close()


def test_https_keeps_the_host_name_for_sni_certificate_and_host_header(tls_receiver, resolver, subscribe):
    receiver, server_names = tls_receiver
    resolver.answers["hooks.internal.test"] = ["127.0.0.1"]
    subscription, receiver.secret = subscribe(
        f"https://hooks.internal.test:{receiver.port}/in", allow_private_network=True
    )
    queue_one(subscription)

    outcome = deliver_due()

    assert outcome["delivered"] == 1
    assert server_names == ["hooks.internal.test"]
    (request,) = receiver.requests
    assert request.headers["Host"] == f"hooks.internal.test:{receiver.port}"
    assert request.signature_valid


def test_https_to_a_host_the_certificate_does_not_name_is_refused(tls_receiver, resolver, subscribe):
    receiver, _names = tls_receiver
    resolver.answers["impostor.internal.test"] = ["127.0.0.1"]
    subscription, receiver.secret = subscribe(
        f"https://impostor.internal.test:{receiver.port}/in", allow_private_network=True
    )
    queue_one(subscription)

    deliver_due()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_problem) == (DeliveryStatus.PENDING, DeliveryProblem.TLS)
    assert receiver.requests == []


def test_the_payload_bytes_are_compact_sorted_utf8_json(subscribe_receiver, receiver):
    subscription = subscribe_receiver()
    queue_one(subscription, payload={"z": 1, "event": "webhook.test", "名称": "测试"})

    deliver_due()

    (request,) = receiver.requests
    assert (
        request.body
        == json.dumps(
            {"event": "webhook.test", "z": 1, "名称": "测试"}, ensure_ascii=False, separators=(",", ":")
        ).encode()
    )
