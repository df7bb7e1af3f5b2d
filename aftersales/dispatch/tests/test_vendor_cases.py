"""Vendor cases (原厂 cases) inside a ticket: opening, progress, the vendor's delays, and the page's forms."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import VendorFactory
from aftersales.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from aftersales.dispatch.choices import VendorCaseStatus
from aftersales.dispatch.models import VendorCase, VendorCaseUpdate
from aftersales.dispatch.services.vendor_cases import vendor_case_open, vendor_case_update, vendor_delays
from aftersales.dispatch.views.tiers import ticket_tier_context
from aftersales.tickets.choices import EventKind, Status, Tier
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.tests.factories import TicketFactory
from aftersales.tickets.tests.sla_helpers import FrozenClock

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 2, 10, 0, tzinfo=BEIJING)
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
ENGLISH = {"accept-language": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def frozen(monkeypatch):
    return FrozenClock(monkeypatch, NOW)


@pytest.fixture
def engineer():
    return UserFactory(role=Role.ENGINEER)


@pytest.fixture
def ticket():
    return TicketFactory(status=Status.IN_PROGRESS, tier=Tier.L2, received_at=NOW - 3 * HOUR)


def open_case(actor, ticket, **overrides) -> VendorCase:
    values = {
        "actor": actor,
        "ticket": ticket,
        "vendor": VendorFactory(name="Huawei"),
        "case_number": "HW-2026-0001",
        "contact_name": "华为 TAC 刘工",
        "contact_phone": "400-822-9999",
        "contact_email": "tac@example.com",
        "promised_response_at": NOW + HOUR,
        "promised_resolution_at": NOW + 4 * HOUR,
    }
    return vendor_case_open(**{**values, **overrides})


def counts() -> tuple[int, int, int]:
    return VendorCase.objects.count(), VendorCaseUpdate.objects.count(), TicketEvent.objects.count()


# --- opening ------------------------------------------------------------------------------------------------


def test_opening_a_case_records_the_vendors_promises_and_an_internal_event(frozen, engineer, ticket):
    case = open_case(engineer, ticket, case_number="  HW-2026-0001 ")

    case.refresh_from_db()
    assert (case.ticket, case.vendor.name, case.case_number, case.status) == (ticket, "Huawei", "HW-2026-0001", "open")
    assert (case.contact_name, case.contact_phone, case.contact_email) == (
        "华为 TAC 刘工",
        "400-822-9999",
        "tac@example.com",
    )
    assert (case.opened_by, case.opened_at) == (engineer, NOW)
    assert (case.promised_response_at, case.promised_resolution_at) == (NOW + HOUR, NOW + 4 * HOUR)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.VENDOR_CASE_OPENED)
    assert (event.actor, event.at) == (engineer, NOW)
    assert event.data == {
        "case": case.pk,
        "vendor": case.vendor_id,
        "vendor_name": "Huawei",
        "case_number": "HW-2026-0001",
        "promised_response_at": (NOW + HOUR).isoformat(),
        "promised_resolution_at": (NOW + 4 * HOUR).isoformat(),
        "public": False,
    }
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    assert not TicketEvent.objects.visible_to(customer_user).filter(pk=event.pk).exists()
    assert not VendorCase.objects.visible_to(customer_user).exists()


def test_the_same_vendor_case_number_twice_is_refused_even_on_another_ticket(frozen, engineer, ticket):
    open_case(engineer, ticket)
    before = counts()

    with pytest.raises(ValidationFailed) as refused:
        open_case(engineer, TicketFactory(status=Status.IN_PROGRESS), case_number="HW-2026-0001")

    assert refused.value.detail == {"case_number": ["This vendor's case number is already recorded."]}
    assert counts() == before
    # Another vendor may use the same number.
    open_case(engineer, ticket, vendor=VendorFactory(name="H3C"), case_number="HW-2026-0001")


def test_promises_in_the_past_or_a_fix_before_the_response_are_refused(frozen, engineer, ticket):
    with pytest.raises(ValidationFailed) as in_the_past:
        open_case(engineer, ticket, promised_response_at=NOW - 2 * HOUR, promised_resolution_at=NOW - 90 * MINUTE)
    with pytest.raises(ValidationFailed) as backwards:
        open_case(engineer, ticket, promised_response_at=NOW + 2 * HOUR, promised_resolution_at=NOW + HOUR)

    assert in_the_past.value.detail == {
        "promised_response_at": ["A promised time cannot lie in the past."],
        "promised_resolution_at": ["A promised time cannot lie in the past."],
    }
    assert backwards.value.detail == {
        "promised_resolution_at": ["The promised fix cannot come before the promised response."]
    }
    assert counts() == (0, 0, 0)


def test_a_promise_typed_in_shortly_after_the_call_is_accepted(frozen, engineer, ticket):
    case = open_case(engineer, ticket, promised_response_at=NOW - 30 * MINUTE)

    assert case.promised_response_at == NOW - 30 * MINUTE


def test_a_case_needs_a_case_number_and_a_valid_email(frozen, engineer, ticket):
    with pytest.raises(ValidationFailed) as refused:
        open_case(engineer, ticket, case_number=" ", contact_email="not an address")

    assert refused.value.detail == {
        "case_number": ["Enter the vendor's case number."],
        "contact_email": ["Enter a valid email address."],
    }
    assert counts() == (0, 0, 0)


def test_customers_may_not_open_cases_and_closed_tickets_take_none(frozen, engineer, ticket):
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)

    with pytest.raises(PermissionDenied):
        open_case(customer_user, ticket)
    with pytest.raises(InvalidTransition):
        open_case(engineer, TicketFactory(status=Status.CLOSED))

    assert counts() == (0, 0, 0)


# --- progress -----------------------------------------------------------------------------------------------


def test_progress_is_recorded_with_an_internal_event(frozen, engineer, ticket):
    case = open_case(engineer, ticket)

    update = vendor_case_update(
        actor=engineer,
        case=case,
        note="原厂确认为背板故障，备件发货中",
        status=VendorCaseStatus.WAITING_VENDOR,
        responded_at=NOW - 10 * MINUTE,
    )

    case.refresh_from_db()
    assert (update.case, update.author, update.at, update.note) == (
        case,
        engineer,
        NOW,
        "原厂确认为背板故障，备件发货中",
    )
    assert (case.status, case.responded_at, case.resolved_at) == ("waiting_vendor", NOW - 10 * MINUTE, None)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.VENDOR_CASE_UPDATED)
    assert (event.note, event.actor) == ("原厂确认为背板故障，备件发货中", engineer)
    assert event.data == {
        "case": case.pk,
        "update": update.pk,
        "case_number": "HW-2026-0001",
        "status": "waiting_vendor",
        "responded_at": (NOW - 10 * MINUTE).isoformat(),
        "public": False,
    }


def test_marking_a_case_solved_records_the_fix_and_the_response_now(frozen, engineer, ticket):
    case = open_case(engineer, ticket)

    vendor_case_update(actor=engineer, case=case, note="原厂远程修复", status=VendorCaseStatus.SOLVED)

    case.refresh_from_db()
    assert (case.status, case.responded_at, case.resolved_at) == ("solved", NOW, NOW)


def test_progress_needs_a_note_and_times_between_the_request_and_now(frozen, engineer, ticket):
    case = open_case(engineer, ticket)
    before = counts()

    with pytest.raises(ValidationFailed) as refused:
        vendor_case_update(
            actor=engineer,
            case=case,
            note="  ",
            responded_at=NOW + HOUR,
            resolved_at=ticket.received_at - HOUR,
        )

    assert refused.value.detail == {
        "note": ["Describe the vendor's progress."],
        "responded_at": ["The time must lie between the request and now."],
        "resolved_at": ["The time must lie between the request and now."],
    }
    assert counts() == before


def test_a_closed_case_takes_no_more_progress_and_customers_none_at_all(frozen, engineer, ticket):
    case = open_case(engineer, ticket)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)
    with pytest.raises(PermissionDenied):
        vendor_case_update(actor=customer_user, case=case, note="催一下")
    vendor_case_update(actor=engineer, case=case, note="客户方自行解决，关闭原厂case", status=VendorCaseStatus.CLOSED)
    before = counts()

    with pytest.raises(InvalidTransition):
        vendor_case_update(actor=engineer, case=case, note="再催一下")

    assert counts() == before


# --- delays -------------------------------------------------------------------------------------------------


def promised(**fields) -> VendorCase:
    return VendorCase(opened_at=NOW - 5 * HOUR, promised_response_at=NOW - 3 * HOUR, **fields)


def test_an_unanswered_case_is_overdue_by_the_time_since_its_promise():
    delays = vendor_delays(promised(promised_resolution_at=NOW + HOUR), NOW)

    assert delays == {
        "response_late_by": 3 * HOUR,
        "response_waiting": True,
        "resolution_late_by": None,
        "resolution_waiting": True,
        "late": True,
    }


def test_an_answer_after_the_promise_was_late_by_the_difference_and_stops_growing():
    case = promised(responded_at=NOW - 150 * MINUTE, promised_resolution_at=NOW - HOUR)

    delays = vendor_delays(case, NOW + 10 * HOUR)

    assert delays == {
        "response_late_by": 30 * MINUTE,
        "response_waiting": False,
        "resolution_late_by": 11 * HOUR,
        "resolution_waiting": True,
        "late": True,
    }


def test_a_vendor_on_time_or_without_promises_is_not_late():
    on_time = promised(responded_at=NOW - 4 * HOUR, resolved_at=NOW, promised_resolution_at=NOW)
    no_promises = VendorCase(opened_at=NOW)

    assert vendor_delays(on_time, NOW + HOUR) == {
        "response_late_by": None,
        "response_waiting": False,
        "resolution_late_by": None,
        "resolution_waiting": False,
        "late": False,
    }
    assert vendor_delays(no_promises, NOW)["late"] is False


def test_a_case_closed_without_the_vendors_fix_stops_counting_when_closed(frozen, engineer, ticket):
    case = open_case(engineer, ticket, promised_response_at=NOW, promised_resolution_at=NOW + HOUR)
    frozen.set(NOW + 3 * HOUR)
    vendor_case_update(actor=engineer, case=case, note="原厂无响应，我方自行解决", status=VendorCaseStatus.CLOSED)
    case = VendorCase.objects.prefetch_related("updates").get(pk=case.pk)

    delays = vendor_delays(case, NOW + 48 * HOUR)

    assert delays["response_late_by"] == 3 * HOUR
    assert delays["resolution_late_by"] == 2 * HOUR
    assert (delays["response_waiting"], delays["resolution_waiting"]) == (False, False)


# --- the page -----------------------------------------------------------------------------------------------


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_engineer_opens_a_case_and_records_progress_from_the_ticket_page(frozen, engineer, ticket, client):
    vendor = VendorFactory(name="Huawei")
    client.force_login(engineer)

    opened = client.post(
        reverse("vendor_case_open", args=[ticket.pk]),
        {
            "vendor_case-vendor": vendor.pk,
            "vendor_case-case_number": "HW-2026-0002",
            "vendor_case-promised_response_at": "2026-10-02T11:00",
        },
        headers=ENGLISH,
    )
    case = VendorCase.objects.get()
    updated = client.post(
        reverse("vendor_case_update", args=[case.pk]),
        {f"case{case.pk}-note": "已收到原厂回复", f"case{case.pk}-status": "waiting_vendor"},
        headers=ENGLISH,
    )

    assert (opened.status_code, opened.url) == (302, ticket.get_absolute_url())
    assert (case.case_number, case.promised_response_at) == ("HW-2026-0002", NOW + HOUR)
    assert (updated.status_code, updated.url) == (302, ticket.get_absolute_url())
    # Neither redirect was followed, so both messages are still waiting.
    assert flashed(updated) == ["The vendor case is recorded.", "The vendor's progress is recorded."]
    assert list(case.updates.values_list("note", flat=True)) == ["已收到原厂回复"]


def test_a_duplicate_case_from_the_page_says_so_and_changes_nothing(frozen, engineer, ticket, client):
    case = open_case(engineer, ticket)
    client.force_login(engineer)
    before = counts()

    response = client.post(
        reverse("vendor_case_open", args=[ticket.pk]),
        {"vendor_case-vendor": case.vendor_id, "vendor_case-case_number": case.case_number},
        headers=ENGLISH,
    )

    assert flashed(response) == ["Some fields are invalid. This vendor's case number is already recorded."]
    assert counts() == before


def test_progress_without_a_note_from_the_page_says_so_and_changes_nothing(frozen, engineer, ticket, client):
    case = open_case(engineer, ticket)
    client.force_login(engineer)
    before = counts()

    response = client.post(
        reverse("vendor_case_update", args=[case.pk]), {f"case{case.pk}-status": "solved"}, headers=ENGLISH
    )

    assert flashed(response) == ["Progress: This field is required."]
    assert counts() == before
    assert VendorCase.objects.get().status == "open"


def test_a_customer_gets_404_for_the_vendor_case_pages_and_nothing_changes(frozen, engineer, ticket, client):
    case = open_case(engineer, ticket)
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=ticket.customer))
    before = counts()

    opened = client.post(
        reverse("vendor_case_open", args=[ticket.pk]),
        {"vendor_case-vendor": case.vendor_id, "vendor_case-case_number": "HW-9"},
    )
    updated = client.post(
        reverse("vendor_case_update", args=[case.pk]),
        {f"case{case.pk}-note": "催一下", f"case{case.pk}-status": "closed"},
    )

    assert (opened.status_code, updated.status_code) == (404, 404)
    assert counts() == before


def render_partials(user, ticket, context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    context = {**context, "ticket": ticket, "user": user}
    return render_to_string("dispatch/includes/escalation_forms.html", context, request=request) + render_to_string(
        "dispatch/includes/vendor_cases.html", context, request=request
    )


def test_the_partials_show_the_forms_and_each_vendors_delay_in_constant_queries(frozen, engineer, ticket):
    late = open_case(engineer, ticket, promised_response_at=NOW - 30 * MINUTE)
    vendor_case_update(actor=engineer, case=late, note="电话无人接听")

    def rendered() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            page = render_partials(engineer, ticket, ticket_tier_context(ticket=ticket, user=engineer))
        return page, len(queries)

    one_case, one_case_queries = rendered()
    for number in range(3):
        on_time = open_case(engineer, ticket, case_number=f"HW-OK-{number}")
        vendor_case_update(actor=engineer, case=on_time, note="已响应", responded_at=NOW)
    many_cases, many_cases_queries = rendered()

    assert many_cases_queries == one_case_queries
    assert 'data-testid="escalate-form"' in one_case and 'data-testid="escalate-manager-form"' in one_case
    assert 'data-testid="vendor-case-form"' in one_case
    assert one_case.count('data-late="true"') == 1 and many_cases.count('data-late="true"') == 1
    assert many_cases.count('data-testid="vendor-case"') == 4
    assert '<span class="text-danger" data-testid="vendor-late">30 minutes overdue</span>' in one_case
    assert "电话无人接听" in one_case


def test_customers_get_no_escalation_or_vendor_case_context():
    ticket = TicketFactory(status=Status.IN_PROGRESS)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)

    context = ticket_tier_context(ticket=ticket, user=customer_user)

    assert context == {
        "escalate_form": None,
        "manager_escalation_form": None,
        "duty_manager": None,
        "vendor_case_form": None,
        "vendor_cases": [],
    }
    assert render_partials(customer_user, ticket, context).strip() == ""


def test_a_case_needs_a_vendor(frozen, engineer, ticket):
    with pytest.raises(ValidationFailed) as refused:
        open_case(engineer, ticket, vendor=None)

    assert refused.value.detail == {"vendor": ["Choose the vendor."]}
    assert counts() == (0, 0, 0)
