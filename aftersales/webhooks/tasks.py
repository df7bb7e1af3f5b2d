"""Background jobs of the webhooks, run by the db_worker; crontask enqueues them every minute."""

from crontask import cron
from django.tasks import task

BATCH = 100
ROUNDS = 5  # a backlog drains in a few rounds, and one run still ends well before the next is due


@cron("* * * * *")
@task
def sweep_webhook_events() -> int:
    """Every minute: new ticket and work-order events become deliveries (idempotent); then send them."""
    from aftersales.webhooks.sweep import events_sweep

    offered = events_sweep()
    if offered:
        deliver_webhooks.enqueue()
    return offered


@cron("* * * * *")
@task
def deliver_webhooks() -> dict:
    """POST the due deliveries (new ones and retries whose wait is over)."""
    from aftersales.webhooks.delivery import deliver_due

    totals: dict = {}
    for _round in range(ROUNDS):
        result = deliver_due(limit=BATCH)
        totals = {name: totals.get(name, 0) + count for name, count in result.items()}
        if result["claimed"] < BATCH:
            break
    return totals
