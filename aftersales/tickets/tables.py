import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aftersales.tickets.models import Ticket

STATUS_COLOURS = {
    "new": "blue",
    "assigned": "azure",
    "in_progress": "indigo",
    "pending_customer": "yellow",
    "pending_vendor": "yellow",
    "pending_parts": "yellow",
    "resolved": "green",
    "confirmed": "teal",
    "closed": "secondary",
    "archived": "secondary",
    "cancelled": "secondary",
}
PRIORITY_COLOURS = {1: "red", 2: "orange", 3: "blue", 4: "secondary"}


class TicketTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    title = tables.Column(verbose_name=_("Title"), orderable=False)
    customer = tables.Column(accessor="customer__name", verbose_name=_("Customer"), order_by="customer__name")
    priority = tables.Column(verbose_name=_("Priority"))
    status = tables.Column(verbose_name=_("Status"))
    kind = tables.Column(verbose_name=_("Kind"))
    assignee = tables.Column(verbose_name=_("Assignee"), order_by="assignee__username")
    received_at = tables.DateTimeColumn(verbose_name=_("Received"), format="Y-m-d H:i")

    class Meta:
        model = Ticket
        fields = ["number", "title", "customer", "priority", "status", "kind", "assignee", "received_at"]
        attrs = {"class": "table table-vcenter card-table table-striped", "id": "ticket-table"}
        empty_text = _("No tickets match these filters.")
        order_by = ["priority", "received_at"]

    def render_priority(self, record):
        return format_html(
            '<span class="badge bg-{}-lt">{}</span>', PRIORITY_COLOURS[record.priority], record.get_priority_display()
        )

    def render_status(self, record):
        return format_html(
            '<span class="badge bg-{}-lt">{}</span>', STATUS_COLOURS[record.status], record.get_status_display()
        )


class CustomerTicketTable(TicketTable):
    """What a customer user sees of their own requests: no internal routing columns."""

    class Meta(TicketTable.Meta):
        exclude = ["customer", "assignee"]
