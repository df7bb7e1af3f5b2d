"""Periodic sweeps of the quality loop, run by the db_worker; crontask enqueues them. Each is idempotent."""

from crontask import cron
from django.tasks import task


@cron("*/5 * * * *")
@task
def plan_follow_ups() -> int:
    """Every five minutes: plan the follow-ups of newly resolved tickets and send the due survey links."""
    from aftersales.quality.services.follow_ups import follow_ups_plan
    from aftersales.quality.services.surveys import survey_links_send_due

    return follow_ups_plan() + survey_links_send_due()


@cron("* * * * *")
@task
def pick_up_complaints() -> int:
    """Every minute: complaint-kind tickets that arrived by mail, API or an edit are escalated too."""
    from aftersales.quality.services.complaints import complaints_pick_up

    return complaints_pick_up()


@cron("17 * * * *")
@task
def sample_for_review() -> int:
    """Every hour: closed tickets the QC sample takes go on the review worklist."""
    from aftersales.quality.services.reviews import qc_sample

    return qc_sample()
