"""Against a real Dovecot IMAP server started by the test suite (see conftest.dovecot): polling, moving,
certificate verification, and exactly once through a crash and two pollers at the same time."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from aftersales.inbox.choices import AfterProcessing, Outcome
from aftersales.inbox.imap import ImapSession, imap_folder
from aftersales.inbox.models import InboundMessage, Mailbox
from aftersales.inbox.services import mailbox_poll
from aftersales.inbox.tests.conftest import IMAP_USER
from aftersales.inbox.tests.crash_runner import EXIT_CODE
from aftersales.inbox.tests.dovecot import make_certificates
from aftersales.inbox.tests.mails import build
from aftersales.notifications.models import Outbox
from aftersales.tickets.models import Ticket

REPO = Path(__file__).resolve().parents[3]
PROCESSED = imap_folder("已处理").strip('"')  # &XfJZBHQG-, IMAP's modified UTF-7
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: real connections and a process that can be killed"
)


def poll(mailbox):
    result = mailbox_poll(mailbox=Mailbox.objects.get(pk=mailbox.pk))
    assert result.error == "", result.error
    return result


@pytest.mark.django_db
def test_each_message_is_recorded_then_removed_from_the_server(dovecot, imap_mailbox, contact):
    dovecot.append(IMAP_USER, [build(subject=f"故障 {n}") for n in range(3)])

    result = poll(imap_mailbox)

    assert (result.fetched, result.recorded, result.already_recorded) == (3, 3, 0)
    assert sorted(Ticket.objects.values_list("title", flat=True)) == ["故障 0", "故障 1", "故障 2"]
    assert dovecot.count(IMAP_USER) == 0
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_error == "" and imap_mailbox.last_polled_at is not None


@pytest.mark.django_db
def test_the_arrival_time_is_the_servers(dovecot, imap_mailbox, contact):
    dovecot.append(IMAP_USER, [build()])

    poll(imap_mailbox)

    inbound = InboundMessage.objects.get()
    assert inbound.ticket.received_at == inbound.received_at <= inbound.recorded_at


@pytest.mark.django_db
def test_processed_mail_can_be_moved_to_a_chinese_folder(dovecot, imap_mailbox, contact):
    dovecot.clear(IMAP_USER, PROCESSED)  # made by the first move if it is not there yet
    imap_mailbox.after_processing, imap_mailbox.processed_folder = AfterProcessing.MOVE, "已处理"
    imap_mailbox.save()
    dovecot.append(IMAP_USER, [build(), build(subject="第二封")])

    poll(imap_mailbox)

    assert dovecot.count(IMAP_USER) == 0
    assert dovecot.count(IMAP_USER, PROCESSED) == 2
    assert InboundMessage.objects.count() == 2


@pytest.mark.django_db
def test_a_message_that_fails_is_kept_here_and_dropped_there(dovecot, imap_mailbox, contact, monkeypatch):
    from aftersales.inbox.services import ingest

    monkeypatch.setattr(ingest, "ticket_create", lambda **kwargs: 1 / 0)
    raw = build()
    dovecot.append(IMAP_USER, [raw])

    poll(imap_mailbox)

    inbound = InboundMessage.objects.get()
    assert inbound.outcome == Outcome.FAILED and inbound.error.startswith("ZeroDivisionError")
    with inbound.raw.open("rb") as stored:
        assert stored.read().replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    assert dovecot.count(IMAP_USER) == 0


@pytest.mark.django_db
def test_a_server_certificate_from_another_ca_is_refused_and_nothing_is_read(dovecot, imap_mailbox, contact):
    dovecot.append(IMAP_USER, [build()])
    imap_mailbox.ca_certificate = make_certificates().ca_pem
    imap_mailbox.save()

    result = mailbox_poll(mailbox=imap_mailbox)

    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert not InboundMessage.objects.exists() and dovecot.count(IMAP_USER) == 1
    imap_mailbox.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in imap_mailbox.last_error


@pytest.mark.django_db
def test_without_the_private_ca_the_systems_cas_do_not_trust_the_server(dovecot, imap_mailbox):
    imap_mailbox.ca_certificate = ""
    imap_mailbox.save()

    assert "CERTIFICATE_VERIFY_FAILED" in mailbox_poll(mailbox=imap_mailbox).error


@pytest.mark.django_db
def test_a_refused_login_is_recorded_on_the_mailbox(dovecot, imap_mailbox):
    dovecot.append(IMAP_USER, [build()])
    imap_mailbox.set_password("wrong")
    imap_mailbox.save()

    result = mailbox_poll(mailbox=imap_mailbox)

    assert "AUTHENTICATIONFAILED" in result.error or "Authentication failed" in result.error
    assert dovecot.count(IMAP_USER) == 1


@pytest.mark.django_db
def test_a_mailbox_whose_owner_may_no_longer_log_is_not_read(dovecot, imap_mailbox, settings):
    settings.LANGUAGE_CODE = "en"  # the error is stored in the installation's language
    dovecot.append(IMAP_USER, [build()])
    imap_mailbox.owner.is_active = False
    imap_mailbox.owner.save()

    result = mailbox_poll(mailbox=imap_mailbox)

    assert "may no longer log requests" in result.error
    assert dovecot.count(IMAP_USER) == 1 and not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_fetching_does_not_mark_messages_read(dovecot, imap_mailbox):
    dovecot.append(IMAP_USER, [build()])

    with ImapSession(imap_mailbox) as session:
        (uid,) = session.uids()
        assert session.fetch(uid).raw.startswith(b"From:")
        status, data = session.client.uid("FETCH", str(uid), "(FLAGS)")
        assert status == "OK"

    assert b"\\Seen" not in data[0]


class Crash(BaseException):
    """Stands for the process dying: nothing catches it."""


@pytest.mark.django_db
def test_killed_between_saving_and_expunging_then_polled_again_one_ticket_and_the_message_gone(
    dovecot, imap_mailbox, contact, monkeypatch
):
    """In-process on every database: the acknowledgement step raises past everything, like a kill would."""
    dovecot.append(IMAP_USER, [build()])

    def crash(self, uid):
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(ImapSession, "acknowledge", crash)
        with pytest.raises(Crash):
            mailbox_poll(mailbox=imap_mailbox)
    assert InboundMessage.objects.count() == 1 and dovecot.count(IMAP_USER) == 1

    result = poll(imap_mailbox)

    assert (result.recorded, result.already_recorded) == (0, 1)
    assert Ticket.objects.count() == 1 and dovecot.count(IMAP_USER) == 0
    assert Outbox.objects.count() == 1  # one acknowledgement


def run_crashing_poller(mailbox, where: str) -> subprocess.CompletedProcess:
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "AFTERSALES_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "aftersales.inbox.tests.crash_runner", str(mailbox.pk), where],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_poller_process_killed_after_the_commit_and_before_the_expunge(dovecot, imap_mailbox, contact):
    raw = build()
    dovecot.append(IMAP_USER, [raw, build(subject="第二封")])

    crashed = run_crashing_poller(imap_mailbox, "after_commit")

    assert crashed.returncode == EXIT_CODE, crashed.stderr
    assert crashed.stdout.strip() == "dying"
    # The first message is committed; the server still has both.
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1
    assert dovecot.count(IMAP_USER) == 2

    result = poll(imap_mailbox)

    assert (result.fetched, result.recorded, result.already_recorded) == (2, 1, 1)
    assert Ticket.objects.count() == 2 and InboundMessage.objects.count() == 2
    assert dovecot.count(IMAP_USER) == 0
    with InboundMessage.objects.get(subject="服务器无法开机").raw.open("rb") as stored:
        assert stored.read().replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_poller_process_killed_inside_the_transaction_loses_nothing(dovecot, imap_mailbox, contact):
    dovecot.append(IMAP_USER, [build()])

    crashed = run_crashing_poller(imap_mailbox, "before_commit")

    assert crashed.returncode == EXIT_CODE, crashed.stderr
    assert not InboundMessage.objects.exists() and not Ticket.objects.exists()
    assert dovecot.count(IMAP_USER) == 1

    result = poll(imap_mailbox)

    assert (result.recorded, result.already_recorded) == (1, 0)
    assert Ticket.objects.count() == 1 and dovecot.count(IMAP_USER) == 0


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_pollers_at_once_make_one_ticket(dovecot, imap_mailbox, contact, monkeypatch):
    """Both fetch the message and find its key not yet recorded before either inserts it: the second insert
    waits on the unique index until the first commits, then fails, and that poller just drops the message."""
    from aftersales.inbox.services import ingest

    dovecot.append(IMAP_USER, [build()])
    both_checked = threading.Barrier(2, timeout=30)
    real_content_file = ingest.ContentFile

    def content_file_after_both_checked(raw):  # called between the "recorded already?" check and the insert
        both_checked.wait()
        return real_content_file(raw)

    monkeypatch.setattr(ingest, "ContentFile", content_file_after_both_checked)
    results, errors = [], []

    def poller():
        try:
            results.append(mailbox_poll(mailbox=Mailbox.objects.get(pk=imap_mailbox.pk)))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=poller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == [] and [r.error for r in results] == ["", ""]
    assert sorted((r.recorded, r.already_recorded) for r in results) == [(0, 1), (1, 0)]
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert Outbox.objects.count() == 1
    assert dovecot.count(IMAP_USER) == 0
    assert len(list((Path(settings.MEDIA_ROOT) / "inbox").rglob("*.eml"))) == 1  # the loser's copy is deleted


@pytest.mark.django_db
def test_when_recording_fails_the_message_stays_on_the_server(dovecot, imap_mailbox, contact, monkeypatch, settings):
    from aftersales.inbox.services import polling

    settings.LANGUAGE_CODE = "en"  # the error is stored in the installation's language

    def disk_full(**kwargs):
        raise OSError(28, "No space left on device")

    dovecot.append(IMAP_USER, [build()])
    monkeypatch.setattr(polling, "message_ingest", disk_full)

    result = mailbox_poll(mailbox=imap_mailbox)

    assert "No space left on device" in result.error
    assert dovecot.count(IMAP_USER) == 1 and not InboundMessage.objects.exists()
    imap_mailbox.refresh_from_db()
    assert "stays on the server" in imap_mailbox.last_error
