"""Background jobs of spare parts, run by the db_worker; crontask enqueues the periodic one."""

from crontask import cron
from django.tasks import task


@cron("*/5 * * * *")
@task
def sweep_part_deliveries() -> int:
    """Every five minutes: escalate late parts and chase faulty parts not back in time."""
    from aftersales.parts.services.requests import part_delivery_sweep

    return part_delivery_sweep()


@cron("15 8 * * *")
@task
def alert_supply_shortages() -> int:
    """Every morning: tell the parts keepers and managers where stock no longer covers the installed base."""
    from aftersales.parts.supply import supply_alert

    return supply_alert()
