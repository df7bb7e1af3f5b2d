from django.core.management.base import BaseCommand
from django.db import transaction

from aftersales.sla.holidays import china_exceptions, seeded_years
from aftersales.sla.services import holidays_sync


class Command(BaseCommand):
    help = "Update China's public holidays and make-up working days from the holidays package (admin entries win)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would change and change nothing.")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            counts = holidays_sync(china_exceptions(seeded_years()))
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(
            "{prefix}created {created}, updated {updated}, removed {removed}, kept {kept} administrator entries".format(
                prefix="(dry run) " if dry_run else "", **counts
            )
        )
