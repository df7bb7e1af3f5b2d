"""Background jobs of spare parts, run by the db_worker; crontask enqueues the periodic one."""

from crontask import cron
from django.tasks import task


@cron("*/5 * * * *")
@task
def sweep_part_deliveries() -> int:
    """Every five minutes: escalate late parts and chase faulty parts not back in time."""
    from aftersales.parts.services.requests import part_delivery_sweep

    return part_delivery_sweep()
