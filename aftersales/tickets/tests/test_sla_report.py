"""The SLA compliance report: clocks recomputed from the events of the tickets received in a period."""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.sla.choices import Clock
from aftersales.tickets.choices import Channel, Kind, Level
from aftersales.tickets.services import ticket_assign, ticket_create, ticket_transition
from aftersales.tickets.sla_report import sla_compliance
from aftersales.tickets.views.sla_report import ReportForm, last_full_month

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 10, 31)}
# The afternoon the report is read: B's clocks have run out, C waits for its customer.
NOW = dt.datetime(2026, 10, 2, 14, 0, tzinfo=BEIJING)
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def beijing(day: int, hour: int, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


class Clockwork:
    """`timezone.now()` for the services, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = NOW
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, moment: dt.datetime) -> "Clockwork":
        self.now = moment
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clockwork(monkeypatch)


@pytest.fixture
def people():
    return {
        "agent": UserFactory(role=Role.AGENT),
        "engineer": UserFactory(role=Role.ENGINEER),
        "manager": UserFactory(role=Role.MANAGER),
    }


def critical(people, clock, customer, at: dt.datetime):
    """A P1 fault (7x24: response 30 min, resolution and emergency plan 4 h), received and logged at `at`."""
    clock.at(at)
    return ticket_create(
        actor=people["agent"],
        customer=customer,
        title="核心交换机宕机",
        description="全市监控中断。",
        contact_name="赵科长",
        contact_phone="+8613911112222",
        kind=Kind.CATASTROPHIC_FAULT,
        channel=Channel.PHONE,
        urgency=Level.HIGH,
        impact=Level.HIGH,
    )


def accepted(people, clock, ticket, at: dt.datetime):
    ticket = ticket_assign(actor=people["agent"], ticket=ticket, assignee=people["engineer"], version=None)
    clock.at(at)
    return ticket_transition(actor=people["engineer"], ticket=ticket, action="accept", version=None)


@pytest.fixture
def three_tickets(people, clock):
    """One ticket met every clock, one breached them all, one waits for its customer."""
    customer = CustomerFactory(name="杭州市公安局")
    met = critical(people, clock, customer, beijing(2, 9))
    met = accepted(people, clock, met, beijing(2, 9, 10))
    clock.at(beijing(2, 10))
    ticket_transition(
        actor=people["engineer"],
        ticket=met,
        action="resolve",
        version=None,
        resolution="更换电源模块",
        resolution_method="on_site",
    )
    breached = critical(people, clock, customer, beijing(2, 9))
    paused = accepted(people, clock, critical(people, clock, customer, beijing(2, 9)), beijing(2, 9, 10))
    clock.at(beijing(2, 9, 20))
    ticket_transition(actor=people["engineer"], ticket=paused, action="pend_customer", note="等机房开门", version=None)
    clock.at(NOW)
    return {"customer": customer, "met": met, "breached": breached, "paused": paused}


def counts(report) -> list[tuple]:
    return [
        (row.customer, row.contract, row.priority, row.clock, row.counted, row.met, row.breached, row.running)
        for row in report.rows
    ]


def test_one_met_one_breached_one_paused_is_half_met(people, three_tickets):
    report = sla_compliance(user=people["manager"], now=NOW, **OCTOBER)

    assert counts(report) == [
        ("杭州市公安局", "", 1, Clock.RESPONSE, 3, 2, 1, 0),
        ("杭州市公安局", "", 1, Clock.RESOLUTION, 3, 1, 1, 1),
        ("杭州市公安局", "", 1, Clock.EMERGENCY_PLAN, 3, 1, 1, 1),
    ]
    assert [row.percent_met for row in report.rows] == [66.7, 50.0, 50.0]
    total = report.total
    assert (total.counted, total.met, total.breached, total.running, total.percent_met) == (9, 4, 3, 2, 57.1)


def test_each_breach_is_listed_with_its_due_time_and_how_late_it_is(people, three_tickets):
    report = sla_compliance(user=people["manager"], now=NOW, **OCTOBER)

    number = three_tickets["breached"].number
    assert [
        (breach.number, breach.clock, breach.due_at, breach.stopped_at, breach.overdue) for breach in report.breaches
    ] == [
        (number, Clock.RESPONSE, beijing(2, 9, 30), None, dt.timedelta(hours=4, minutes=30)),
        (number, Clock.RESOLUTION, beijing(2, 13), None, dt.timedelta(hours=1)),
        (number, Clock.EMERGENCY_PLAN, beijing(2, 13), None, dt.timedelta(hours=1)),
    ]


def test_a_breached_clock_met_later_is_still_a_breach_and_stops_growing(people, clock):
    late = critical(people, clock, CustomerFactory(), beijing(2, 9))
    accepted(people, clock, late, beijing(2, 9, 45))

    report = sla_compliance(user=people["manager"], now=NOW, **OCTOBER)

    response = next(row for row in report.rows if row.clock == Clock.RESPONSE)
    assert (response.counted, response.met, response.breached, response.percent_met) == (1, 0, 1, 0.0)
    [breach] = [breach for breach in report.breaches if breach.clock == Clock.RESPONSE]
    assert (breach.due_at, breach.stopped_at, breach.overdue) == (
        beijing(2, 9, 30),
        beijing(2, 9, 45),
        dt.timedelta(minutes=15),
    )


def test_only_tickets_received_in_the_period_count_in_local_time(people, clock):
    customer = CustomerFactory()
    critical(people, clock, customer, beijing(30, 23, 59, month=9))  # 15:59 UTC on 30 September
    first = critical(people, clock, customer, beijing(1, 0, 0))  # 16:00 UTC on 30 September
    last = critical(people, clock, customer, beijing(31, 23, 59))
    critical(people, clock, customer, beijing(1, 0, 0, month=11))
    clock.at(beijing(2, 0, 0, month=11))

    report = sla_compliance(user=people["manager"], now=clock.now, **OCTOBER)

    assert sorted({breach.number for breach in report.breaches}) == sorted([first.number, last.number])
    assert report.rows[0].counted == 2


def test_the_report_narrows_to_one_customer_or_one_contract(people, clock, three_tickets):
    contract = ContractFactory(number="HT-2026-0901", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    under_contract = critical(people, clock, contract.customer, beijing(3, 9))
    clock.at(NOW + dt.timedelta(days=1))

    by_customer = sla_compliance(
        user=people["manager"], now=clock.now, customer_id=three_tickets["customer"].pk, **OCTOBER
    )
    by_contract = sla_compliance(user=people["manager"], now=clock.now, contract_id=contract.pk, **OCTOBER)

    assert {row.customer for row in by_customer.rows} == {"杭州市公安局"}
    assert {(row.customer, row.contract) for row in by_contract.rows} == {(contract.customer.name, "HT-2026-0901")}
    assert {breach.number for breach in by_contract.breaches} == {under_contract.number}


def test_the_report_reads_a_fixed_number_of_queries(people, clock, three_tickets, django_assert_num_queries):
    # The policy book (8: holidays, calendars and their hours, policies and their targets, ladders, pause rules,
    # service levels), then every ticket of the period and every one of their events, in one query each.
    with django_assert_num_queries(10):
        sla_compliance(user=people["manager"], now=NOW, **OCTOBER)
    for hour in range(10, 20):
        critical(people, clock, CustomerFactory(), beijing(5, hour))
    with django_assert_num_queries(10):
        sla_compliance(user=people["manager"], now=NOW + dt.timedelta(days=5), **OCTOBER)


def test_the_page_shows_the_rows_and_the_breaches(client, people, three_tickets):
    client.force_login(people["manager"])

    with translation.override("en"):
        response = client.get(reverse("sla_report"), {"start": "2026-10-01", "end": "2026-10-31"}, **ENGLISH)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="sla-report-row"') == 3
    assert body.count('data-testid="sla-report-breach"') == 3
    assert "50.0%" in body and "57.1%" in body
    assert "4 h 30 min" in body
    assert f'href="{reverse("ticket_detail", args=[three_tickets["breached"].pk])}"' in body


def test_the_csv_has_the_same_rows_and_opens_in_excel_in_chinese(client, people, three_tickets):
    client.force_login(people["manager"])

    with translation.override("en"):
        response = client.get(reverse("sla_report_csv"), {"start": "2026-10-01", "end": "2026-10-31"}, **ENGLISH)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sla-compliance-2026-10-01-2026-10-31.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Customer", "Contract", "Priority", "Clock", "Counted", "Met", "Breached", "Still running", "Met rate"],
        ["杭州市公安局", "", "P1 Critical", "Response", "3", "2", "1", "0", "66.7%"],
        ["杭州市公安局", "", "P1 Critical", "Resolution", "3", "1", "1", "1", "50.0%"],
        ["杭州市公安局", "", "P1 Critical", "Emergency plan", "3", "1", "1", "1", "50.0%"],
        ["Total", "", "", "", "9", "4", "3", "2", "57.1%"],
    ]


def test_the_breaches_csv_lists_each_breach_in_local_time(client, people, three_tickets):
    client.force_login(people["manager"])

    with translation.override("en"):
        response = client.get(
            reverse("sla_report_csv"), {"start": "2026-10-01", "end": "2026-10-31", "rows": "breaches"}, **ENGLISH
        )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    number = three_tickets["breached"].number
    assert rows[0][:6] == ["Ticket", "Customer", "Contract", "Priority", "Clock", "Target (minutes)"]
    assert rows[1] == [
        number,
        "杭州市公安局",
        "",
        "P1 Critical",
        "Response",
        "30",
        "2026-10-02 09:30",
        "",
        "270",
        "4 h 30 min",
    ]
    assert len(rows) == 4


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(client, people, clock):
    critical(people, clock, CustomerFactory(name="=HYPERLINK(1)"), beijing(2, 9))
    client.force_login(people["manager"])

    response = client.get(reverse("sla_report_csv"), {"start": "2026-10-01", "end": "2026-10-31"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-10-31", "2026-10-01", "The end of the period must be on or after its start."),
        ("2026-01-01", "2027-01-01", "The period can be at most one year long."),
        ("2026-10-01", "", "This field is required."),
        ("2026-10-01", "31/10/2026", "Enter a valid date."),
    ],
)
def test_a_period_that_is_not_one_is_refused_with_a_reason(client, people, start, end, message):
    client.force_login(people["manager"])

    with translation.override("en"):
        page = client.get(reverse("sla_report"), {"start": start, "end": end}, **ENGLISH)
        download = client.get(reverse("sla_report_csv"), {"start": start, "end": end}, **ENGLISH)

    assert (page.status_code, download.status_code) == (400, 400)
    assert message in page.content.decode()
    assert page.context["report"] is None and download["Content-Type"].startswith("text/html")


def test_a_whole_year_is_allowed():
    form = ReportForm({"start": "2026-01-01", "end": "2026-12-31"}, user=UserFactory(role=Role.MANAGER))
    leap = ReportForm({"start": "2028-02-29", "end": "2029-02-28"}, user=UserFactory(role=Role.MANAGER))

    assert form.is_valid(), form.errors
    assert leap.is_valid(), leap.errors


def test_the_period_defaults_to_the_last_full_month(client, people, clock):
    clock.at(dt.datetime(2026, 1, 15, 10, tzinfo=BEIJING))
    client.force_login(people["manager"])

    response = client.get(reverse("sla_report"))

    assert response.status_code == 200
    assert (response.context["report"].start, response.context["report"].end) == (
        dt.date(2025, 12, 1),
        dt.date(2025, 12, 31),
    )
    assert last_full_month(dt.date(2026, 3, 31)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def test_an_id_that_names_no_customer_is_a_form_error_not_a_crash(client, people):
    client.force_login(people["manager"])

    for value in ("abc", "99999999999999999999999", "0"):
        response = client.get(reverse("sla_report"), {"customer": value, "contract": value})
        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"customer", "contract"}


def test_customer_users_do_not_find_the_report(client, three_tickets):
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=three_tickets["customer"]))

    page = client.get(reverse("sla_report"), {"start": "2026-10-01", "end": "2026-10-31"})
    download = client.get(reverse("sla_report_csv"), {"start": "2026-10-01", "end": "2026-10-31"})

    assert (page.status_code, download.status_code) == (404, 404)
    assert three_tickets["breached"].number not in page.content.decode() + download.content.decode()


# Session, user, permissions (2), the menu's unread count, the customer and contract options (a COUNT and a SELECT
# each), and the report's 10.
PAGE_QUERIES = 5 + 4 + 10


def test_the_page_reads_a_fixed_number_of_queries(client, people, clock, three_tickets, django_assert_num_queries):
    client.force_login(people["manager"])
    october = {"start": "2026-10-01", "end": "2026-10-31"}
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(reverse("sla_report"), october)
    for hour in range(10, 20):
        critical(people, clock, CustomerFactory(), beijing(5, hour))
    clock.at(NOW + dt.timedelta(days=5))
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(reverse("sla_report"), october)
