"""Background jobs of the notifications app, run by the db_worker; crontask enqueues the periodic one.

`python manage.py crontask` imports every app's tasks module, which registers the schedule below.
"""

from apscheduler.triggers.interval import IntervalTrigger
from crontask import cron
from django.conf import settings
from django.tasks import task
from django.utils import timezone

from aftersales.notifications.delivery import deliver_due

BATCH = 200
ROUNDS = 5  # a backlog drains in a few rounds, and one run still ends before the next is due


@cron(IntervalTrigger(seconds=settings.NOTIFICATIONS_DELIVERY_SECONDS, timezone=timezone.get_default_timezone()))
@task
def deliver_notifications() -> dict:
    """Send the outbox messages that are due; also enqueued when a transaction queues urgent messages."""
    totals = {}
    for _round in range(ROUNDS):
        result = deliver_due(limit=BATCH)
        totals = {name: totals.get(name, 0) + count for name, count in result.items()}
        if result["claimed"] < BATCH:
            break
    return totals
