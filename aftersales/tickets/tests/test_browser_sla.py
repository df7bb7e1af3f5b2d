"""The SLA on the ticket page in a real browser (Debian's Chromium through Playwright), against the live server.

The services, the sweep and the live server all read one frozen `timezone.now`, so the clocks are the same
on every run.
"""

import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import PASSWORD, UserFactory
from aftersales.sla.choices import Clock
from aftersales.sla.models import SlaPolicy
from aftersales.tickets.models import SlaEscalation
from aftersales.tickets.services import sla_sweep, ticket_assign
from aftersales.tickets.tests.conftest import CHROMIUM
from aftersales.tickets.tests.sla_helpers import FrozenClock, beijing, catastrophic_fault

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

SHOTS = Path("/tmp/shots")
NO_HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def log_in(page, user) -> None:
    page.goto(reverse("login"))
    form = page.get_by_test_id("login-form")
    form.locator("#id_username").fill(user.username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tickets/$"))


@pytest.fixture
def breached(monkeypatch):
    """A catastrophic fault logged at 23:50 on 1 October, given to an engineer, unanswered at 00:21."""
    if not SlaPolicy.objects.exists():  # an earlier transactional test flushed the migrations' seed data
        import_module("aftersales.tickets.migrations.0007_default_sla_policies").seed(apps, None)
    clock = FrozenClock(monkeypatch, beijing(10, 1, 23, 50))
    agent = UserFactory(username="agent1", role=Role.AGENT)
    engineer = UserFactory(username="engineer1", role=Role.ENGINEER, last_name="张", first_name="伟")
    ticket = catastrophic_fault(agent)
    ticket = ticket_assign(actor=agent, ticket=ticket, assignee=engineer, version=None)
    sla_sweep(now=clock.set(beijing(10, 2, 0, 21)))
    return {"ticket": ticket, "clock": clock, "engineer": engineer}


def test_a_dispatcher_sees_the_breached_response_and_takes_it_on(open_page, breached, browser_problems):
    ticket = breached["ticket"]
    dispatcher = UserFactory(username="dispatcher1", role=Role.DISPATCHER)
    late = SlaEscalation.objects.get(ticket=ticket, clock=Clock.RESPONSE, percent=100)

    page = open_page()
    log_in(page, dispatcher)
    page.goto(ticket.get_absolute_url())

    card = page.get_by_test_id("sla-card")
    response = card.locator("[data-clock=response]")
    expect(response).to_have_attribute("data-status", "breached")
    expect(response.get_by_test_id("clock-status")).to_have_class(re.compile(r"\bbg-red-lt\b"))
    expect(response.get_by_test_id("clock-due")).to_contain_text("2026-10-02 00:20")
    expect(card.locator("[data-clock=arrival]")).to_have_attribute("data-status", "running")
    # The clock's own story is folded away until asked for.
    story = response.get_by_test_id("clock-timeline")
    expect(story.locator("li")).to_have_count(4)
    expect(story.locator("li").first).to_be_hidden()
    story.locator("summary").click()
    expect(story.locator("li").last).to_contain_text("2026-10-02 00:20")

    rows = card.get_by_test_id("escalations").locator("li[data-escalation]")
    expect(rows).to_have_count(3)
    row = card.locator(f"[data-escalation='{late.pk}']")
    row.get_by_test_id("acknowledge").click()

    expect(row.get_by_test_id("acknowledged")).to_contain_text("dispatcher1")
    expect(card.get_by_test_id("acknowledge")).to_have_count(0)  # the rest of the response ladder is quiet
    expect(page.get_by_test_id("timeline").locator("li[data-event=escalation_acknowledged]")).to_have_count(1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "desktop-ticket-sla.png", full_page=True)
    late.refresh_from_db()
    assert (late.acknowledged_by, late.acknowledged_at) == (dispatcher, beijing(10, 2, 0, 21))
    assert browser_problems.seen == []


def test_an_engineer_on_a_phone_records_the_arrival(open_page, breached, browser_problems):
    ticket, engineer = breached["ticket"], breached["engineer"]
    breached["clock"].set(beijing(10, 2, 1, 40))

    phone = open_page(phone=True)
    log_in(phone, engineer)
    phone.goto(ticket.get_absolute_url())
    card = phone.get_by_test_id("sla-card")
    expect(card.locator("[data-clock=arrival]")).to_have_attribute("data-status", "at_risk")
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)

    arrival = phone.get_by_test_id("arrival-form")
    phone.locator("details:has([data-testid=arrival-form]) > summary").tap()
    arrival.locator("#id_note").fill("已到机房，开始排查")
    arrival.locator("button[type=submit]").tap()

    expect(card.locator("[data-clock=arrival]")).to_have_attribute("data-status", "met")
    expect(card.locator("[data-clock=escalation]")).to_have_attribute("data-status", "running")
    expect(phone.get_by_test_id("arrival-form")).to_have_count(0)
    expect(phone.get_by_test_id("timeline").locator("li[data-event=arrived]")).to_contain_text("01:40")
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SHOTS / "phone-ticket-sla.png", full_page=True)
    ticket.refresh_from_db()
    assert ticket.arrived_at == beijing(10, 2, 1, 40)
    assert browser_problems.seen == []
