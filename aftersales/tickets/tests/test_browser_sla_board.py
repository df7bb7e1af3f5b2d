"""The SLA board in a real browser (Debian's Chromium through Playwright), against the live server."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import PASSWORD, UserFactory
from aftersales.tickets.choices import SlaHealth, Status
from aftersales.tickets.tests.conftest import CHROMIUM
from aftersales.tickets.tests.test_sla_board import with_clock

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

SHOTS = Path("/tmp/shots")
NO_HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"
HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


@pytest.fixture
def world():
    """A dispatcher, two engineers, and open tickets in every state of health."""
    zhang = UserFactory(username="engineer1", role=Role.ENGINEER, last_name="张", first_name="伟")
    li = UserFactory(username="engineer2", role=Role.ENGINEER, last_name="李", first_name="娜")
    return {
        "dispatcher": UserFactory(username="dispatcher1", role=Role.DISPATCHER),
        "zhang": zhang,
        "li": li,
        "calm": with_clock(health=SlaHealth.OK, due_in=dt.timedelta(hours=3), assignee=zhang, title="打印机卡纸"),
        "at_risk": with_clock(
            health=SlaHealth.WARNING, due_in=dt.timedelta(minutes=10), assignee=zhang, title="存储阵列告警"
        ),
        "late": with_clock(
            health=SlaHealth.BREACHED, due_in=-dt.timedelta(minutes=40), assignee=li, title="核心交换机宕机"
        ),
        "waiting": with_clock(
            health=SlaHealth.PAUSED, due_in=None, status=Status.PENDING_CUSTOMER, title="等待用户开机房"
        ),
    }


def log_in(page, user) -> None:
    page.goto(reverse("login"))
    form = page.get_by_test_id("login-form")
    form.locator("#id_username").fill(user.username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tickets/$"))


def numbers_on(page) -> list[str]:
    return page.locator("[data-testid=sla-board-row]").evaluate_all("rows => rows.map(row => row.dataset.ticket)")


def test_the_dispatcher_sees_the_breach_first_and_narrows_the_board_to_one_engineer(open_page, world, browser_problems):
    page = open_page()
    log_in(page, world["dispatcher"])
    page.locator(f"#main-menu a[href='{reverse('sla_board')}']").click()
    page.wait_for_url(re.compile(r"/sla/$"))

    rows = page.get_by_test_id("sla-board-row")
    expect(rows).to_have_count(4)
    expect(rows.first).to_have_attribute("data-health", "breached")
    expect(rows.first).to_have_class(re.compile(r"\btable-danger\b"))
    expect(rows.first).to_contain_text(world["late"].number)
    assert numbers_on(page) == [world[name].number for name in ("late", "at_risk", "calm", "waiting")]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "desktop-sla-board.png", full_page=True)

    with page.expect_response(lambda response: "assignee=" in response.url and response.status == 200):
        page.get_by_test_id("sla-board-filter").locator("[name=assignee]").select_option(str(world["zhang"].pk))
    page.wait_for_function(HTMX_IDLE)

    expect(rows).to_have_count(2)
    assert numbers_on(page) == [world["at_risk"].number, world["calm"].number]
    expect(rows.first).to_have_attribute("data-health", "warning")
    for cell in page.get_by_test_id("sla-board-assignee").all():
        expect(cell).to_have_text("张伟")
    assert f"assignee={world['zhang'].pk}" in page.url
    # The next refresh asks for the same engineer's tickets.
    expect(page.get_by_test_id("sla-board")).to_have_attribute("hx-get", re.compile(f"assignee={world['zhang'].pk}"))
    assert browser_problems.seen == []


def test_the_board_fits_a_phone(open_page, world, browser_problems):
    phone = open_page(phone=True)
    log_in(phone, world["dispatcher"])
    phone.goto(reverse("sla_board"))

    expect(phone.get_by_test_id("sla-board-row")).to_have_count(4)
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW), "the board scrolls sideways on a phone"
    # Number, priority and the due time stay on screen; the title and customer move under the number.
    first = phone.get_by_test_id("sla-board-row").first
    expect(first.locator(".ticket-title-sm").first).to_be_visible()
    expect(first.get_by_test_id("sla-board-remaining")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SHOTS / "phone-sla-board.png", full_page=True)

    phone.goto(reverse("sla_report"))
    expect(phone.get_by_test_id("sla-report-form")).to_be_visible()
    expect(phone.get_by_test_id("sla-report-table")).to_be_visible()
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW), "the report scrolls sideways on a phone"
    phone.screenshot(path=SHOTS / "phone-sla-report.png", full_page=True)
    assert browser_problems.seen == []
