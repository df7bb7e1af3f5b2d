"""Housekeeping jobs, run by the db_worker; crontask enqueues them."""

from crontask import cron
from django.core.management import call_command
from django.tasks import task

# Successful results go after two days, failed ones after a month (long enough to investigate).
SUCCESSFUL_RESULTS_KEPT_DAYS = 2
FAILED_RESULTS_KEPT_DAYS = 30


@cron("30 3 * * *")
@task
def prune_task_results() -> None:
    """The periodic jobs (SLA sweep every 30 s, delivery every 15 s) leave thousands of result rows a day."""
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=SUCCESSFUL_RESULTS_KEPT_DAYS,
        failed_min_age_days=FAILED_RESULTS_KEPT_DAYS,
        verbosity=0,
    )
