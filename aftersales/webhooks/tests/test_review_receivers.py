"""Receivers that answer what PostgreSQL cannot store, and addresses no request can be made to."""

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.webhooks.choices import DeliveryProblem, DeliveryStatus
from aftersales.webhooks.delivery import deliver_due
from aftersales.webhooks.destinations import RefusedDestination, destination_for
from aftersales.webhooks.models import WebhookDelivery, WebhookSubscription
from aftersales.webhooks.tests.conftest import PUBLIC_HOST
from aftersales.webhooks.tests.test_delivery import queue_one

pytestmark = pytest.mark.django_db


def test_an_answer_with_nul_bytes_is_recorded_and_the_delivery_is_done(subscribe_receiver, receiver):
    subscription = subscribe_receiver()
    receiver.answers.append((200, "OK".encode("utf-16-le"), {}))  # a receiver answering in UTF-16
    queue_one(subscription)

    outcome = deliver_due()

    assert outcome == {"claimed": 1, "delivered": 1, "retrying": 0, "failed": 0}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_excerpt) == (DeliveryStatus.DELIVERED, "O\ufffdK\ufffd")
    assert deliver_due() == {"claimed": 0, "delivered": 0, "retrying": 0, "failed": 0}
    assert len(receiver.requests) == 1


def test_a_failing_answer_with_nul_bytes_is_recorded_for_the_retry(subscribe_receiver, receiver):
    subscription = subscribe_receiver()
    receiver.answers.append((302, b"\x00\x01", {"Location": "/else\x00where"}))
    queue_one(subscription)

    outcome = deliver_due()

    assert outcome == {"claimed": 1, "delivered": 0, "retrying": 1, "failed": 0}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_problem) == (DeliveryStatus.PENDING, DeliveryProblem.REDIRECT)
    assert (delivery.last_error, delivery.response_excerpt) == ("HTTP 302 to /else\ufffdwhere", "\ufffd\x01")


@pytest.mark.parametrize(
    "url",
    [
        f"https://{PUBLIC_HOST}/hook with space",
        f"https://{PUBLIC_HOST}/hook\x7f",
        f"https://{PUBLIC_HOST}/hook?\x00=1",
        f"https://{PUBLIC_HOST}/ho\u3000ok",
    ],
)
def test_an_address_no_request_line_can_carry_is_refused_when_saved(subscribe, url):
    with pytest.raises(RefusedDestination) as refused:
        destination_for(url, allow_private_network=False)
    assert refused.value.problem == DeliveryProblem.INVALID_URL

    with pytest.raises(ValidationFailed) as invalid:
        subscribe(url)
    assert list(invalid.value.detail) == ["url"]
    assert not WebhookSubscription.objects.exists()


def test_a_percent_encoded_address_is_kept_as_written_and_chinese_is_percent_encoded():
    written = destination_for(f"https://{PUBLIC_HOST}/hook%20a?x=%E4%B8%AD&y=1", allow_private_network=False)
    chinese = destination_for(f"https://{PUBLIC_HOST}/工单/回调?来源=售后", allow_private_network=False)

    assert written.target == "/hook%20a?x=%E4%B8%AD&y=1"
    assert chinese.target == "/%E5%B7%A5%E5%8D%95/%E5%9B%9E%E8%B0%83?%E6%9D%A5%E6%BA%90=%E5%94%AE%E5%90%8E"


def test_a_chinese_path_reaches_the_receiver_percent_encoded(subscribe, receiver, resolver):
    subscription, secret = subscribe(f"http://127.0.0.1:{receiver.port}/钩子?来源=售后", allow_private_network=True)
    receiver.secret = secret
    queue_one(subscription)

    assert deliver_due()["delivered"] == 1
    assert receiver.requests[0].path == "/%E9%92%A9%E5%AD%90?%E6%9D%A5%E6%BA%90=%E5%94%AE%E5%90%8E"
