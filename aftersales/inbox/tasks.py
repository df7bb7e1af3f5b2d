"""Background jobs of the inbox, run by the db_worker; crontask enqueues them every minute."""

from crontask import cron
from django.tasks import task


@cron("* * * * *")
@task
def poll_mailboxes() -> dict:
    """Read every active mailbox; each message is recorded before it is dropped on the server."""
    from aftersales.inbox.services import mailboxes_poll

    results = mailboxes_poll()
    return {
        "mailboxes": len({result.mailbox for result in results}),
        "recorded": sum(result.recorded for result in results),
        "already_recorded": sum(result.already_recorded for result in results),
        "errors": [f"{result.mailbox}: {result.error}" for result in results if result.error],
    }


@cron("* * * * *")
@task
def send_ticket_mail() -> dict:
    """Mail staff's public replies and resolutions on tickets that came by mail (idempotent sweep)."""
    from aftersales.inbox.services import outgoing_sweep

    result = outgoing_sweep()
    return {"events_read": result.events_read, "queued": result.queued}
