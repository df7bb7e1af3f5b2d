"""Rebuild the search entries from their objects: after a bulk load, a restore, or a new registration."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aftersales.search.indexing import reindex
from aftersales.search.registry import registrations


class Command(BaseCommand):
    help = "Create, update and delete search entries so they match the searchable objects."

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", help="Only this kind (repeatable). Default: every kind.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")

    def handle(self, *args, kind, dry_run, **options):
        known = {registration.kind: registration for registration in registrations()}
        unknown = sorted(set(kind or ()) - set(known))
        if unknown:
            raise CommandError(f"Unknown kind(s): {', '.join(unknown)}. Known: {', '.join(known)}.")
        for registration in known.values():
            if kind and registration.kind not in kind:
                continue
            with transaction.atomic():
                result = reindex(registration, dry_run=dry_run)
            self.stdout.write(
                f"{result.kind}: {result.objects} objects; created {result.created}, updated {result.updated}, "
                f"unchanged {result.unchanged}, deleted {result.deleted}" + (" (dry run)" if dry_run else "")
            )
