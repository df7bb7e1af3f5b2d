"""The poller: read each active mailbox, record every message, and only then drop it on the server."""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.core.crypto import DecryptionError
from aftersales.inbox.imap import ImapSession, MailboxUnavailable
from aftersales.inbox.models import Mailbox, may_log_mail
from aftersales.inbox.services.ingest import message_ingest

logger = logging.getLogger(__name__)
BATCH = 200


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    recorded: int = 0
    already_recorded: int = 0
    error: str = ""


def owner_problem(mailbox: Mailbox) -> str:
    if may_log_mail(mailbox.owner):
        return ""
    with translation.override(settings.LANGUAGE_CODE):  # stored and shown on the mailbox: the installation's
        return _("%(owner)s may no longer log requests: name another person to check %(address)s.") % {
            "owner": mailbox.owner,
            "address": mailbox.address,
        }


def recording_failed(error: Exception) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Recording a message failed; it stays on the server: %(error)s") % {"error": error}


def mailbox_poll(*, mailbox: Mailbox, limit: int = BATCH, now: dt.datetime | None = None) -> PollResult:
    """Up to `limit` messages, oldest first. Each is committed (message_ingest) before it is acknowledged on
    the server, so this must not run inside a transaction."""
    result = PollResult(mailbox=mailbox.address)
    result.error = owner_problem(mailbox)
    if not result.error:
        try:
            with ImapSession(mailbox) as session:
                for uid in session.uids()[:limit]:
                    fetched = session.fetch(uid)
                    if fetched is None:  # another poller dropped it meanwhile
                        continue
                    result.fetched += 1
                    try:
                        inbound = message_ingest(
                            mailbox=mailbox, raw=fetched.raw, received_at=fetched.internal_date, now=now
                        )
                    except Exception as error:  # storage or database down: the message stays on the server
                        logger.exception("Recording message %s of %s failed", uid, mailbox.address)
                        result.error = recording_failed(error)[:2000]
                        break
                    if inbound is None:
                        result.already_recorded += 1
                    else:
                        result.recorded += 1
                    session.acknowledge(uid)
        except (MailboxUnavailable, DecryptionError) as error:
            result.error = str(error)[:2000]
    if result.error:
        logger.warning("Mailbox %s: %s", mailbox.address, result.error)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error=result.error)
    return result


def mailboxes_poll(*, budget_seconds: float = 50, limit: int = BATCH) -> list[PollResult]:
    """Every active mailbox; a mailbox with a backlog is read again while the minute's budget lasts."""
    started = time.monotonic()
    results = []
    for mailbox in Mailbox.objects.filter(is_active=True).select_related("owner").order_by("pk"):
        while True:
            result = mailbox_poll(mailbox=mailbox, limit=limit)
            results.append(result)
            if result.error or result.fetched < limit or time.monotonic() - started > budget_seconds:
                break
    return results
