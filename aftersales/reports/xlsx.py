"""Excel files (XlsxWriter): the rows under a service report, and the internal monthly statistics.

Every text cell is written with `write_string`, so a name starting with "=" stays text and never runs as a
formula; times are local (the installation's zone) and written as Excel dates.
"""

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftersales.core.time import local_zone
from aftersales.dispatch.choices import WorkOrderKind, WorkOrderStatus
from aftersales.dispatch.models import WorkOrder
from aftersales.reports.models import ServiceReport
from aftersales.reports.service_report.figures import NOT_DONE, CustomerReader
from aftersales.reports.service_report.presentation import present
from aftersales.reports.statistics import (
    UNFINISHED_COLUMNS,
    MonthlyStatistics,
    unfinished_row,
    unfinished_tickets,
)
from aftersales.sla.choices import Clock, ClockStatus
from aftersales.tickets.choices import Kind, Priority, ResolutionMethod, Status
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.sla import CUSTOMER_CLOCKS, PolicyBook, clock_states
from aftersales.tickets.sla_report import period_bounds, received_tickets

CHUNK = 2000


class Sheet:
    """One worksheet written row by row, with a bold header and column widths."""

    def __init__(self, book: "Workbook", name: str, header: Sequence[str], widths: Sequence[int] = ()):
        self.book, self.sheet, self.row = book, book.workbook.add_worksheet(name), 0
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width)
        self.write(header, style=book.bold)
        self.sheet.freeze_panes(1, 0)

    def write(self, values: Iterable, style=None) -> None:
        for column, value in enumerate(values):
            self.book.cell(self.sheet, self.row, column, value, style)
        self.row += 1


class Workbook:
    def __init__(self):
        self.output = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self.output, {"in_memory": True})
        self.bold = self.workbook.add_format({"bold": True, "bg_color": "#EEF1F5"})
        self.moment = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.day = self.workbook.add_format({"num_format": "yyyy-mm-dd"})

    def sheet(self, name: str, header: Sequence[str], widths: Sequence[int] = ()) -> Sheet:
        return Sheet(self, name, header, widths)

    def cell(self, sheet, row: int, column: int, value, style=None) -> None:
        if value is None or value == "":
            sheet.write_blank(row, column, None, style)
        elif isinstance(value, dt.datetime):
            local = timezone.localtime(value, local_zone()).replace(tzinfo=None)
            sheet.write_datetime(row, column, local, style or self.moment)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, column, dt.datetime.combine(value, dt.time.min), style or self.day)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value, style)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, column, float(value), style)
        else:
            sheet.write_string(row, column, str(value), style)

    def close(self) -> bytes:
        self.workbook.close()
        return self.output.getvalue()


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def _minutes(seconds: int | float) -> int:
    return int(seconds // 60)


# The service report --------------------------------------------------------------------------------------------


def service_report_workbook(report: ServiceReport, *, now: dt.datetime | None = None) -> bytes:
    """Summary, tickets, SLA clocks, breaches, work orders and outages of the report's contract and period."""
    shown = present(report.figures)
    period = shown["period_object"]
    reader = CustomerReader(report.customer_id)
    book = Workbook()
    _summary(book, report, shown)
    tickets = received_tickets(
        user=reader, start=period.start, end=period.end, customer_id=report.customer_id, contract_id=report.contract_id
    )
    _tickets(book, tickets)
    _clocks(book, tickets, period, now or dt.datetime.fromisoformat(report.figures["computed_at"]))
    _breaches(book, shown)
    _work_orders(book, reader, report, period)
    _outages(book, shown)
    return book.close()


def _summary(book: Workbook, report: ServiceReport, shown: dict) -> None:
    sheet = book.sheet(pgettext("report sheet", "Summary"), [_("Item"), _("Value")], [34, 60])
    rows = [
        (_("Customer"), shown["customer"]["name"]),
        (_("Contract"), f"{shown['contract']['number']} {shown['contract']['name']}"),
        (_("From"), shown["period_object"].start),
        (_("To"), shown["period_object"].end),
        (_("Version"), report.version),
        (_("Figures as of"), shown["computed_at"]),
        (_("Requests received"), shown["tickets"]["total"]),
        (_("Resolved by the end of the period"), shown["tickets"]["resolved"]),
    ]
    for line in shown["sla"]["by_clock"]:
        rows.append((_("%(clock)s met (%%)") % {"clock": line["clock_label"]}, line["percent"]))
    rows += [
        (_("All promises met (%)"), shown["sla"]["total"]["percent"]),
        (_("Availability of the systems (%)"), shown["availability"]["overall"]["availability"]),
        (_("Work orders"), shown["work"]["count"]),
        (_("Labour hours"), shown["work"]["labour_hours"]),
        (_("Follow-ups answered"), shown["satisfaction"]["answered"]),
        (_("Satisfied (%)"), shown["satisfaction"]["satisfied_percent"]),
        (_("Complaints"), shown["complaints"]["count"]),
    ]
    for row in rows:
        sheet.write(row)


def _tickets(book: Workbook, tickets) -> None:
    sheet = book.sheet(
        _("Tickets"),
        [
            _("Ticket"),
            _("Received"),
            _("Kind"),
            _("Priority"),
            _("Status"),
            _("Title"),
            pgettext("time of", "Resolved"),
            _("How solved"),
        ],
        [18, 17, 14, 12, 14, 40, 17, 14],
    )
    rows = (
        Ticket.objects.filter(pk__in=tickets.values("pk"))
        .order_by("received_at", "id")
        .values_list("number", "received_at", "kind", "priority", "status", "title", "resolved_at", "resolution_method")
    )
    for number, received, kind, priority, status, title, resolved, method in rows.iterator(chunk_size=CHUNK):
        sheet.write(
            [
                number,
                received,
                _label(Kind, kind),
                _label(Priority, priority),
                _label(Status, status),
                title,
                resolved,
                _label(ResolutionMethod, method),
            ]
        )


def _clocks(book: Workbook, tickets, period, now: dt.datetime) -> None:
    """Every customer clock of every ticket, replayed with the SLA engine as the compliance figures were."""
    sheet = book.sheet(
        _("SLA clocks"),
        [
            _("Ticket"),
            _("Clock"),
            _("Status"),
            _("Target (minutes)"),
            _("Used (minutes)"),
            _("Due"),
            _("Breached at"),
            _("Stopped at"),
        ],
        [18, 16, 12, 14, 14, 17, 17, 17],
    )
    book_of_rules = PolicyBook.load(holidays_from=period.start - dt.timedelta(days=1))
    events = (
        TicketEvent.objects.filter(ticket__in=tickets.values("pk"))
        .only("id", "ticket_id", "kind", "at", "from_status", "to_status", "data")
        .order_by("ticket_id", "at", "id")
        .iterator(chunk_size=CHUNK)
    )
    pending = next(events, None)
    for ticket in tickets.iterator(chunk_size=CHUNK):
        own = []
        while pending is not None and pending.ticket_id <= ticket.pk:
            if pending.ticket_id == ticket.pk:
                own.append(pending)
            pending = next(events, None)
        for state in clock_states(ticket, own, book_of_rules, now):
            if state.clock not in CUSTOMER_CLOCKS or state.status == ClockStatus.PENDING:
                continue
            sheet.write(
                [
                    ticket.number,
                    _label(Clock, state.clock),
                    _label(ClockStatus, state.status),
                    _minutes(state.target.total_seconds()),
                    _minutes(state.used.total_seconds()),
                    state.due_at,
                    state.breached_at,
                    state.stopped_at,
                ]
            )


def _breaches(book: Workbook, shown: dict) -> None:
    sheet = book.sheet(
        _("Breaches"),
        [
            _("Ticket"),
            _("Title"),
            _("Clock"),
            _("Priority"),
            _("Target (minutes)"),
            _("Due (breached at)"),
            _("Stopped at"),
            _("Overdue by (minutes)"),
            _("Paused (minutes)"),
            _("What happened"),
        ],
        [18, 30, 14, 12, 14, 17, 17, 14, 14, 60],
    )
    for breach in shown["breaches"]:
        story = "; ".join(
            " ".join(
                part
                for part in (
                    timezone.localtime(moment["at"], local_zone()).strftime("%Y-%m-%d %H:%M"),
                    moment["what_label"],
                    moment["status_label"],
                    moment["note"],
                )
                if part
            )
            for moment in breach["moments"]
        )
        sheet.write(
            [
                breach["number"],
                breach["title"],
                breach["clock_label"],
                breach["priority_label"],
                _minutes(breach["target"]),
                breach["due_at"],
                breach["stopped_at"],
                _minutes(breach["overdue"]),
                _minutes(breach.get("paused", 0)),
                story,
            ]
        )


def _work_orders(book: Workbook, reader, report: ServiceReport, period) -> None:
    since, until = period_bounds(period.start, period.end)
    sheet = book.sheet(
        _("Work orders"),
        [
            _("Work order"),
            _("Ticket"),
            _("Kind"),
            _("Status"),
            _("Engineer"),
            pgettext("time of", "Started"),
            _("Ended"),
            _("Labour hours"),
            _("Travel (km)"),
        ],
        [20, 18, 14, 16, 12, 17, 17, 12, 12],
    )
    orders = (
        WorkOrder.objects.visible_to(reader)
        .filter(ticket__contract_id=report.contract_id, started_at__gte=since, started_at__lt=until)
        .exclude(status__in=NOT_DONE)
        .select_related("ticket", "engineer")
        .order_by("started_at", "id")
    )
    for order in orders.iterator(chunk_size=CHUNK):
        sheet.write(
            [
                order.number,
                order.ticket.number,
                _label(WorkOrderKind, order.kind),
                _label(WorkOrderStatus, order.status),
                str(order.engineer),
                order.started_at,
                order.ended_at,
                order.labour_hours,
                order.travel_km,
            ]
        )


def _outages(book: Workbook, shown: dict) -> None:
    sheet = book.sheet(
        _("Availability"),
        [
            _("System or equipment"),
            _("Site"),
            _("Outages"),
            _("Downtime (minutes)"),
            _("Availability (%)"),
            _("Fault tickets"),
        ],
        [36, 20, 10, 16, 14, 40],
    )
    for system in shown["availability"]["systems"]:
        sheet.write(
            [
                system["label"],
                system["site"],
                system["outages"],
                _minutes(system["downtime"]),
                system["availability"],
                ", ".join(system["tickets"]),
            ]
        )
    overall = shown["availability"]["overall"]
    sheet.write(
        [_("All systems"), "", overall["outages"], _minutes(overall["downtime"]), overall["availability"], ""],
        style=book.bold,
    )


# The internal monthly statistics --------------------------------------------------------------------------------


def statistics_workbook(stats: MonthlyStatistics, *, user) -> bytes:
    """Every breakdown of the month on its own sheet, and every unfinished ticket (not only the first page)."""
    book = Workbook()
    _breakdown_sheets(book, stats)
    _unfinished_sheet(book, stats, user)
    _common_problems_sheet(book, stats)
    return book.close()


def _breakdown_sheets(book: Workbook, stats: MonthlyStatistics) -> None:
    breakdowns = [
        (_("By kind"), _("Kind"), stats.by_kind),
        (_("By priority"), _("Priority"), stats.by_priority),
        (_("By category"), _("Category"), stats.by_category),
        (_("By how solved"), _("How solved"), stats.by_resolution),
        (_("By channel"), _("Channel"), stats.by_channel),
        (_("By vendor"), _("Vendor"), stats.by_vendor),
        (_("By product"), _("Product"), stats.by_product),
        (_("By customer"), _("Customer"), stats.by_customer),
    ]
    for name, column, shares in breakdowns:
        sheet = book.sheet(name, [column, _("Tickets"), _("Share (%)")], [40, 10, 10])
        for share in shares:
            sheet.write([share.label, share.count, share.percent])


def _unfinished_sheet(book: Workbook, stats: MonthlyStatistics, user) -> None:
    """Every ticket still open at the month's end, oldest first, with its age then."""
    until = period_bounds(stats.period.start, stats.period.end)[1]
    at = min(stats.computed_at, until)
    header = [
        _("Ticket"),
        _("Customer"),
        _("Title"),
        _("Priority"),
        _("Status"),
        _("Received"),
        _("Age (days)"),
        _("Owner"),
    ]
    sheet = book.sheet(_("Unfinished"), header, [18, 24, 36, 12, 14, 17, 10, 12])
    unfinished = (
        unfinished_tickets(user, until)
        .select_related("customer", "assignee")
        .only(*UNFINISHED_COLUMNS)
        .order_by("received_at", "id")
    )
    for ticket in unfinished.iterator(chunk_size=CHUNK):
        row = unfinished_row(ticket, at)
        sheet.write(
            [
                row.number,
                row.customer,
                row.title,
                row.priority_label,
                row.status_label,
                row.received_at,
                row.age_days,
                row.owner,
            ]
        )


def _common_problems_sheet(book: Workbook, stats: MonthlyStatistics) -> None:
    sheet = book.sheet(
        _("Common problems"),
        [_("What"), pgettext("name of a thing", "Name"), _("Where"), _("Tickets")],
        [18, 40, 30, 10],
    )
    for item in stats.recurring_assets:
        sheet.write([_("Equipment"), item.label, item.detail, item.count])
    for item in stats.recurring_products:
        sheet.write([_("Product"), item.label, item.detail, item.count])
    for row in stats.recurring_categories:
        sheet.write([_("Category and kind"), f"{row.category_label} · {row.kind_label}", "", row.count])
    for term, count in stats.terms:
        sheet.write([_("Word in titles"), term, "", count])
    for problem in stats.problems:
        sheet.write(
            [_("Known problem"), f"{problem.reference} {problem.title}", problem.status_label, problem.incidents]
        )
