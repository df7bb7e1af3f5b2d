"""Background jobs of the tickets app, run by the db_worker; crontask enqueues the periodic ones."""

from apscheduler.triggers.interval import IntervalTrigger
from crontask import cron
from django.conf import settings
from django.tasks import task

from aftersales.tickets.services import sla_sweep


@cron(IntervalTrigger(seconds=settings.SLA_SWEEP_SECONDS))
@task
def sweep_sla_clocks() -> dict:
    """Fire the SLA warnings, breaches and emergency plans that have come due."""
    result = sla_sweep()
    return {"tickets": result.tickets, "escalations": result.escalations, "messages": result.messages}
