"""The administrator's webhook journey in a real browser, on a phone: subscribe a receiver, copy the secret
shown once, send a test event, and find it delivered in the log."""

import re

import pytest
from django.urls import reverse

from aftersales.accounts.tests.factories import PASSWORD
from aftersales.tickets.tests.conftest import CHROMIUM, browser, browser_problems, open_page  # noqa: F401
from aftersales.webhooks.delivery import deliver_due
from aftersales.webhooks.models import WebhookSubscription

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

NO_HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def log_in(page, user) -> None:
    page.goto(reverse("login"))
    form = page.get_by_test_id("login-form")
    form.locator("#id_username").fill(user.username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tickets/$"))


def test_an_administrator_subscribes_a_receiver_and_sees_the_test_event_delivered(
    open_page,  # noqa: F811
    browser_problems,  # noqa: F811
    admin,
    receiver,
):
    page = open_page(phone=True)
    log_in(page, admin)

    page.goto(reverse("webhook_subscription_list"))
    page.get_by_test_id("new-subscription").click()
    form = page.get_by_test_id("subscription-form")
    form.locator("#id_name").fill("运维平台")
    form.locator("#id_url").fill(receiver.url)
    form.locator("#id_allow_private_network").check()
    form.locator("input[value='ticket.status_changed']").check()
    form.locator("input[value='work_order.signed']").check()
    assert page.evaluate(NO_HORIZONTAL_OVERFLOW)
    form.locator("button[type=submit]").click()

    secret = page.get_by_test_id("secret").input_value()
    receiver.secret = secret
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret() == secret
    assert subscription.event_kinds == ["ticket.status_changed", "work_order.signed"]
    page.get_by_role("link", name=re.compile("我已复制|I have copied it")).click()
    expect(page.get_by_test_id("secret")).to_have_count(0)

    page.get_by_test_id("send-test").click()
    expect(page.get_by_test_id("recent-deliveries")).to_contain_text("webhook.test")
    assert deliver_due()["delivered"] == 1
    page.goto(reverse("webhook_delivery_list"))
    row = page.get_by_test_id("delivery-row").first
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "delivered")
    assert page.evaluate(NO_HORIZONTAL_OVERFLOW)
    (request,) = receiver.requests
    assert request.signature_valid
    assert browser_problems.seen == []
