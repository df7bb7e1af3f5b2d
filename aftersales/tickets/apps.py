from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "aftersales.tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from aftersales.sla.signals import sla_rules_changed
        from aftersales.tickets import search_index  # noqa: F401  (registers tickets with the search box)
        from aftersales.tickets.sla import recheck_open_tickets

        sla_rules_changed.connect(recheck_open_tickets, dispatch_uid="tickets_recheck_open")
