"""Test-only: poll one mailbox in this process and die (os._exit, no clean-up) at a chosen point.

    python -m aftersales.inbox.tests.crash_runner <mailbox id> after_commit|before_commit

after_commit: the message is recorded and committed, and the process dies before the server is told to drop
it. before_commit: it dies inside the transaction, after the ticket was written and before the commit.
"""

import os
import sys

import django

EXIT_CODE = 17


def die(*args, **kwargs):
    print("dying", flush=True)
    os._exit(EXIT_CODE)


def main(mailbox_id: int, where: str) -> None:
    django.setup()
    from aftersales.inbox import imap
    from aftersales.inbox.models import Mailbox
    from aftersales.inbox.services import ingest, mailbox_poll

    if where == "after_commit":
        imap.ImapSession.acknowledge = die
    elif where == "before_commit":
        ingest.acknowledgement_queue = die
    else:
        raise SystemExit(f"unknown point {where!r}")
    mailbox_poll(mailbox=Mailbox.objects.get(pk=mailbox_id))
    print("finished without dying", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
