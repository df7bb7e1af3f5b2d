import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from aftersales.tickets.models import Ticket
from aftersales.tickets.templatetags.tickets import priority_badge, status_badge

WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


class TicketTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    title = tables.Column(verbose_name=_("Title"), orderable=False)
    customer = tables.Column(
        accessor="customer__name", verbose_name=_("Customer"), order_by="customer__name", attrs=WIDE_ONLY
    )
    priority = tables.Column(verbose_name=_("Priority"))
    status = tables.Column(verbose_name=_("Status"))
    kind = tables.Column(verbose_name=_("Kind"), attrs=WIDE_ONLY)
    assignee = tables.Column(verbose_name=_("Assignee"), order_by="assignee__username", attrs=WIDE_ONLY)
    received_at = tables.DateTimeColumn(verbose_name=_("Received"), format="Y-m-d H:i", attrs=WIDE_ONLY)

    class Meta:
        model = Ticket
        fields = ["number", "title", "customer", "priority", "status", "kind", "assignee", "received_at"]
        attrs = {"class": "table table-vcenter card-table table-striped", "id": "ticket-table"}
        empty_text = _("No tickets match these filters.")
        order_by = ["priority", "received_at"]

    def render_priority(self, record):
        return priority_badge(record)

    def render_status(self, record):
        return status_badge(record)


class CustomerTicketTable(TicketTable):
    """What a customer user sees of their own requests: no internal routing columns."""

    class Meta(TicketTable.Meta):
        exclude = ["customer", "assignee"]
