"""In a browser, on a phone: the customer answers a survey link; a quality controller records a call."""

import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.tests.factories import PASSWORD
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.quality.choices import Method, Outcome
from aftersales.quality.models import FollowUp
from aftersales.quality.services.surveys import survey_link_send
from aftersales.quality.tests.helpers import people, resolved
from aftersales.sla.models import SlaPolicy
from aftersales.tickets.choices import Channel

# The browser fixtures live beside the ticket tests; importing them makes them fixtures here too.
from aftersales.tickets.tests.conftest import CHROMIUM, browser, browser_problems, open_page  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True),
]
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

SHOTS = Path("/tmp/shots")
NO_HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture
def follow_up():
    if not SlaPolicy.objects.exists():  # an earlier transactional test flushed the migrations' seed data
        import_module("aftersales.tickets.migrations.0007_default_sla_policies").seed(apps, None)
    staff = people()
    ticket = resolved(agent=staff["agent"], engineer=staff["engineer"], customer=CustomerFactory(name="西湖区卫健委"))
    follow_up = FollowUp.objects.create(ticket=ticket, due_at=timezone.now(), method=Method.PHONE)
    follow_up.staff = staff
    return follow_up


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"quality-{name}.png"), full_page=True)


def test_the_customer_answers_the_survey_link_on_a_phone(open_page, follow_up, browser_problems):  # noqa: F811
    token = survey_link_send(actor=follow_up.staff["quality"], follow_up=follow_up)
    phone = open_page(phone=True)

    phone.goto(reverse("quality_survey", args=[token]))
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)
    for name, score in (("overall", 2), ("response_speed", 4), ("professionalism", 5), ("attitude", 4)):
        phone.locator(f"label[for=id_score_{name}_{score}]").click()
    phone.locator("#id_comment").fill("打印机还是卡纸")
    shot(phone, "survey-phone")
    phone.get_by_test_id("survey-form").locator("button[type=submit]").click()

    phone.get_by_test_id("survey-done").wait_for()
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.score_overall, follow_up.comment) == (
        Outcome.DISSATISFIED,
        2,
        "打印机还是卡纸",
    )
    assert follow_up.reservice_ticket.channel == Channel.FOLLOW_UP
    assert browser_problems.seen == []


def test_a_quality_controller_records_a_call_on_a_phone(open_page, follow_up, browser_problems):  # noqa: F811
    phone = open_page(phone=True)
    phone.goto(reverse("login"))
    form = phone.get_by_test_id("login-form")
    form.locator("#id_username").fill(follow_up.staff["quality"].username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/tickets/$"))

    phone.goto(reverse("quality_follow_ups"))
    phone.get_by_test_id("follow-up-row").click()
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)
    phone.locator("#id_problem_solved").select_option("yes")
    for name in ("overall", "response_speed", "professionalism", "attitude"):
        phone.locator(f"label[for=id_score_{name}_5]").click()
    shot(phone, "call-sheet-phone")
    phone.get_by_test_id("follow-up-form").locator("button[type=submit]").click()

    phone.get_by_test_id("scores").wait_for()
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.script_answers, follow_up.recorded_by) == (
        Outcome.SATISFIED,
        {"problem_solved": "yes"},
        follow_up.staff["quality"],
    )
    assert browser_problems.seen == []
