"""The main journeys in a real browser (Debian's Chromium through Playwright), against the live server.

Each person works in their own browser context and signs in through the login page.
"""

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import PASSWORD, UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.contracts.tests.factories import ContractFactory, WarrantyTermFactory
from aftersales.customers.tests.factories import ContactFactory, SiteFactory
from aftersales.tickets.choices import Status
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_create
from aftersales.tickets.tests.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

SHOTS = Path("/tmp/shots")
TICKET_URL = re.compile(r"/tickets/(\d+)/$")
NO_HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"
HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


@pytest.fixture
def world():
    """A customer with one site, a contract with a three-year hardware warranty, one asset still
    under warranty and one long out of it, a caller, and the people who handle the request."""
    site = SiteFactory(name="滨江数据中心")
    customer = site.customer
    contract = ContractFactory(customer=customer)
    WarrantyTermFactory(contract=contract, asset_class="hardware", years=3)
    today = timezone.localdate()
    return {
        "customer": customer,
        "site": site,
        "contract": contract,
        "asset": AssetFactory(site=site, contract=contract, acceptance_date=today - dt.timedelta(days=200)),
        "old_asset": AssetFactory(site=site, contract=contract, acceptance_date=today - dt.timedelta(days=5 * 365)),
        "caller": ContactFactory(customer=customer, site=site, name="王建国", phone="+8613912345678"),
        # Another customer's caller, whom none of the searches below may match.
        "other_caller": ContactFactory(name="李四", phone="+8615000000000"),
        "agent": UserFactory(username="agent1", role=Role.AGENT),
        "dispatcher": UserFactory(username="dispatcher1", role=Role.DISPATCHER),
        "engineer": UserFactory(username="engineer1", role=Role.ENGINEER, last_name="张", first_name="伟"),
        "customer_user": UserFactory(username="customer1", role=Role.CUSTOMER, customer=customer),
    }


def log_in(page, user) -> None:
    page.goto(reverse("login"))
    form = page.get_by_test_id("login-form")
    form.locator("#id_username").fill(user.username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tickets/$"))
    expect(page.get_by_test_id("current-user")).to_contain_text(str(user))


def is_entitlement_preview(url: str, *, site: int) -> bool:
    query = parse_qs(urlsplit(url).query)
    return query.get("part") == ["entitlement"] and query.get("site") == [str(site)]


def find_caller_and_pick(page, *, digits: str, caller) -> None:
    """On the intake form: search by part of the phone number (htmx) and click the one result."""
    page.locator("#contact-search").fill(digits)
    results = page.locator("#contact-results [data-fill-contact]")
    expect(results).to_have_count(1)
    expect(results).to_contain_text(caller.name)
    # Choosing the caller's site must reload the entitlement for that site.
    with page.expect_request(lambda request: is_entitlement_preview(request.url, site=caller.site_id)):
        results.first.click()
    expect(page.locator("#contact-results")).to_be_empty()
    expect(page.locator("#id_customer")).to_have_value(str(caller.customer_id))
    # The customer's options arrive by htmx and the caller's site is chosen for us.
    expect(page.locator("#id_site")).to_have_value(str(caller.site_id))
    expect(page.locator("#id_contact_name")).to_have_value(caller.name)
    expect(page.locator("#id_contact_phone")).to_have_value(str(caller.phone))
    page.wait_for_function(HTMX_IDLE)


def choose_asset(page, asset) -> None:
    page.locator("#id_assets").select_option(str(asset.pk))
    page.wait_for_function(HTMX_IDLE)


def assert_fits_the_screen(page) -> None:
    assert page.evaluate(NO_HORIZONTAL_OVERFLOW), (
        f"{page.url} scrolls sideways: scrollWidth {page.evaluate('document.documentElement.scrollWidth')}"
        f" > innerWidth {page.evaluate('window.innerWidth')}"
    )


def timeline_of(page) -> list[tuple[str, str, str]]:
    items = page.get_by_test_id("timeline").locator("li[data-event]")
    return [
        (item.get_attribute("data-event"), item.get_attribute("data-to"), item.locator(".small").first.inner_text())
        for item in items.all()
    ]


def test_request_from_phone_call_to_customer_confirmation(open_page, world, browser_problems):
    caller, asset, engineer = world["caller"], world["asset"], world["engineer"]

    # The agent takes the call: finds the caller by part of the number, picks the faulty asset.
    agent = open_page()
    log_in(agent, world["agent"])
    expect(agent.locator("html")).to_have_attribute("lang", "zh-hans")
    agent.locator("#main-menu").get_by_role("link", name="登记请求").click()
    expect(agent.get_by_test_id("intake-form")).to_be_visible()
    find_caller_and_pick(agent, digits="1391234", caller=caller)
    entitlement = agent.get_by_test_id("entitlement")
    choose_asset(agent, world["old_asset"])
    expect(entitlement).to_have_attribute("data-kind", "advice_only")
    choose_asset(agent, asset)
    expect(entitlement).to_have_attribute("data-kind", "warranty")
    expect(entitlement.locator(".alert-success")).to_be_visible()
    assert not Ticket.objects.exists(), "the entitlement is a preview: nothing is saved before Register"
    agent.locator("#id_title").fill("存储阵列告警")
    agent.locator("#id_description").fill("控制器A黄灯，业务未中断。")
    agent.get_by_test_id("intake-submit").click()
    agent.wait_for_url(TICKET_URL)
    ticket = Ticket.objects.get()
    assert agent.url.endswith(ticket.get_absolute_url())
    assert (ticket.customer, ticket.site, ticket.contact_name, str(ticket.contact_phone)) == (
        world["customer"],
        world["site"],
        caller.name,
        str(caller.phone),
    )
    assert (ticket.entitlement, ticket.channel, ticket.created_by) == ("warranty", "phone", world["agent"])
    assert list(ticket.assets.all()) == [asset]
    expect(agent.get_by_test_id("timeline").locator("li[data-event]")).to_have_count(1)

    # The dispatcher gives it to an engineer.
    dispatcher = open_page()
    log_in(dispatcher, world["dispatcher"])
    dispatcher.goto(ticket.get_absolute_url())
    assign = dispatcher.get_by_test_id("assign-form")
    assign.locator("[name=assignee]").select_option(label="张伟")
    assign.locator("[name=tier]").select_option("L2")
    assign.locator("button[type=submit]").click()
    expect(dispatcher.get_by_test_id("ticket-assignee")).to_have_text("张伟")

    # The engineer finds it in the queue, accepts it and resolves it.
    work = open_page()
    log_in(work, engineer)
    work.locator("#ticket-table").get_by_role("link", name=ticket.number).click()
    work.wait_for_url(TICKET_URL)
    work.locator("[data-action=accept]").click()
    expect(work.locator("[data-action=resolve]")).to_be_visible()
    details = work.get_by_test_id("transition-form").locator("details")
    details.locator("summary").click()
    details.locator("#id_resolution_method").select_option("on_site")
    details.locator("#id_resolution").fill("更换控制器A电池模块，告警消除。")
    work.locator("[data-action=resolve]").click()
    expect(work.get_by_test_id("resolution")).to_have_text("更换控制器A电池模块，告警消除。")

    # The customer's own user confirms the fix from their list of requests.
    customer = open_page()
    log_in(customer, world["customer_user"])
    # The list starts on open tickets; a resolved one waiting for the customer is under its own status.
    customer.get_by_test_id("queue-filter").locator("[name=status]").select_option("resolved")
    customer.locator("#ticket-table").get_by_role("link", name=ticket.number).click()
    customer.wait_for_url(TICKET_URL)
    customer.locator("[data-action=confirm]").click()
    expect(customer.locator("[data-action=confirm]")).to_have_count(0)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.tier, ticket.resolution_method) == (
        Status.CONFIRMED,
        engineer,
        "L2",
        "on_site",
    )
    events = timeline_of(customer)
    assert [(kind, to) for kind, to, _ in events] == [
        ("created", "new"),
        ("assigned", "assigned"),
        ("status_changed", "in_progress"),
        ("status_changed", "resolved"),
        ("status_changed", "confirmed"),
    ]
    actors = ["agent1", "dispatcher1", "张伟", "张伟", "customer1"]
    assert [byline.rsplit(" · ", 1)[-1] for _, _, byline in events] == actors
    assert browser_problems.seen == []


def test_phone_sized_pages_fit_and_the_intake_works_by_touch(open_page, world, browser_problems):
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone = open_page(phone=True)
    phone.goto(reverse("login"))
    assert_fits_the_screen(phone)
    log_in(phone, world["agent"])
    assert_fits_the_screen(phone)

    menu = phone.locator("#main-menu")
    expect(menu).to_be_hidden()
    phone.locator(".navbar-toggler").tap()
    expect(menu).to_be_visible()
    expect(phone.locator(".navbar-toggler")).to_have_attribute("aria-expanded", "true")
    menu.locator(f"a[href='{reverse('ticket_create')}']").tap()
    expect(phone.get_by_test_id("intake-form")).to_be_visible()
    assert_fits_the_screen(phone)

    find_caller_and_pick(phone, digits="5678", caller=world["caller"])
    choose_asset(phone, world["asset"])
    expect(phone.get_by_test_id("entitlement")).to_have_attribute("data-kind", "warranty")
    phone.locator("#id_title").fill("网络中断")
    phone.locator("#id_description").fill("三楼交换机无法访问。")
    assert_fits_the_screen(phone)
    phone.get_by_test_id("intake-submit").tap()
    phone.wait_for_url(TICKET_URL)
    assert Ticket.objects.get().title == "网络中断"
    expect(phone.get_by_test_id("timeline")).to_be_visible()
    assert_fits_the_screen(phone)
    phone.screenshot(path=SHOTS / "phone-ticket.png", full_page=True)

    phone.goto(reverse("ticket_list"))
    expect(phone.locator("#ticket-table")).to_be_visible()
    assert_fits_the_screen(phone)
    assert browser_problems.seen == []


def test_english_switch_and_no_console_errors_or_csp_violations(open_page, world, browser_problems):
    ticket = ticket_create(
        actor=world["agent"],
        customer=world["customer"],
        site=world["site"],
        assets=[world["asset"]],
        title="UPS告警",
        description="旁路运行。",
        contact_name="王建国",
        contact_phone="+8613912345678",
        kind="general_fault",
        channel="phone",
    )
    page = open_page()
    log_in(page, world["agent"])
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#ticket-table")).to_contain_text(ticket.number)
    expect(page.locator("#main-menu").get_by_role("link", name="工单队列")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "desktop-queue.png", full_page=True)

    # htmx on the queue (filter) and on the intake (caller search, customer options) under the CSP.
    page.locator("#id_q").fill(ticket.number)
    expect(page.locator("#ticket-table tbody tr")).to_have_count(1)
    page.goto(reverse("ticket_create"))
    find_caller_and_pick(page, digits="139123", caller=world["caller"])
    page.goto(ticket.get_absolute_url())
    expect(page.get_by_test_id("timeline")).to_be_visible()
    page.goto(reverse("customer_archive", args=[world["customer"].pk]))

    page.get_by_test_id("language-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith(reverse("customer_archive", args=[world["customer"].pk]))
    expect(page.get_by_test_id("language-zh-hans")).to_be_visible()
    nav = page.locator("#main-menu")
    expect(nav.get_by_role("link", name="Queue")).to_be_visible()
    expect(nav.get_by_role("link", name="Log a request")).to_be_visible()
    nav.get_by_role("link", name="Log a request").click()
    expect(page.get_by_role("heading", name="Log a request")).to_be_visible()
    expect(page.get_by_label("Find the caller")).to_be_visible()
    expect(page.get_by_test_id("intake-submit")).to_have_text("Register")
    page.goto(ticket.get_absolute_url())
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    assert browser_problems.seen == []


def test_customer_user_gets_not_found_for_another_customers_ticket(open_page, world):
    other_site = SiteFactory()
    foreign = ticket_create(
        actor=world["agent"],
        customer=other_site.customer,
        site=other_site,
        title="别家的机密故障",
        description="不应被看到。",
        contact_name="赵六",
        contact_phone="+8613700000000",
        kind="general_fault",
        channel="phone",
    )
    page = open_page()
    log_in(page, world["customer_user"])
    expect(page.locator("#ticket-table")).not_to_contain_text(foreign.number)
    response = page.goto(foreign.get_absolute_url())
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("别家的机密故障")
    expect(page.locator("body")).not_to_contain_text(foreign.number)
