"""Background jobs of preventive maintenance, run by the db_worker; crontask enqueues them."""

from crontask import cron
from django.tasks import task


@cron("0 2 * * *")
@task
def generate_inspections() -> int:
    """Every night at 02:00: plan each active plan's inspections up to its lead time (idempotent)."""
    from aftersales.maintenance.services.inspections import inspections_generate

    return inspections_generate()
