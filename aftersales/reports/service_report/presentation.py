"""A report's stored figures made readable: labels in the active language, times as aware datetimes,
durations in words. The page, the PDF and the Excel file all read the figures through `present`."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from aftersales.dispatch.choices import WorkOrderKind, WorkOrderStatus
from aftersales.quality.choices import Outcome
from aftersales.reports.periods import Period
from aftersales.sla.choices import Clock
from aftersales.tickets.choices import Kind, Priority, Status
from aftersales.tickets.views.sla_board import describe_duration

SCORE_LABELS = {
    "score_overall": lambda: _("Overall satisfaction"),
    "score_response_speed": lambda: _("Response speed"),
    "score_professionalism": lambda: _("Professionalism"),
    "score_attitude": lambda: _("Attitude"),
}
MOMENT_LABELS = {
    "started": lambda: _("clock started"),
    "paused": lambda: _("clock paused"),
    "resumed": lambda: _("clock resumed"),
    "breached": lambda: _("target missed"),
    "met": lambda: _("done"),
    "stopped": lambda: _("clock stopped"),
}


def when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def words(seconds: int) -> str:
    return describe_duration(dt.timedelta(seconds=seconds))


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def period_of(figures: dict) -> Period:
    period = figures["period"]
    return Period(period["kind"], dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"]))


def present(figures: dict) -> dict:
    """A copy of the figures with `*_label`, parsed times and durations in words added."""
    if not figures:
        return {}
    tickets, sla = figures["tickets"], figures["sla"]
    kinds = [row["kind"] for row in tickets["by_kind"]]
    priorities = [row["priority"] for row in tickets["by_priority"]]
    cells = {(cell["kind"], cell["priority"]): cell["count"] for cell in tickets["matrix"]}
    return {
        **figures,
        "period_object": period_of(figures),
        "computed_at": when(figures["computed_at"]),
        "tickets": {
            **tickets,
            "resolved_percent": round(100 * tickets["resolved"] / tickets["total"], 1) if tickets["total"] else None,
            "by_kind": [{**row, "label": _label(Kind, row["kind"])} for row in tickets["by_kind"]],
            "by_priority": [{**row, "label": _label(Priority, row["priority"])} for row in tickets["by_priority"]],
            "priority_labels": [_label(Priority, priority) for priority in priorities],
            "matrix_rows": [
                {"label": _label(Kind, kind), "cells": [cells.get((kind, priority), 0) for priority in priorities]}
                for kind in kinds
            ],
        },
        "sla": {
            "rows": [
                {**row, "clock_label": _label(Clock, row["clock"]), "priority_label": _label(Priority, row["priority"])}
                for row in sla["rows"]
            ],
            "by_clock": [{**row, "clock_label": _label(Clock, row["clock"])} for row in sla["by_clock"]],
            "total": sla["total"],
        },
        "breaches": [_breach(breach) for breach in figures["breaches"]],
        "availability": _availability(figures["availability"]),
        "work": _work(figures["work"]),
        "satisfaction": _satisfaction(figures["satisfaction"]),
        "complaints": {
            **figures["complaints"],
            "rows": [
                {
                    **row,
                    "received_at": when(row["received_at"]),
                    "resolved_at": when(row["resolved_at"]),
                    "status_label": _label(Status, row["status"]),
                }
                for row in figures["complaints"]["rows"]
            ],
        },
    }


def _breach(breach: dict) -> dict:
    moments = [
        {
            **moment,
            "at": when(moment["at"]),
            "what_label": MOMENT_LABELS[moment["what"]](),
            "status_label": _label(Status, moment["status"]) if moment["status"] else "",
        }
        for moment in breach.get("moments", [])
    ]
    return {
        **breach,
        "clock_label": _label(Clock, breach["clock"]),
        "priority_label": _label(Priority, breach["priority"]),
        "due_at": when(breach["due_at"]),
        "stopped_at": when(breach["stopped_at"]),
        "target_words": words(breach["target"]),
        "overdue_words": words(breach["overdue"]),
        "paused_words": words(breach["paused"]) if breach.get("paused") else "",
        "moments": moments,
    }


def _availability(availability: dict) -> dict:
    return {
        **availability,
        "since": when(availability["since"]),
        "until": when(availability["until"]),
        "length_words": words(availability["length"]),
        "systems": [
            {
                **system,
                "label": system["name"] or _("Equipment not recorded on the tickets"),
                "downtime_words": words(system["downtime"]) if system["downtime"] else "0",
            }
            for system in availability["systems"]
        ],
        "overall": {**availability["overall"], "downtime_words": words(availability["overall"]["downtime"])},
    }


def _work(work: dict) -> dict:
    return {
        **work,
        "labour_hours": Decimal(work["labour_hours"]),
        "travel_km": Decimal(work["travel_km"]),
        "orders": [
            {
                **order,
                "kind_label": _label(WorkOrderKind, order["kind"]),
                "status_label": _label(WorkOrderStatus, order["status"]),
                "started_at": when(order["started_at"]),
                "ended_at": when(order["ended_at"]),
                "labour_hours": Decimal(order["labour_hours"]),
            }
            for order in work["orders"]
        ],
    }


def _satisfaction(satisfaction: dict) -> dict:
    return {
        **satisfaction,
        "outcome_rows": [
            {"label": _label(Outcome, outcome), "count": count}
            for outcome, count in satisfaction["outcomes"].items()
            if count
        ],
        "score_rows": [
            {"name": name, "label": SCORE_LABELS[name](), "value": value}
            for name, value in satisfaction["scores"].items()
            if name in SCORE_LABELS
        ],
    }
