"""The field-service journey in a real browser (Debian's Chromium through Playwright), against the live server.

A dispatcher sends the best-ranked engineer; the engineer does the rest on a phone (390×844): accepts, navigates,
checks in with the phone's position, logs work and a part, finishes, signs on the canvas and hands the phone to the
customer to sign. The customer can also sign through a one-time link on their own phone, without an account.
"""

import io
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from PIL import Image

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import PASSWORD, UserFactory
from aftersales.customers.tests.factories import SiteFactory
from aftersales.dispatch.models import Signature, WorkOrder
from aftersales.dispatch.services.signing import signing_link_send, work_order_sign
from aftersales.dispatch.tests.factories import EngineerProfileFactory, WorkOrderFactory, signature_data_url
from aftersales.sla.choices import Clock
from aftersales.sla.models import SlaPolicy
from aftersales.tickets.choices import EventKind, Status
from aftersales.tickets.services.common import record_event

# The browser fixtures live beside the ticket tests; importing them makes them fixtures here too.
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
WORK_ORDER_URL = re.compile(r"/work-orders/(\d+)/$")
NO_HORIZONTAL_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HANGZHOU = {"latitude": 30.2801, "longitude": 120.1602, "accuracy": 12}


@pytest.fixture
def ticket():
    """A P1 fault at a site with coordinates, its SLA clocks running from the CREATED event."""
    if not SlaPolicy.objects.exists():  # an earlier transactional test flushed the migrations' seed data
        import_module("aftersales.tickets.migrations.0007_default_sla_policies").seed(apps, None)
    site = SiteFactory(name="滨江数据中心", latitude="30.280000", longitude="120.160000")
    ticket = TicketFactory(customer=site.customer, site=site, status=Status.NEW, priority=1, on_site_required=True)
    record_event(ticket=ticket, actor=ticket.created_by, kind=EventKind.CREATED, at=ticket.received_at)
    return ticket


def log_in(page, user) -> None:
    page.goto(reverse("login"))
    form = page.get_by_test_id("login-form")
    form.locator("#id_username").fill(user.username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tickets/$"))


def phone_with_position(open_page, live_server):  # noqa: F811
    """A phone that lets the site read its position (the engineer said yes when asked)."""
    phone = open_page(phone=True)
    phone.context.grant_permissions(["geolocation"], origin=live_server.url)
    phone.context.set_geolocation(HANGZHOU)
    return phone


def draw_signature(page) -> None:
    """Three strokes across the pad, as a finger would write a name."""
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()  # the mouse moves in the viewport's coordinates
    box = pad.bounding_box()
    assert box["width"] > 300 and box["height"] >= 150, box  # big enough to sign on with a finger
    for row in (0.3, 0.5, 0.7):
        page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * row)
        page.mouse.down()
        for step in range(1, 21):
            x = box["x"] + box["width"] * (0.1 + 0.8 * step / 20)
            y = box["y"] + box["height"] * (row + (0.12 if step % 2 else -0.12))
            page.mouse.move(x, y, steps=2)
        page.mouse.up()


def assert_drawn(png: bytes) -> None:
    """A real PNG with dark strokes on the pad's white."""
    assert png.startswith(PNG_MAGIC) and len(png) > 1024
    darkest, lightest = Image.open(io.BytesIO(png)).convert("L").getextrema()
    assert (darkest, lightest) == (darkest, 255) and darkest < 100


def sign_here(page, name: str) -> None:
    form = page.get_by_test_id("signature-form")
    form.locator("#id_signer_name").fill(name)
    draw_signature(page)
    form.locator("button[type=submit]").tap()


def test_the_whole_field_service_journey_on_a_phone(open_page, live_server, ticket, browser_problems):  # noqa: F811
    engineer = EngineerProfileFactory(home_latitude="30.281000", home_longitude="120.161000").user
    EngineerProfileFactory(home_latitude="31.230000", home_longitude="121.470000")  # in Shanghai, ranked below
    dispatcher = UserFactory(username="dispatcher1", role=Role.DISPATCHER)

    # The dispatcher sends the best-ranked engineer.
    desk = open_page()
    log_in(desk, dispatcher)
    desk.goto(reverse("work_order_dispatch", args=[ticket.pk]))
    first = desk.get_by_test_id("recommendation").first
    expect(first).to_have_attribute("data-rank", "1")
    expect(first).to_have_attribute("data-engineer", str(engineer.pk))
    form = desk.get_by_test_id("dispatch-form")
    expect(form.locator("#id_engineer")).to_have_value("")
    form.locator("#id_basis").fill("P1 故障，需现场处理")
    form.locator("button[type=submit]").click()
    desk.wait_for_url(WORK_ORDER_URL)
    order = WorkOrder.objects.get()
    assert (order.engineer, order.status, order.basis) == (engineer, "dispatched", "P1 故障，需现场处理")

    # The engineer, on the phone: my work orders, the order, accept, navigate, set off, check in.
    phone = phone_with_position(open_page, live_server)
    log_in(phone, engineer)
    phone.goto(reverse("work_order_list"))
    row = phone.get_by_test_id("work-order-row")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-number", order.number)
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)
    row.tap()
    phone.wait_for_url(re.compile(rf"/work-orders/{order.pk}/$"))
    status = phone.get_by_test_id("status")
    expect(status).to_have_attribute("data-status", "dispatched")

    phone.locator("button[data-action=accept]").tap()
    expect(status).to_have_attribute("data-status", "accepted")
    assert phone.get_by_test_id("navigate").get_attribute("href").startswith("geo:30.280000,120.160000")
    phone.locator("button[data-action=set_off]").tap()
    expect(status).to_have_attribute("data-status", "travelling")
    expect(phone.get_by_test_id("navigate")).to_have_attribute("href", re.compile(r"^geo:"))
    phone.get_by_test_id("check-in-form").locator("button[data-action=check_in]").tap()
    expect(status).to_have_attribute("data-status", "on_site")
    expect(phone.get_by_test_id("times")).to_contain_text("30.280100")
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)

    order.refresh_from_db()
    ticket.refresh_from_db()
    assert (str(order.check_in_latitude), str(order.check_in_longitude)) == ("30.280100", "120.160200")
    assert order.check_in_accuracy_m == 12
    assert ticket.arrived_at == order.started_at
    arrival = next(row for row in ticket.sla_clocks if row["clock"] == Clock.ARRIVAL)
    assert arrival["status"] == "met"

    # Log the work, record a part, finish with the resolution.
    log = phone.get_by_test_id("log-form")
    phone.locator("details:has([data-testid=log-form]) > summary").tap()
    log.locator("#id_text").fill("更换电源模块，开机自检通过")
    log.locator("#id_hours").fill("1.5")
    log.locator("button[type=submit]").tap()
    expect(phone.get_by_test_id("work-log")).to_contain_text("更换电源模块，开机自检通过")

    part = phone.get_by_test_id("part-form")
    phone.locator("details:has([data-testid=part-form]) > summary").tap()
    part.locator("#id_description").fill("电源模块")
    part.locator("#id_part_number").fill("PSU-800W")
    part.locator("#id_serial_number").fill("SN123456")
    part.locator("button[type=submit]").tap()
    expect(phone.get_by_test_id("part")).to_contain_text("电源模块 (PSU-800W) SN SN123456 × 1")

    complete = phone.get_by_test_id("complete-form")
    complete.locator("#id_resolution").fill("电源模块损坏，已更换，业务恢复")
    complete.locator("button[type=submit]").tap()
    expect(status).to_have_attribute("data-status", "work_done")
    expect(phone.get_by_test_id("resolution")).to_have_text("电源模块损坏，已更换，业务恢复")

    # An empty pad is not sent: the page asks for a signature.
    signing = phone.get_by_test_id("signature-form")
    signing.locator("#id_signer_name").fill("程工")
    empty = signing.locator("[data-signature-empty]")
    expect(empty).to_be_hidden()
    signing.locator("button[type=submit]").tap()
    expect(empty).to_be_visible()
    expect(status).to_have_attribute("data-status", "work_done")
    assert not Signature.objects.exists()

    # The engineer signs, then hands the phone to the customer.
    sign_here(phone, "程工")
    expect(phone.get_by_test_id("signature-engineer").locator("img.signature-image")).to_be_visible()
    expect(phone.get_by_test_id("signature-form").locator("h4")).to_be_visible()
    expect(phone.get_by_test_id("signature-customer")).to_have_count(0)
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)
    phone.screenshot(path="/tmp/field_phone.png", full_page=True)

    sign_here(phone, "张三")
    expect(status).to_have_attribute("data-status", "signed")
    for role in ("engineer", "customer"):
        image = phone.get_by_test_id(f"signature-{role}").locator("img.signature-image")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(phone.get_by_test_id("signature-form")).to_have_count(0)
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SHOTS / "phone-work-order-signed.png", full_page=True)

    order.refresh_from_db()
    assert order.status == "signed"
    assert (order.log.get().text, str(order.labour_hours)) == ("更换电源模块，开机自检通过", "1.50")
    assert order.parts.get().serial_number == "SN123456"
    signatures = {signature.role: signature for signature in order.signatures.all()}
    assert {role: (s.signer_name, s.via, s.user) for role, s in signatures.items()} == {
        "engineer": ("程工", "pad", engineer),
        "customer": ("张三", "pad", engineer),
    }
    for signature in signatures.values():
        assert_drawn(bytes(signature.image_png))
    assert browser_problems.seen == []


def test_the_customer_signs_once_through_the_link_on_their_phone(open_page, live_server, ticket, browser_problems):  # noqa: F811
    order = WorkOrderFactory(ticket=ticket, status="work_done", resolution="已更换电源模块")
    work_order_sign(
        actor=order.engineer, work_order=order, role="engineer", signer_name="程工", signature=signature_data_url()
    )
    token = signing_link_send(actor=order.engineer, work_order=order, send_to="13800138000")
    url = reverse("sign_by_link", args=[token])

    phone = open_page(phone=True)
    response = phone.goto(url)
    assert response.status == 200
    expect(phone.locator("body")).to_contain_text(order.problem_description)
    assert phone.evaluate(NO_HORIZONTAL_OVERFLOW)

    form = phone.get_by_test_id("signature-form")
    form.locator("#id_signer_name").fill("张三")
    form.locator("button[type=submit]").tap()
    expect(form.locator("[data-signature-empty]")).to_be_visible()
    draw_signature(phone)
    form.locator("button[type=submit]").tap()

    expect(phone.get_by_test_id("link-done")).to_contain_text(order.number)
    signature = Signature.objects.get(work_order=order, role="customer")
    assert (signature.signer_name, signature.via, signature.user) == ("张三", "link", None)
    assert_drawn(bytes(signature.image_png))
    assert WorkOrder.objects.get(pk=order.pk).status == "signed"

    again = phone.goto(url)  # the link opened again, from the message
    assert again.status == 410
    expect(phone.get_by_test_id("link-unusable")).to_be_visible()
    expect(phone.locator("body")).not_to_contain_text(order.problem_description)
    # Chromium logs every error status of a page as a console error: the 410 asked for here is the only one.
    gone = (
        f"console: Failed to load resource: the server responded with a status of 410 (Gone) ({live_server.url}{url})"
    )
    assert browser_problems.seen == [gone]
