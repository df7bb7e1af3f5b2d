"""`manage.py load_demo_data`: load the demo data set, but only into an empty database."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.demo.loading import RECENT_DAYS, load_demo, reasons_not_empty
from aftersales.demo.planning import MIN_TICKETS, plan_demo
from aftersales.tickets.choices import Status


class Command(BaseCommand):
    help = "Load the demo data set (users, customers, contracts, assets, tickets) into an empty database."

    def add_arguments(self, parser):
        parser.description = _(
            "Load the demo data set (users, customers, contracts, assets, tickets) into an empty database."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("If the database already has data, say so and succeed without loading anything."),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("Print what would be created; write nothing."))
        parser.add_argument("--tickets", type=int, default=300, help=_("How many tickets to create (default 300)."))
        parser.add_argument("--seed", type=int, default=2026, help=_("Seed of the random choices (default 2026)."))

    def handle(self, *args, if_empty: bool, dry_run: bool, tickets: int, seed: int, **options):
        if tickets < MIN_TICKETS:
            raise CommandError(
                _("At least %(minimum)d tickets are needed to show every status.") % {"minimum": MIN_TICKETS}
            )
        if reasons := reasons_not_empty():
            message = _("Demo data is only loaded into an empty database, and %(reasons)s.") % {
                "reasons": "; ".join(reasons)
            }
            if if_empty:
                self.stdout.write(_("Demo data not loaded: %(message)s") % {"message": message})
                return
            raise CommandError(_("Refusing to load demo data. %(message)s") % {"message": message})
        plan = plan_demo(seed=seed, tickets=tickets, now=timezone.now())
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written. Loading would create:"))
            self._write_counts(plan.counts())
            recent = sum(
                1 for ticket in plan.tickets if ticket.received_at >= plan.now - dt.timedelta(days=RECENT_DAYS)
            )
            self.stdout.write(
                _("%(recent)d tickets of the last %(days)d days would be made through the ticket services.")
                % {"recent": recent, "days": RECENT_DAYS}
            )
            self._write_statuses(plan.status_counts())
            return
        started = time.monotonic()
        counts = load_demo(plan)
        self._write_counts(counts)
        self._write_statuses(plan.status_counts())
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo data loaded in %(seconds).1f s. Every demo user's password is “demo-password”.")
                % {"seconds": time.monotonic() - started}
            )
        )

    def _write_counts(self, counts: dict[str, int]) -> None:
        labels = {
            "users": _("users"),
            "customers": _("customers"),
            "sites": _("sites"),
            "contacts": _("contacts"),
            "contracts": _("contracts"),
            "assets": _("assets"),
            "tickets": _("tickets"),
            "ticket events": _("ticket events"),
            "comments": _("comments"),
            "engineer profiles": _("engineer profiles"),
            "work orders": _("work orders"),
            "vendor cases": _("vendor cases"),
            "spare parts": _("spare parts"),
            "stock movements": _("stock movements"),
            "part requests": _("part requests"),
            "maintenance plans": _("maintenance plans"),
            "inspections": _("inspections"),
            "training sessions": _("training sessions"),
            "knowledge articles": _("knowledge articles"),
            "problems": _("problems"),
            "follow-ups": _("follow-ups"),
            "complaints": _("complaints"),
            "QC reviews": _("QC reviews"),
            "incoming calls": _("incoming calls"),
            "faxes": _("faxes"),
            "monitoring alerts": _("monitoring alerts"),
            "webhook deliveries": _("webhook deliveries"),
            "received mails": _("received mails"),
            "service reports": _("service reports"),
        }
        for key, count in counts.items():
            self.stdout.write(_("  %(label)s: %(count)d") % {"label": labels[key], "count": count})

    def _write_statuses(self, counts) -> None:
        self.stdout.write(_("Tickets by status:"))
        for status in Status:
            self.stdout.write(_("  %(status)s: %(count)d") % {"status": status.label, "count": counts[status]})
