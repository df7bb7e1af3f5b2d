"""The hotline pop-up in a real browser: the agent keeps the hotline page open, the telephone system reports a
call, and within seconds the caller's card pops up; the agent opens a ticket for the caller from it."""

import datetime as dt
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import PASSWORD, UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import ContactFactory, SiteFactory
from aftersales.intake.models import CallOutcome, IncomingCall
from aftersales.intake.tests.conftest import bearer, telephone_system
from aftersales.sla.models import SlaPolicy
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket
from aftersales.tickets.tests.conftest import CHROMIUM
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

NO_HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture
def world():
    if not SlaPolicy.objects.exists():  # an earlier transactional test flushed the migrations' seed data
        import_module("aftersales.tickets.migrations.0007_default_sla_policies").seed(apps, None)
    site = SiteFactory(name="滨江数据中心")
    customer = site.customer
    ContractFactory(customer=customer, number="HT-2026-0042")
    _system, token = telephone_system()
    return {
        "customer": customer,
        "site": site,
        "caller": ContactFactory(customer=customer, site=site, name="王建国", phone="+8613912345678"),
        "open_ticket": TicketFactory(customer=customer, title="存储控制器告警", received_at=timezone.now()),
        "agent": UserFactory(username="agent1", role=Role.AGENT, last_name="李", first_name="娜"),
        "token": token,
    }


def log_in(page, user) -> None:
    page.goto(reverse("login"))
    form = page.get_by_test_id("login-form")
    form.locator("#id_username").fill(user.username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tickets/$"))


def report_call(token: str, call_id: str = "pbx-77") -> None:
    """The telephone system's event, as it would arrive over HTTP."""
    response = Client().post(
        "/api/v1/telephony/calls/",
        {"call_id": call_id, "caller": "13912345678", "called": "01062908622", "agent": "agent1"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 201


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_call_pops_up_on_the_agents_screen_and_becomes_a_ticket(open_page, browser_problems, world, phone):
    page = open_page(phone=phone)
    log_in(page, world["agent"])
    page.goto(reverse("hotline"))
    expect(page.get_by_test_id("no-call-ringing")).to_be_visible()

    report_call(world["token"])

    card = page.get_by_test_id("incoming-call")
    expect(card).to_be_visible(timeout=10_000)  # polled every 3 seconds
    expect(card.get_by_test_id("caller-number")).to_contain_text("139 1234 5678")
    expect(card.get_by_test_id("caller-contact")).to_contain_text("王建国")
    expect(card.get_by_test_id("caller-customer")).to_have_text(world["customer"].name)
    expect(card.get_by_test_id("caller-entitlement")).to_have_attribute("data-kind", "warranty")
    expect(card.get_by_test_id("caller-ticket")).to_contain_text(world["open_ticket"].number)
    assert page.evaluate(NO_HORIZONTAL_OVERFLOW)

    card.get_by_test_id("new-ticket-for-caller").click()
    page.wait_for_url(re.compile(r"/hotline/calls/\d+/ticket/$"))
    expect(page.locator("#id_customer")).to_have_value(str(world["customer"].pk))
    expect(page.locator("#id_contact_name")).to_have_value("王建国")
    expect(page.locator("#id_site")).to_have_value(str(world["site"].pk))
    page.locator("#id_title").fill("服务器无法开机")
    page.locator("#id_description").fill("机房一台服务器电源灯不亮。")
    page.get_by_test_id("intake-submit").click()
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))

    ticket = Ticket.objects.exclude(pk=world["open_ticket"].pk).get()
    call = IncomingCall.objects.get()
    assert (ticket.channel, ticket.contact_name, ticket.site) == (Channel.PHONE, "王建国", world["site"])
    assert (call.ticket, call.outcome) == (ticket, CallOutcome.NEW_TICKET)
    assert ticket.received_at == call.rang_at.replace(second=0, microsecond=0)

    # Handled: back on the hotline page, nothing rings any more.
    page.goto(reverse("hotline"))
    expect(page.get_by_test_id("no-call-ringing")).to_be_visible()
    assert browser_problems.seen == []


def test_logging_the_call_on_the_callers_open_ticket_from_the_pop_up(open_page, browser_problems, world):
    page = open_page()
    log_in(page, world["agent"])
    page.goto(reverse("hotline"))
    report_call(world["token"], call_id="pbx-78")

    page.get_by_test_id("incoming-call").get_by_test_id("log-on-ticket").click(timeout=10_000)
    expect(page.locator("#id_ticket")).to_have_value(world["open_ticket"].number)
    page.locator("#id_note").fill("客户询问处理进度，已告知今天下午到场。")
    page.get_by_test_id("call-log-submit").click()
    page.wait_for_url(re.compile(rf"/tickets/{world['open_ticket'].pk}/$"))

    call = IncomingCall.objects.get()
    assert (call.ticket, call.outcome) == (world["open_ticket"], CallOutcome.LOGGED)
    assert world["open_ticket"].events.filter(kind="call_logged").count() == 1
    assert browser_problems.seen == []
    assert timezone.now() - call.handled_at < dt.timedelta(minutes=1)
