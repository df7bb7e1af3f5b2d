"""The knowledge journey in a real browser: an engineer writes an article from a solved ticket in one click and
publishes it for customers; a customer, on a phone, is offered it on their own request and says it helped;
the engineer links the request to a known problem from the ticket's card."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import PASSWORD, UserFactory
from aftersales.assets.tests.factories import AssetFactory, ProductFactory
from aftersales.customers.tests.factories import SiteFactory
from aftersales.knowledge.choices import ArticleStatus, ProblemStatus
from aftersales.knowledge.models import Article
from aftersales.knowledge.tests.factories import ProblemFactory
from aftersales.tickets.tests.conftest import CHROMIUM, browser, browser_problems, open_page  # noqa: F401
from aftersales.tickets.tests.factories import TicketFactory

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


def test_an_article_from_a_ticket_helps_a_customer_on_a_phone(open_page, browser_problems):  # noqa: F811
    site = SiteFactory(name="滨江数据中心")
    storage = ProductFactory(name="OceanStor 5500", model="V5")
    solved = TicketFactory(
        customer=site.customer,
        status="resolved",
        title="存储控制器离线",
        description="存储A控制器指示灯红色，业务中断。",
        root_cause="控制器固件缺陷。",
        resolution="升级控制器固件并重启控制器。",
        resolution_method="on_site",
    )
    solved.assets.add(AssetFactory(site=site, product=storage))
    engineer = UserFactory(username="engineer1", role=Role.ENGINEER)
    customer = UserFactory(username="customer1", role=Role.CUSTOMER, customer=site.customer)
    later = TicketFactory(customer=site.customer, status="new", title="存储控制器又离线了", description="同样的灯。")
    later.assets.add(AssetFactory(site=site, product=storage))
    problem = ProblemFactory(title="OceanStor 控制器固件缺陷", status=ProblemStatus.KNOWN_ERROR)

    # The engineer writes the article from the solved ticket in one click, and publishes it for customers.
    desk = open_page()
    log_in(desk, engineer)
    desk.goto(solved.get_absolute_url())
    desk.get_by_test_id("write-article").click()
    desk.wait_for_url(re.compile(r"/knowledge/\d+/edit/$"))
    form = desk.get_by_test_id("article-form")
    expect(form.locator("#id_title")).to_have_value("存储控制器离线")
    expect(form.locator("#id_solution")).to_have_value("升级控制器固件并重启控制器。")
    expect(form.locator("#id_products option:checked")).to_have_count(1)
    form.locator("#id_visible_to_customers").check()
    form.locator("button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/knowledge/\d+/$"))
    desk.get_by_test_id("publish").click()
    expect(desk.get_by_test_id("article-status")).to_have_attribute("data-status", "published")
    article = Article.objects.get()
    assert (article.status, article.visible_to_customers) == (ArticleStatus.PUBLISHED, True)

    # The engineer links the new request to the known problem from its card.
    desk.goto(later.get_absolute_url())
    card = desk.get_by_test_id("link-problem-form")
    card.locator("input[name=problem]").fill(problem.reference)
    card.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("ticket-problem")).to_have_attribute("data-problem", str(problem.pk))

    # The customer, on a phone, is offered the article on their new request and says it helped.
    phone = open_page(phone=True)
    log_in(phone, customer)
    phone.goto(later.get_absolute_url())
    expect(phone.get_by_test_id("ticket-problems")).to_have_count(0)
    suggestion = phone.get_by_test_id("suggested-article")
    expect(suggestion).to_have_attribute("data-article", str(article.pk))
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)
    suggestion.get_by_role("link").click()
    phone.wait_for_url(re.compile(rf"/knowledge/{article.pk}/$"))
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)
    phone.get_by_test_id("helped").tap()
    expect(phone.get_by_test_id("helped-counts")).to_have_attribute("data-helped", "1")
    expect(phone.get_by_test_id("helped")).to_have_attribute("aria-pressed", "true")
    phone.goto(reverse("article_list") + "?q=控制器")
    expect(phone.get_by_test_id("article-row")).to_have_count(1)
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)
    SHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=SHOTS / "knowledge-list-phone.png", full_page=True)

    desk.goto(problem.get_absolute_url())
    expect(desk.get_by_test_id("incident")).to_have_attribute("data-ticket", later.number)
    status_form = desk.get_by_test_id("problem-status-form")
    # a known error is offered "fixed" first, which needs the fix; closing it does not
    expect(status_form.locator("#id_status")).to_have_value("fixed")
    expect(status_form.locator("#id_fix")).to_be_visible()
    status_form.locator("#id_status").select_option("closed")
    expect(status_form.locator("#id_fix")).to_be_hidden()
    desk.screenshot(path=SHOTS / "knowledge-problem.png", full_page=True)
    assert browser_problems.seen == []
