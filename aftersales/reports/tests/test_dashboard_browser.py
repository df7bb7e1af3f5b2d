"""The dashboard's charts and the KPI page in a real browser (Debian's Chromium through Playwright)."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.quality.models import FollowUp
from aftersales.tickets.choices import SlaHealth, Status
from aftersales.tickets.tests.conftest import CHROMIUM, browser, browser_problems, open_page  # noqa: F401
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.tests.test_browser_sla_board import NO_HORIZONTAL_OVERFLOW, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

SHOTS = Path("/tmp/shots")
CHARTS = ("chart-flow", "chart-sla", "chart-satisfaction")


@pytest.fixture
def desk():
    """A manager, a few weeks of tickets and follow-ups, and tickets open now."""
    now = timezone.now()
    for days in range(0, 25, 3):
        received = now - dt.timedelta(days=days, hours=2)
        resolved = TicketFactory(
            received_at=received,
            resolved_at=received + dt.timedelta(hours=1),
            status=Status.CLOSED,
            sla_health=SlaHealth.BREACHED if days % 2 else SlaHealth.OK,
        )
        FollowUp.objects.create(
            ticket=resolved, due_at=now, status="done", method="phone", score_overall=3 + days % 3, answered_at=now
        )
    TicketFactory(status=Status.IN_PROGRESS, sla_health=SlaHealth.BREACHED, priority=1)
    TicketFactory(status=Status.NEW, sla_health=SlaHealth.WARNING)
    return {"manager": UserFactory(username="manager1", role=Role.MANAGER)}


def test_the_dashboard_draws_its_three_charts_without_an_error(open_page, desk, browser_problems):  # noqa: F811
    page = open_page()
    log_in(page, desk["manager"])
    page.goto(reverse("reports_dashboard"))

    for name in CHARTS:
        chart = page.locator(f"[data-chart={name}]")
        expect(chart).to_have_attribute("data-chart-drawn", "true")
        expect(chart.locator("canvas")).to_have_count(1)
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] == 280
    expect(page.get_by_test_id("dashboard-open").locator("[data-figure]")).to_have_text("2")
    expect(page.get_by_test_id("dashboard-breached").locator("[data-figure]")).to_have_text("1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "desktop-dashboard.png", full_page=True)

    # Printing opens the tables that stand for the charts, and closes them again afterwards.
    tables = page.locator("details[data-chart-table]")
    assert tables.evaluate_all("all => all.filter(d => d.open).length") == 0
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert tables.evaluate_all("all => all.filter(d => d.open).length") == 3
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert tables.evaluate_all("all => all.filter(d => d.open).length") == 0
    assert browser_problems.seen == []


def test_the_dashboard_and_the_kpi_page_fit_a_phone(open_page, desk, browser_problems):  # noqa: F811
    page = open_page(phone=True)
    log_in(page, desk["manager"])
    page.goto(reverse("reports_dashboard"))
    for name in CHARTS:
        expect(page.locator(f"[data-chart={name}]")).to_have_attribute("data-chart-drawn", "true")
    assert page.evaluate(NO_HORIZONTAL_OVERFLOW)
    page.screenshot(path=SHOTS / "phone-dashboard.png", full_page=True)

    page.goto(reverse("kpi_table"))
    expect(page.get_by_test_id("kpi-engineers")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_OVERFLOW)
    form = page.get_by_test_id("kpi-period-form")
    expect(form.locator("[name=date]")).to_be_visible()
    expect(form.locator("[name=start]")).to_be_hidden()
    form.locator("[name=period]").select_option("range")
    expect(form.locator("[name=start]")).to_be_visible()
    expect(form.locator("[name=end]")).to_be_visible()
    expect(form.locator("[name=date]")).to_be_hidden()
    page.screenshot(path=SHOTS / "phone-kpis.png", full_page=True)
    assert browser_problems.seen == []
