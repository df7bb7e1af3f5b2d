"""The service report and the monthly statistics in a real browser (Debian's Chromium through Playwright): the
charts are drawn, nothing breaks the Content Security Policy, and the customer's page fits a phone."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.reports.periods import month_of
from aftersales.reports.tests import test_statistics
from aftersales.reports.tests.test_service_report_views import make_report
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
beijing = test_statistics.beijing


@pytest.fixture
def released():
    """A released September report with faults on a piece of equipment, and a user of its customer."""
    contract = ContractFactory(number="HT-2026-0777", customer__name="杭州市住房公积金管理中心")
    server = AssetFactory(site__customer=contract.customer, contract=contract, product__name="核心数据库服务器")
    for day, kind in ((3, "major_fault"), (9, "general_fault"), (15, "consultation")):
        ticket = TicketFactory(
            customer=contract.customer,
            contract=contract,
            kind=kind,
            received_at=beijing(9, day),
            resolved_at=beijing(9, day, 15),
            status="closed",
            title="数据库服务器无法连接",
        )
        ticket.assets.set([server])
    report = make_report(contract, period=month_of(dt.date(2026, 9, 1)))
    return {"report": report, "customer": UserFactory(role=Role.CUSTOMER, customer=contract.customer)}


def test_a_customer_reads_its_report_with_charts_on_a_phone(open_page, released, browser_problems):  # noqa: F811
    page = open_page(phone=True)
    log_in(page, released["customer"])
    page.goto(reverse("service_report_list"))
    page.get_by_test_id("service-report-row").first.locator("a").first.click()

    for name in ("chart-kinds", "chart-compliance", "chart-availability"):
        expect(page.locator(f"[data-chart={name}]")).to_have_attribute("data-chart-drawn", "true")
    expect(page.get_by_test_id("figure-total")).to_have_text("3")
    expect(page.get_by_test_id("service-report-pdf")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_OVERFLOW), "the report scrolls sideways on a phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "phone-service-report.png", full_page=True)
    assert browser_problems.seen == []


def test_the_monthly_statistics_draw_their_charts_for_staff(open_page, browser_problems):  # noqa: F811
    TicketFactory(received_at=beijing(10, 5), kind="major_fault", title="存储告警")
    TicketFactory(received_at=beijing(10, 6), kind="consultation", title="存储扩容咨询")
    manager = UserFactory(role=Role.MANAGER)
    page = open_page()
    log_in(page, manager)
    page.goto(reverse("monthly_statistics") + "?month=2026-10")

    for name in ("chart-kinds", "chart-categories", "chart-customers"):
        expect(page.locator(f"[data-chart={name}]")).to_have_attribute("data-chart-drawn", "true")
    expect(page.get_by_test_id("statistics-total")).to_have_text("2")
    page.screenshot(path=SHOTS / "desktop-statistics.png", full_page=True)
    phone = open_page(phone=True)
    log_in(phone, manager)
    phone.goto(reverse("monthly_statistics") + "?month=2026-10")
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW), "the statistics scroll sideways on a phone"
    assert browser_problems.seen == []
