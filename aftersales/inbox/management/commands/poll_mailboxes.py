"""Read the support mailboxes now (the scheduler does it every minute): `manage.py poll_mailboxes`."""

from django.core.management.base import BaseCommand, CommandError

from aftersales.inbox.imap import ImapSession, MailboxUnavailable
from aftersales.inbox.models import Mailbox
from aftersales.inbox.services import mailbox_poll


class Command(BaseCommand):
    help = "Record new mail from the active support mailboxes (or one), then drop it on the server."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="Only this mailbox (its address).")
        parser.add_argument("--limit", type=int, default=200, help="At most this many messages per mailbox.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only connect and count the waiting messages; change nothing."
        )

    def handle(self, *args, mailbox=None, limit=200, dry_run=False, **options):
        mailboxes = Mailbox.objects.filter(is_active=True).select_related("owner").order_by("pk")
        if mailbox:
            mailboxes = Mailbox.objects.filter(address__iexact=mailbox).select_related("owner")
            if not mailboxes:
                raise CommandError(f"No mailbox {mailbox!r}.")
        failed = False
        for box in mailboxes:
            if dry_run:
                try:
                    with ImapSession(box) as session:
                        self.stdout.write(f"{box.address}: {len(session.uids())} waiting")
                except MailboxUnavailable as error:
                    failed = True
                    self.stderr.write(f"{box.address}: {error}")
                continue
            result = mailbox_poll(mailbox=box, limit=limit)
            self.stdout.write(
                f"{box.address}: {result.recorded} recorded, {result.already_recorded} recorded before"
                + (f"; error: {result.error}" if result.error else "")
            )
            failed = failed or bool(result.error)
        if failed:
            raise CommandError("Some mailboxes could not be read.")
