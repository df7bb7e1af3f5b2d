"""The KPI table as a CSV file (that Excel opens in Chinese) and as an Excel workbook."""

import csv
import io
from collections.abc import Iterator

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftersales.reports.kpis.columns import Column, columns_for
from aftersales.reports.kpis.figures import ENGINEER, TEAM, KpiRow, KpiTable
from aftersales.tickets.views.sla_report import BOM, FORMULA_STARTS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header(column: Column) -> str:
    if column.kind == "percent":
        return _("%(figure)s, in percent") % {"figure": column.label}
    if column.kind == "duration":
        return _("%(figure)s, in minutes") % {"figure": column.label}
    return column.label


def _kind(row: KpiRow) -> str:
    if row.kind == ENGINEER:
        return _("Engineer")
    if row.kind == TEAM:
        return _("Team")
    return _("Total")


def lines(table: KpiTable) -> Iterator[list]:
    """A header, then the engineers, the teams and the total: text and numbers (None when there is no figure)."""
    columns = columns_for(table)
    yield [
        pgettext("report period", "Period"),
        _("Row"),
        pgettext("name of a thing", "Name"),
        *(_header(column) for column in columns),
    ]
    for row in table.rows:
        yield [table.period.label, _kind(row), row.name or _("Total"), *(column.export(row) for column in columns)]


def as_csv(table: KpiTable) -> str:
    output = io.StringIO()
    output.write(BOM)
    writer = csv.writer(output)
    for line in lines(table):
        writer.writerow([_csv_cell(value) for value in line])
    return output.getvalue()


def _csv_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    # A cell starting with one of these is a formula to a spreadsheet; a name must never run as one.
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def as_xlsx(table: KpiTable) -> bytes:
    output = io.BytesIO()
    # Text is written as text: a name starting with "=" stays a name, never a formula or a link.
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(_("KPIs"))
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    decimal = workbook.add_format({"num_format": "0.0"})
    for row_index, line in enumerate(lines(table)):
        for column_index, value in enumerate(line):
            if row_index == 0:
                sheet.write_string(row_index, column_index, str(value), bold)
            elif value is None:
                sheet.write_blank(row_index, column_index, None)
            elif isinstance(value, int | float):
                sheet.write_number(row_index, column_index, value, decimal if isinstance(value, float) else None)
            else:
                sheet.write_string(row_index, column_index, str(value))
    sheet.freeze_panes(1, 3)
    sheet.set_column(0, 2, 18)
    sheet.set_column(3, 40, 14)
    workbook.close()
    return output.getvalue()
