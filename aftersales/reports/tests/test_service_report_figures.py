"""The service report's figures: SLA compliance as the SLA engine replays it, breaches explained, availability,
work done, satisfaction and complaints, and the drafted recommendations."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.reports.periods import month_of
from aftersales.reports.service_report import availability
from aftersales.reports.service_report.figures import compute_figures
from aftersales.reports.service_report.presentation import present
from aftersales.reports.service_report.recommendations import draft_recommendations
from aftersales.reports.tests import service_report_fixtures as fixtures
from aftersales.sla.choices import ClockStatus
from aftersales.tickets.models import Ticket
from aftersales.tickets.sla import CUSTOMER_CLOCKS, PolicyBook, clock_states
from aftersales.tickets.sla_report import sla_compliance
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

NOW, beijing = fixtures.NOW, fixtures.beijing
clock, october = fixtures.clock, fixtures.october

OCTOBER = month_of(dt.date(2026, 10, 1))


def figures_for(october):
    return compute_figures(customer=october["customer"], contract=october["contract"], period=OCTOBER, now=NOW)


def replayed_by_the_engine(contract) -> dict[tuple, Counter]:
    """Every customer clock of the contract's October tickets, replayed one ticket at a time."""
    book = PolicyBook.load()
    since, until = beijing(10, 1, 0), beijing(11, 1, 0)
    outcomes: dict[tuple, Counter] = {}
    for ticket in Ticket.objects.filter(contract=contract, received_at__gte=since, received_at__lt=until):
        for state in clock_states(ticket, list(ticket.events.order_by("at", "id")), book, NOW):
            if state.clock in CUSTOMER_CLOCKS and state.status != ClockStatus.PENDING:
                outcomes.setdefault((ticket.priority, state.clock), Counter())[state.status] += 1
    return outcomes


def test_the_sla_figures_are_those_the_sla_engine_replays_from_the_same_events(october):
    figures = figures_for(october)

    engine = replayed_by_the_engine(october["contract"])
    assert {
        (row["priority"], row["clock"]): (row["met"], row["breached"], row["running"]) for row in figures["sla"]["rows"]
    } == {
        key: (
            counts[ClockStatus.MET],
            counts[ClockStatus.BREACHED],
            counts[ClockStatus.RUNNING] + counts[ClockStatus.PAUSED],
        )
        for key, counts in engine.items()
    }
    # And the same as the staff's compliance report narrowed to the contract, for the customer's promises.
    staff = sla_compliance(
        user=UserFactory(role=Role.MANAGER),
        start=OCTOBER.start,
        end=OCTOBER.end,
        contract_id=october["contract"].pk,
        now=NOW,
    )
    assert [
        (row.priority, row.clock, row.counted, row.met, row.breached, row.running)
        for row in staff.rows
        if row.clock in CUSTOMER_CLOCKS
    ] == [
        (row["priority"], row["clock"], row["counted"], row["met"], row["breached"], row["running"])
        for row in figures["sla"]["rows"]
    ]


def test_the_compliance_counts_a_paused_clock_as_running_and_each_breach_once(october):
    sla = figures_for(october)["sla"]

    assert sla["rows"] == [
        {"priority": 1, "clock": "response", "counted": 5, "met": 4, "breached": 1, "running": 0, "percent": 80.0},
        {"priority": 1, "clock": "resolution", "counted": 5, "met": 2, "breached": 2, "running": 1, "percent": 50.0},
    ]
    assert sla["total"] == {"counted": 10, "met": 6, "breached": 3, "running": 1, "percent": 66.7}
    assert [(line["clock"], line["percent"]) for line in sla["by_clock"]] == [("response", 80.0), ("resolution", 50.0)]


def test_each_breach_is_explained_by_its_clock_timeline_with_the_pause_and_its_reason(october):
    breaches = figures_for(october)["breaches"]

    late, paused = october["late"].number, october["paused_breached"].number
    assert [(breach["number"], breach["clock"], breach["overdue"]) for breach in breaches] == [
        (late, "response", 4 * 3600 + 25 * 60),
        (late, "resolution", 90 * 60),
        (paused, "resolution", 16 * 3600),
    ]
    explained = breaches[2]
    assert (explained["target"], explained["used"], explained["paused"]) == (4 * 3600, 20 * 3600, 5 * 3600)
    assert explained["due_at"] == beijing(10, 6, 18).astimezone(dt.UTC).isoformat()
    assert [(moment["what"], moment["status"], moment["note"]) for moment in explained["moments"]] == [
        ("started", "", ""),
        ("paused", "pending_customer", "等客户确认停机窗口"),
        ("resumed", "in_progress", ""),
        ("breached", "", ""),
        ("met", "", ""),
    ]
    assert explained["resolution"] == "更换故障模块后恢复。"
    # The warning rungs (50 %, 80 %) are the provider's business, not the customer's.
    assert all(moment["what"] != "level" for breach in breaches for moment in breach["moments"])


def test_the_tickets_are_counted_by_kind_and_priority_for_the_contract_only(october):
    tickets = figures_for(october)["tickets"]

    assert (tickets["total"], tickets["resolved"], tickets["cancelled"]) == (5, 4, 0)
    assert tickets["by_kind"] == [{"kind": "catastrophic_fault", "count": 5}]
    assert tickets["by_priority"] == [{"priority": 1, "count": 5}]
    assert tickets["matrix"] == [{"kind": "catastrophic_fault", "priority": 1, "count": 5}]


@pytest.fixture
def outages():
    """Faults of one contract in October: overlapping, across the month's start, still open, unnamed."""
    contract = ContractFactory(start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    customer = contract.customer
    server = AssetFactory(site__customer=customer, contract=contract, product__name="数据库服务器")
    switch = AssetFactory(site__customer=customer, contract=contract, product__name="核心交换机")
    AssetFactory(site__customer=customer, contract=contract)  # never down

    def fault(received, resolved, *assets, kind="major_fault", **values):
        values = {"customer": customer, "contract": contract, "kind": kind, "status": "closed", **values}
        ticket = TicketFactory(received_at=received, resolved_at=resolved, **values)
        ticket.assets.set(assets)
        return ticket

    fault(beijing(10, 2, 9), beijing(10, 2, 15), server)
    fault(beijing(10, 2, 12), beijing(10, 2, 18), server, kind="catastrophic_fault")  # overlaps: 9:00-18:00
    fault(beijing(10, 10, 22), beijing(10, 11, 2), server)
    fault(beijing(9, 30, 20), beijing(10, 1, 2), switch)  # counts from midnight
    fault(beijing(10, 31, 20), None, switch, status="in_progress")  # still down at the end
    fault(beijing(10, 15, 10), beijing(10, 15, 11))  # no equipment named
    fault(beijing(10, 20, 9), beijing(10, 20, 12), server, kind="general_fault")  # not an outage
    fault(beijing(10, 21, 9), None, server, status="cancelled")  # a false alarm
    other = ContractFactory(customer=customer, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    fault(beijing(10, 25, 9), beijing(10, 25, 20), server, contract=other)
    return {"contract": contract, "server": server, "switch": switch}


def test_availability_merges_overlapping_outages_per_system_and_states_its_formula(outages):
    figures = compute_figures(
        customer=outages["contract"].customer, contract=outages["contract"], period=OCTOBER, now=NOW
    )

    result = figures["availability"]
    assert result["length"] == 31 * 24 * 3600
    assert [(s["asset_id"], s["downtime"], s["outages"], s["availability"]) for s in result["systems"]] == [
        (outages["server"].pk, 13 * 3600, 2, 98.253),  # 100 × (1 − 13 h / 744 h)
        (outages["switch"].pk, 6 * 3600, 2, 99.194),
        (None, 3600, 1, 99.866),
    ]
    assert result["overall"] == {"downtime": 20 * 3600, "outages": 5, "availability": 97.312}
    assert result["assets_under_contract"] == 3


def test_availability_of_a_running_period_is_measured_to_now(outages):
    now = beijing(10, 2, 21)

    figures = compute_figures(
        customer=outages["contract"].customer, contract=outages["contract"], period=OCTOBER, now=now
    )

    result = figures["availability"]
    assert result["length"] == (now - beijing(10, 1, 0)).total_seconds()
    server = result["systems"][0]
    assert (server["downtime"], server["availability"]) == (9 * 3600, round(100 * (1 - 9 / 45), 3))


def test_merging_intervals_keeps_touching_and_nested_outages_once():
    day = beijing(10, 1, 0)
    hours = [
        (day + dt.timedelta(hours=a), day + dt.timedelta(hours=b))
        for a, b in [(5, 6), (1, 3), (2, 4), (4, 5), (8, 9), (8, 8)]
    ]

    assert availability.merged(hours) == [
        (day + dt.timedelta(hours=1), day + dt.timedelta(hours=6)),
        (day + dt.timedelta(hours=8), day + dt.timedelta(hours=9)),
    ]
    assert availability.downtime(hours, day + dt.timedelta(hours=2), day + dt.timedelta(hours=24)) == dt.timedelta(
        hours=5
    )
    assert availability.percent_available(dt.timedelta(0), dt.timedelta(0)) == 100.0


def test_recommendations_are_drafted_from_the_figures(october):
    figures = figures_for(october)

    with translation.override("en"):
        text = draft_recommendations(figures)

    assert text.splitlines() == [
        "• The Response target was met for 80.0% of requests (1 missed). We will review each missed case listed in "
        "this report with the engineers concerned and adjust staffing and dispatching so that it is met again.",
        "• The Resolution target was met for 50.0% of requests (2 missed). We will review each missed case listed in "
        "this report with the engineers concerned and adjust staffing and dispatching so that it is met again.",
        "• 1 missed target involved time spent waiting (for your staff, a vendor or parts); agreeing on a contact "
        "who can give access and decisions at any time would shorten such waits.",
        # No equipment was named: the faults of 2 (1 h), 2 (5 h 30), 5 (4 h), 6 (1 d 1 h) and 30 October (39 h)
        # overlap only on the 2nd: 9:00-15:00, so 6 + 4 + 25 + 39 = 74 hours of 744.
        "• Equipment not recorded on the tickets was available 90.054% of the period (4 outages). We recommend a "
        "preventive inspection of it and, if its faults come from wear, replacing the parts concerned.",
        "• Requests about “存储阵列告警” came up 3 times. Short training for your users or a guide in the portal's "
        "knowledge base could answer many of them directly.",
    ]


def test_a_quiet_period_gets_the_all_well_sentence():
    contract = ContractFactory(start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))

    figures = compute_figures(customer=contract.customer, contract=contract, period=OCTOBER, now=NOW)
    with translation.override("en"):
        text = draft_recommendations(figures)

    assert text == (
        "• Every service target was met and no problem came back in this period; we will keep the same service."
    )
    assert figures["sla"]["total"]["percent"] is None and figures["availability"]["overall"]["availability"] == 100.0


def test_the_presented_figures_carry_labels_and_times(october):
    with translation.override("en"):
        shown = present(figures_for(october))

    assert shown["tickets"]["matrix_rows"] == [{"label": "Catastrophic fault", "cells": [5]}]
    assert shown["tickets"]["priority_labels"] == ["P1 Critical"]
    assert [row["clock_label"] for row in shown["sla"]["by_clock"]] == ["Response", "Resolution"]
    breach = shown["breaches"][2]
    assert (breach["due_at"], breach["overdue_words"], breach["paused_words"]) == (
        beijing(10, 6, 18),
        "16 hours",
        "5 hours",
    )
    assert [moment["what_label"] for moment in breach["moments"]] == [
        "clock started",
        "clock paused",
        "clock resumed",
        "target missed",
        "done",
    ]


@pytest.fixture
def work_and_voice():
    """Work orders, answered follow-ups and complaints of one contract in October (and some that do not count)."""
    from aftersales.dispatch.tests.factories import WorkOrderFactory
    from aftersales.quality.models import FollowUp

    contract = ContractFactory(start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    customer = contract.customer

    def ticket(**values):
        return TicketFactory(customer=customer, contract=contract, received_at=beijing(10, 3, 9), **values)

    def order(started, kind="on_site", status="signed", hours="2.50", **values):
        return WorkOrderFactory(
            ticket=ticket(),
            kind=kind,
            status=status,
            started_at=started,
            labour_hours=hours,
            travel_km="12.0",
            **values,
        )

    order(beijing(10, 3, 10))
    order(beijing(10, 4, 10), kind="remote", hours="1.00")
    order(beijing(10, 5, 10), status="cancelled")  # no work was done
    order(beijing(9, 30, 10))  # September's
    other = ContractFactory(customer=customer, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    WorkOrderFactory(ticket=TicketFactory(customer=customer, contract=other), started_at=beijing(10, 6, 10))

    def answered(outcome, scores, at=None):
        at = at or beijing(10, 10, 10)
        return FollowUp.objects.create(
            ticket=ticket(),
            due_at=at,
            method="phone",
            status="done",
            outcome=outcome,
            answered_at=at,
            score_overall=scores[0],
            score_response_speed=scores[1],
            score_professionalism=scores[2],
            score_attitude=scores[3],
        )

    answered("satisfied", (5, 5, 5, 5))
    answered("satisfied", (4, 4, 5, 5))
    unhappy = answered("dissatisfied", (2, 1, 3, 3))
    FollowUp.objects.filter(pk=unhappy.pk).update(reservice_ticket=ticket())
    answered("unreachable", (None, None, None, None))
    answered("satisfied", (1, 1, 1, 1), at=beijing(11, 1, 10))  # November's
    ticket(
        kind="complaint",
        title="工程师未按约定时间到场",
        status="closed",
        resolved_at=beijing(10, 4, 9),
        root_cause="派单未计算路程时间。",
        corrective_action="调整派单规则，提前确认到场时间。",
    )
    TicketFactory(
        customer=customer, contract=None, kind="complaint", title="热线无人接听", received_at=beijing(10, 20, 9)
    )
    TicketFactory(customer=customer, contract=other, kind="complaint", received_at=beijing(10, 21, 9))
    return contract


def test_work_done_satisfaction_and_complaints_are_counted_for_the_contract_and_period(work_and_voice):
    contract = work_and_voice

    figures = compute_figures(customer=contract.customer, contract=contract, period=OCTOBER, now=NOW)

    work = figures["work"]
    assert (work["count"], work["on_site"], work["remote"], work["labour_hours"], work["travel_km"]) == (
        2,
        1,
        1,
        "3.50",
        "24.0",
    )
    assert [order["kind"] for order in work["orders"]] == ["on_site", "remote"]
    satisfaction = figures["satisfaction"]
    assert (satisfaction["answered"], satisfaction["satisfied_percent"], satisfaction["reservices"]) == (4, 66.7, 1)
    assert satisfaction["outcomes"] == {"satisfied": 2, "dissatisfied": 1, "unreachable": 1, "declined": 0}
    assert satisfaction["scores"] == {
        "score_overall": 3.67,
        "score_response_speed": 3.33,
        "score_professionalism": 4.33,
        "score_attitude": 4.33,
    }
    complaints = figures["complaints"]
    assert (complaints["count"], complaints["closed"]) == (2, 1)
    # The drafted recommendations say each complaint's cause and corrective action are listed: both are.
    assert [(row["title"], row["root_cause"], row["corrective_action"]) for row in complaints["rows"]] == [
        ("工程师未按约定时间到场", "派单未计算路程时间。", "调整派单规则，提前确认到场时间。"),
        ("热线无人接听", "", ""),
    ]


def test_the_figures_read_a_fixed_number_of_queries_however_many_tickets_and_breaches(
    october, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        figures_for(october)
    desk = october["desk"]
    for hour in range(10, 16):  # six more breached P1s, each with its own timeline
        desk.fault(october["customer"], beijing(10, 12, hour), site=october["site"])
    desk.clock.at(NOW)

    with django_assert_num_queries(len(first.captured_queries)):
        figures = figures_for(october)
    assert len(figures["breaches"]) == 3 + 6 * 2
