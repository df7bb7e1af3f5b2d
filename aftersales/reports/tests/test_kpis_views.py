"""The KPI pages and downloads: figures shown, sorting, periods, CSV and Excel, who sees what, and query counts."""

import csv
import io
import re
import zipfile

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.dispatch.models import WorkLogEntry
from aftersales.quality.models import Complaint, FollowUp, QcReview
from aftersales.reports.tests import test_kpis_fixtures
from aftersales.reports.tests.test_kpis_fixtures import READ_AT, october
from aftersales.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
week = test_kpis_fixtures.week

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
THE_WEEK = {"period": "week", "date": "2026-10-14"}
ROW = re.compile(
    r'<tr data-testid="kpi-(engineer|team)-row" data-(?:user|team)="\d+">\s*<th scope="row"[^>]*>(.*?)</th>'
)
CELL = re.compile(r'data-column="([a-z0-9_]+)">([^<]*)</td>')


def page(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("kpi_table"), query or THE_WEEK, **ENGLISH)
    return response, response.content.decode()


def names(html: str, kind: str = "engineer") -> list[str]:
    return [re.sub(r"<[^>]+>", "", name) for found, name in ROW.findall(html) if found == kind]


def cells_of(html: str, name: str) -> dict[str, str]:
    """The cells of the row whose heading is `name`."""
    start = html.index(f">{name}<")
    row = html[start : html.index("</tr>", start)]
    return dict(CELL.findall(row))


def test_the_manager_reads_every_engineer_and_team_with_the_weeks_figures(client, week):
    response, html = page(client, week["manager"])

    assert response.status_code == 200
    assert names(html) == ["张伟", "李娜", "王强"]
    assert names(html, "team") == ["华东二线组", "华西二线组"]
    assert 'data-testid="kpi-period">Week 42 of 2026 (2026-10-12 to 2026-10-18)<' in html
    assert cells_of(html, "李娜") == {
        "handled": "2",
        "sla_all": "62.5%",
        "sla_response": "100.0%",
        "sla_arrival": "100.0%",
        "sla_resolution": "50.0%",
        "sla_emergency_plan": "50.0%",
        "sla_escalation": "0.0%",
        "response_mean": "12 minutes",
        "response_p90": "18 minutes",
        "arrival_mean": "1 h 30 min",
        "arrival_p90": "1 h 30 min",
        "resolution_mean": "5 hours",
        "resolution_p90": "5 h 48 min",
        "first_time_fix": "50.0%",
        "reopen": "0.0%",
        "satisfaction": "4.00",
        "complaints": "1",
        "qc": "70.0",
        "hours": "3.5",
    }
    total = cells_of(html, "All tickets")
    assert (total["handled"], total["sla_response"], total["complaints"], total["hours"]) == ("5", "80.0%", "1", "6.0")
    assert cells_of(html, "王强")["handled"] == "0"
    assert cells_of(html, "王强")["satisfaction"] == "—"


def test_the_table_sorts_by_any_column_with_rows_lacking_the_figure_last(client, week):
    _response, most = page(client, week["manager"], **THE_WEEK, sort="-handled")
    _response, lowest = page(client, week["manager"], **THE_WEEK, sort="satisfaction")
    _response, highest = page(client, week["manager"], **THE_WEEK, sort="-satisfaction")
    _response, by_name = page(client, week["manager"], **THE_WEEK, sort="-name")
    _response, unknown = page(client, week["manager"], **THE_WEEK, sort="password")

    assert names(most) == ["张伟", "李娜", "王强"]
    assert names(lowest) == ["张伟", "李娜", "王强"]
    assert names(highest) == ["李娜", "张伟", "王强"]
    assert names(highest, "team") == ["华东二线组", "华西二线组"]
    assert names(by_name) == ["王强", "李娜", "张伟"]
    assert names(unknown) == ["张伟", "李娜", "王强"]
    assert (
        'aria-sort="descending">\n    <a class="text-reset" href="?period=week&amp;date=2026-10-12&amp;sort=satisfaction"'
        in (highest)
    )


def test_the_period_defaults_to_this_month_and_moves_back_and_forth(client, week):
    response, html = page(client, week["manager"], period="month")

    assert response.status_code == 200
    assert 'data-testid="kpi-period">2026-10<' in html
    assert 'href="?period=month&amp;date=2026-09-01" data-testid="kpi-previous"' in html
    assert 'href="?period=month&amp;date=2026-11-01" data-testid="kpi-next"' in html
    assert cells_of(html, "张伟")["handled"] == "4"  # t6, resolved on the 19th, is in October too
    html = client.get(reverse("kpi_table"), **ENGLISH).content.decode()  # no period named: this month
    assert 'data-testid="kpi-period">2026-10<' in html


def test_a_range_is_checked_and_read(client, week):
    backwards, html = page(client, week["manager"], period="range", start="2026-10-18", end="2026-10-12")
    too_long, long_html = page(client, week["manager"], period="range", start="2026-01-01", end="2027-01-01")
    missing, missing_html = page(client, week["manager"], period="range", start="2026-10-12")
    good, good_html = page(client, week["manager"], period="range", start="2026-10-13", end="2026-10-15")

    assert (backwards.status_code, too_long.status_code, missing.status_code, good.status_code) == (400, 400, 400, 200)
    assert "The end of the period must be on or after its start." in html
    assert "The period can be at most one year long." in long_html
    assert "Give both dates of the period." in missing_html
    assert 'data-testid="kpi-period">2026-10-13 to 2026-10-15<' in good_html
    assert cells_of(good_html, "张伟")["handled"] == "1"  # t2, resolved again on the 14th; t1 and t5 on the 12th
    assert cells_of(good_html, "李娜")["handled"] == "2"


@pytest.mark.parametrize(
    "query",
    [
        {"period": "month", "date": "9999-12-31"},
        {"period": "year", "date": "9999-06-01"},
        {"period": "day", "date": "0001-01-01"},
        {"period": "week", "date": "1999-12-31"},
        {"period": "month", "date": "2028-01-01"},
        {"period": "range", "start": "9999-12-01", "end": "9999-12-31"},
        {"period": "range", "start": "0001-01-01", "end": "0001-01-02"},
    ],
)
def test_a_day_out_of_reach_is_refused_with_a_reason(client, week, query):
    """Far dates overflowed the calendar arithmetic (year 10000, year 1 in UTC): a server error, not a reason."""
    client.force_login(week["manager"])
    engineer = reverse("kpi_engineer", args=[week["li"].pk])

    answers = [
        client.get(url, {**query, **extra}, **ENGLISH)
        for url, extra in ((reverse("kpi_table"), {}), (reverse("kpi_export"), {"format": "csv"}), (engineer, {}))
    ]

    assert [answer.status_code for answer in answers] == [400, 400, 400]
    assert all("Choose a day from 2000-01-01 to 2027-12-31." in answer.content.decode() for answer in answers)


def test_the_csv_download_has_every_row_and_figure(client, week):
    client.force_login(week["manager"])
    response = client.get(reverse("kpi_export"), {**THE_WEEK, "format": "csv"}, **ENGLISH)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kpis-week-2026-10-12_2026-10-18.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header = lines[0]
    assert header[:5] == ["Period", "Row", "Name", "Tickets handled", "All SLA targets met, in percent"]
    assert "Response time, mean, in minutes" in header
    assert [line[1:3] for line in lines[1:]] == [
        ["Engineer", "张伟"],
        ["Engineer", "李娜"],
        ["Engineer", "王强"],
        ["Team", "华东二线组"],
        ["Team", "华西二线组"],
        ["Total", "Total"],
    ]
    li = dict(zip(header, lines[2], strict=True))
    assert (li["Tickets handled"], li["Response time, mean, in minutes"], li["Satisfaction (1–5)"]) == (
        "2",
        "12.5",
        "4.0",
    )
    assert (li["Resolution time, 90th percentile, in minutes"], li["Labour hours"], li["Complaints"]) == (
        "348.0",
        "3.5",
        "1",
    )
    assert dict(zip(header, lines[3], strict=True))["Satisfaction (1–5)"] == ""


def test_names_that_look_like_formulas_stay_text_in_both_downloads(client, week):
    UserFactory(role=Role.ENGINEER, username="evil", first_name='=HYPERLINK("http://x","y")')
    client.force_login(week["manager"])

    csv_text = client.get(reverse("kpi_export"), {**THE_WEEK, "format": "csv"}).content.decode()
    workbook = client.get(reverse("kpi_export"), {**THE_WEEK, "format": "xlsx"}, **ENGLISH)

    assert "'=HYPERLINK" in csv_text
    assert workbook["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert workbook["Content-Disposition"] == 'attachment; filename="kpis-week-2026-10-12_2026-10-18.xlsx"'
    with zipfile.ZipFile(io.BytesIO(workbook.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet
    assert '<t>=HYPERLINK("http://x","y")</t>' in strings
    assert "李娜" in strings and "华东二线组" in strings and "Tickets handled" in strings


def test_an_unknown_download_format_is_not_found(client, week):
    client.force_login(week["manager"])

    assert client.get(reverse("kpi_export"), {**THE_WEEK, "format": "pdf"}).status_code == 404
    assert client.get(reverse("kpi_export"), THE_WEEK).status_code == 404


def test_an_engineer_sees_only_their_own_row_and_page(client, week):
    response, html = page(client, week["li"])
    own = client.get(reverse("kpi_engineer", args=[week["li"].pk]), THE_WEEK, **ENGLISH)
    other = client.get(reverse("kpi_engineer", args=[week["zhang"].pk]), THE_WEEK)
    download = client.get(reverse("kpi_export"), {**THE_WEEK, "format": "csv"}, **ENGLISH).content.decode()

    assert response.status_code == 200
    assert names(html) == ["李娜"]
    assert names(html, "team") == []
    assert "All tickets" not in html and "张伟" not in html
    assert cells_of(html, "李娜")["handled"] == "2"
    assert own.status_code == 200
    assert other.status_code == 404
    assert [line.split(",")[2] for line in download.strip().splitlines()[1:]] == ["李娜"]


def test_the_engineers_page_lists_the_tickets_behind_the_figures(client, week):
    client.force_login(week["manager"])
    response = client.get(reverse("kpi_engineer", args=[week["zhang"].pk]), THE_WEEK, **ENGLISH)

    html = response.content.decode()
    assert response.status_code == 200
    tickets = week["tickets"]
    listed = re.findall(r'data-testid="kpi-engineer-ticket">\s*<td class="text-nowrap"><a href="[^"]+">(\w+)</a>', html)
    assert listed == [tickets["t2"].number, tickets["t1"].number, tickets["t5"].number]
    assert html.count("bg-orange-lt") == 1  # t2 was reopened
    assert 'data-figure="handled">3<' in html
    assert 'data-figure="satisfaction">3.50<' in html


@pytest.mark.parametrize("role", [Role.AGENT, Role.DISPATCHER, Role.PARTS_KEEPER, Role.ARCHIVIST])
def test_staff_without_kpis_find_no_page(client, week, role):
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("kpi_table"), THE_WEEK).status_code == 404
    assert client.get(reverse("kpi_export"), {**THE_WEEK, "format": "csv"}).status_code == 404
    assert client.get(reverse("kpi_engineer", args=[week["li"].pk]), THE_WEEK).status_code == 404


@pytest.mark.parametrize("role", [Role.QUALITY, Role.ADMIN])
def test_quality_controllers_and_administrators_read_everyone(client, week, role):
    _response, html = page(client, UserFactory(role=role))

    assert names(html) == ["张伟", "李娜", "王强"]


def counts() -> tuple:
    return tuple(model.objects.count() for model in (Ticket, TicketEvent, FollowUp, QcReview, Complaint, WorkLogEntry))


def test_a_customer_is_refused_everything_and_nothing_changes(client, week):
    customer_user = UserFactory(role=Role.CUSTOMER, customer=week["desk"].customer)
    client.force_login(customer_user)
    before = counts()

    answers = [
        client.get(reverse("kpi_table"), THE_WEEK).status_code,
        client.get(reverse("kpi_export"), {**THE_WEEK, "format": "xlsx"}).status_code,
        client.get(reverse("kpi_engineer", args=[week["li"].pk]), THE_WEEK).status_code,
        client.get(reverse("kpi_engineer", args=[customer_user.pk]), THE_WEEK).status_code,
        client.post(reverse("kpi_table"), THE_WEEK).status_code,
    ]

    assert answers == [404, 404, 404, 404, 405]
    assert counts() == before


def test_a_visitor_is_sent_to_sign_in(client, week):
    response = client.get(reverse("kpi_table"), THE_WEEK)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_id_that_names_nobody_or_a_customer_user_is_not_found(client, week):
    customer_user = UserFactory(role=Role.CUSTOMER, customer=week["desk"].customer)
    client.force_login(week["manager"])

    assert client.get(reverse("kpi_engineer", args=[999_999]), THE_WEEK).status_code == 404
    assert client.get(reverse("kpi_engineer", args=[customer_user.pk]), THE_WEEK).status_code == 404
    assert client.get(reverse("kpi_engineer", args=[2**63]), THE_WEEK).status_code == 404


def test_the_kpi_page_reads_the_same_number_of_queries_for_3_and_10_engineers(client, week):
    from django.db import connection

    client.force_login(week["manager"])
    with CaptureQueriesContext(connection) as three:
        assert client.get(reverse("kpi_table"), THE_WEEK).status_code == 200
    desk = week["desk"]
    for index in range(7):
        engineer = UserFactory(role=Role.ENGINEER, username=f"extra{index}")
        ticket = desk.received(october(16, 9, index))
        ticket = desk.assigned(ticket, engineer, week["west"], october(16, 9, 10 + index))
        ticket = desk.accepted(ticket, october(16, 9, 20 + index))
        desk.resolved(ticket, october(16, 10, index))
    week["clock"].set(READ_AT)

    with CaptureQueriesContext(connection) as ten:
        response = client.get(reverse("kpi_table"), THE_WEEK)

    assert len(names(response.content.decode())) == 10
    # The KPIs' 20, the session, the user and the menu's unread notifications.
    assert len(ten.captured_queries) == len(three.captured_queries) == 23
