"""The columns of the KPI table: one list for the page, its sorting and the CSV and Excel downloads.

A column gives the row's figure as a number (to sort and to export; None when there is none yet) and as text
(to show). Durations are exported in minutes, rates in percent, so a spreadsheet can compute with them.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from aftersales.reports.kpis.figures import KpiRow, KpiTable
from aftersales.sla.choices import Clock
from aftersales.tickets.views.sla_board import describe_duration

NAME = "name"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    number: Callable[[KpiRow], float | int | Decimal | None]
    kind: str = "count"  # count, percent, duration, decimal
    essential: bool = False  # shown on a phone too
    decimals: int = 1

    def text(self, row: KpiRow) -> str:
        value = self.number(row)
        if value is None:
            return "—"
        if self.kind == "percent":
            return f"{number_format(value, 1)}%"
        if self.kind == "duration":
            return describe_duration(dt.timedelta(minutes=value))
        if self.kind == "decimal":
            return number_format(value, self.decimals)
        return str(value)

    def export(self, row: KpiRow):
        value = self.number(row)
        return float(value) if isinstance(value, Decimal) else value


def _minutes(duration: dt.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 60, 1)


def _clock_column(clock: str) -> Column:
    return Column(
        key=f"sla_{clock}",
        label=_("%(clock)s target met") % {"clock": Clock(clock).label},
        number=lambda row: row.clock(clock).percent_met,
        kind="percent",
    )


def _time_columns(name: str, mean_label, p90_label) -> list[Column]:
    return [
        Column(f"{name}_mean", str(mean_label), lambda row: _minutes(row.times[name].mean), "duration"),
        Column(f"{name}_p90", str(p90_label), lambda row: _minutes(row.times[name].p90), "duration"),
    ]


TIME_LABELS = {
    "response": (gettext_lazy("Response time, mean"), gettext_lazy("Response time, 90th percentile")),
    "arrival": (gettext_lazy("Arrival time, mean"), gettext_lazy("Arrival time, 90th percentile")),
    "resolution": (gettext_lazy("Resolution time, mean"), gettext_lazy("Resolution time, 90th percentile")),
}


def columns_for(table: KpiTable) -> list[Column]:
    """Every figure column, with one SLA column per clock the period's tickets had."""
    columns = [
        Column("handled", _("Tickets handled"), lambda row: row.handled, essential=True),
        Column("sla_all", _("All SLA targets met"), lambda row: row.all_clocks.percent_met, "percent", essential=True),
        *(_clock_column(clock) for clock in table.clocks),
    ]
    for name, (mean_label, p90_label) in TIME_LABELS.items():
        columns += _time_columns(name, mean_label, p90_label)
    columns += [
        Column("first_time_fix", _("First-time fix rate"), lambda row: row.first_time_fix_rate, "percent", True),
        Column("reopen", _("Reopen rate"), lambda row: row.reopen_rate, "percent"),
        Column("satisfaction", _("Satisfaction (1–5)"), lambda row: row.satisfaction, "decimal", True, decimals=2),
        Column("complaints", pgettext_lazy("KPI", "Complaints"), lambda row: row.complaints),
        Column("qc", _("QC score (0–100)"), lambda row: row.qc_score, "decimal"),
        Column("hours", _("Labour hours"), lambda row: row.labour_hours, "decimal"),
    ]
    return columns


def sorted_rows(rows: list[KpiRow], columns: list[Column], sort: str) -> list[KpiRow]:
    """By the column `sort` names (a leading '-' for descending), rows without a figure last; else by name."""
    key = sort.removeprefix("-")
    column = next((column for column in columns if column.key == key), None)
    if column is None:
        return sorted(rows, key=lambda row: (row.name, row.key or 0), reverse=sort == f"-{NAME}")
    by_name = sorted(rows, key=lambda row: (row.name, row.key or 0))
    with_figure = [row for row in by_name if column.number(row) is not None]
    # A stable sort, descending too: equal figures stay in the order of their names.
    with_figure.sort(key=column.number, reverse=sort.startswith("-"))
    return [*with_figure, *(row for row in by_name if column.number(row) is None)]


def valid_sort(sort: str | None, columns: list[Column]) -> str:
    keys = {NAME, *(column.key for column in columns)}
    return sort if sort and sort.removeprefix("-") in keys else NAME
