"""The monthly statistics page and its Excel file: staff only, a month chosen, every unfinished ticket exported."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.reports.tests import test_statistics
from aftersales.reports.tests.xlsx_reader import sheets
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

month = test_statistics.month
beijing = test_statistics.beijing
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_page_shows_the_month_breakdowns_unfinished_and_common_problems(client, month):
    client.force_login(UserFactory(role=Role.MANAGER))

    response = client.get(reverse("monthly_statistics"), {"month": "2026-10"})

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["stats"].total == 8
    assert 'data-testid="statistics-total">8<' in body
    assert body.count('data-testid="unfinished-row"') == 5
    assert body.count('data-testid="recurring-asset"') == 1
    assert "服务器 · 3" in body  # the most frequent word of the titles
    assert f'href="{reverse("ticket_detail", args=[month["server2"].pk])}"' in body
    assert 'id="chart-kinds"' in body and 'data-chart="chart-kinds"' in body


def test_the_month_defaults_to_the_last_full_one_and_a_bad_month_is_refused(client):
    client.force_login(UserFactory(role=Role.MANAGER))

    default = client.get(reverse("monthly_statistics"))
    with translation.override("en"):
        bad = client.get(reverse("monthly_statistics"), {"month": "2026-13"}, **ENGLISH)
        future = client.get(reverse("monthly_statistics"), {"month": "2999-01"}, **ENGLISH)

    assert default.status_code == 200 and default.context["stats"].period.end < dt.date.today()
    assert (bad.status_code, future.status_code) == (400, 400)
    assert "Choose a month, e.g. 2026-10." in bad.content.decode()
    assert "This month has not begun yet." in future.content.decode()


@pytest.mark.parametrize("name", ["monthly_statistics", "monthly_statistics_xlsx"])
def test_customers_do_not_find_the_statistics(client, month, name):
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=month["bank"]))

    response = client.get(reverse(name), {"month": "2026-10"})

    assert response.status_code == 404
    assert "杭州市公积金中心" not in response.content.decode()


def test_the_excel_file_has_every_breakdown_and_every_unfinished_ticket(client, month):
    client.force_login(UserFactory(role=Role.MANAGER))

    response = client.get(reverse("monthly_statistics_xlsx"), {"month": "2026-10"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="statistics-2026-10.xlsx"'
    workbook = list(sheets(response.content).values())
    by_kind, unfinished, common = workbook[0], workbook[8], workbook[9]
    assert [row[1:] for row in by_kind[1:]] == [[3.0, 37.5], [2.0, 25.0], [1.0, 12.5], [2.0, 25.0]]
    assert [row[0] for row in unfinished[1:]][1:] == [
        month[name].number for name in ("server2", "bank2", "server3", "bank3")
    ]
    assert [row[6] for row in unfinished[1:]] == [31.0, 23.0, 22.0, 16.0, 1.0]
    assert ["服务器", 3.0] in [[row[1], row[3]] for row in common[1:]]


def test_a_title_that_looks_like_a_formula_stays_text_in_the_excel_file(client):
    TicketFactory(title="=HYPERLINK(1)", received_at=beijing(10, 5))
    client.force_login(UserFactory(role=Role.MANAGER))

    response = client.get(reverse("monthly_statistics_xlsx"), {"month": "2026-10"})

    unfinished = list(sheets(response.content).values())[8]  # the reader raises on any formula cell
    assert unfinished[1][2] == "=HYPERLINK(1)"


def test_the_page_reads_a_fixed_number_of_queries(client, month, django_assert_num_queries):
    client.force_login(UserFactory(role=Role.MANAGER))
    # Session, user, permissions (2); the statistics: breakdowns, tickets with equipment, products, problems of
    # products, recurring assets, their equipment and their problems, customers, owners, unfinished rows, titles,
    # problems of the month; the menu's unread count.
    expected = 17
    with django_assert_num_queries(expected):
        client.get(reverse("monthly_statistics"), {"month": "2026-10"})
    for day in range(1, 20):
        TicketFactory(customer=month["city"], received_at=beijing(10, day), title=f"新问题{day}")
    with django_assert_num_queries(expected):
        client.get(reverse("monthly_statistics"), {"month": "2026-10"})
