"""Mailboxes in the admin: administrators only, the password write-only and encrypted, settings checked."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import TeamFactory, UserFactory
from aftersales.inbox.models import Mailbox
from aftersales.inbox.tests.conftest import IMAP_USER
from aftersales.inbox.tests.dovecot import make_certificates
from aftersales.inbox.tests.factories import MailboxFactory
from aftersales.inbox.tests.mails import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = UserFactory(role=Role.ADMIN, is_staff=True)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return user


def form(agent, **changes):
    values = {
        "address": "support@service.example.com",
        "display_name": "华东技术支持",
        "team": TeamFactory().pk,
        "owner": agent.pk,
        "host": "imap.service.example.com",
        "port": 993,
        "username": "support",
        "folder": "INBOX",
        "ca_certificate": "",
        "after_processing": "expunge",
        "processed_folder": "",
        "ticket_kind": "general_fault",
        "is_active": "on",
        "new_password": "imap-密码-7",
    }
    values.update(changes)
    return values


def stored_password_column(mailbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password_token FROM inbox_mailbox WHERE id = %s", [mailbox.pk])
        return cursor.fetchone()[0]


def test_the_password_is_stored_encrypted_and_never_shown_back(client, administrator, agent):
    response = client.post(reverse("admin:inbox_mailbox_add"), form(agent))

    assert response.status_code == 302, response.context["adminform"].form.errors
    mailbox = Mailbox.objects.get()
    column = stored_password_column(mailbox)
    assert "imap-密码-7" not in column and column.startswith("gAAAAA")
    assert mailbox.password() == "imap-密码-7"
    page = client.get(reverse("admin:inbox_mailbox_change", args=[mailbox.pk])).content.decode()
    assert "imap-密码-7" not in page and column not in page

    keep = client.post(reverse("admin:inbox_mailbox_change", args=[mailbox.pk]), form(agent, new_password=""))

    assert keep.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.password() == "imap-密码-7"


def test_a_new_mailbox_needs_a_password(client, administrator, agent):
    response = client.post(reverse("admin:inbox_mailbox_add"), form(agent, new_password=""))

    assert set(response.context["adminform"].form.errors) == {"new_password"}
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"after_processing": "move", "processed_folder": ""}, "processed_folder"),
        ({"after_processing": "move", "processed_folder": "INBOX"}, "processed_folder"),
        ({"ca_certificate": "-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----"}, "ca_certificate"),
    ],
)
def test_settings_are_checked(client, administrator, agent, changes, field):
    response = client.post(reverse("admin:inbox_mailbox_add"), form(agent, **changes))

    assert set(response.context["adminform"].form.errors) == {field}
    assert not Mailbox.objects.exists()


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.CUSTOMER])
def test_the_owner_must_be_staff_who_may_log_requests(client, administrator, role, customer):
    owner = UserFactory(role=role, customer=customer if role == Role.CUSTOMER else None)

    response = client.post(reverse("admin:inbox_mailbox_add"), form(owner))

    assert set(response.context["adminform"].form.errors) == {"owner"}


def test_a_private_ca_in_pem_is_accepted(client, administrator, agent):
    response = client.post(reverse("admin:inbox_mailbox_add"), form(agent, ca_certificate=make_certificates().ca_pem))

    assert response.status_code == 302


def test_other_staff_see_no_mailboxes_in_the_admin(client, agent):
    mailbox = MailboxFactory()
    client.force_login(UserFactory(role=Role.MANAGER, is_staff=True))

    for name in ("mailbox", "inboundmessage", "outgoingmail"):
        assert client.get(reverse(f"admin:inbox_{name}_changelist")).status_code == 403, name
    assert client.post(reverse("admin:inbox_mailbox_change", args=[mailbox.pk]), form(agent)).status_code == 403
    mailbox.refresh_from_db()
    assert mailbox.address != "support@service.example.com"


def test_administrators_see_the_mail_read_only(client, administrator, mailbox, contact):
    from aftersales.inbox.services import message_ingest

    message_ingest(mailbox=mailbox, raw=build())
    for name in ("mailbox", "inboundmessage", "outgoingmail"):
        assert client.get(reverse(f"admin:inbox_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:inbox_inboundmessage_add")).status_code == 403


# The command ------------------------------------------------------------------------------------


def test_poll_mailboxes_reads_them_and_dry_run_only_counts(dovecot, imap_mailbox, contact, capsys):
    dovecot.append(IMAP_USER, [build(), build(subject="第二封")])

    call_command("poll_mailboxes", "--dry-run")
    assert capsys.readouterr().out == f"{IMAP_USER}: 2 waiting\n"
    assert dovecot.count(IMAP_USER) == 2

    call_command("poll_mailboxes", "--mailbox", IMAP_USER.upper())
    assert capsys.readouterr().out == f"{IMAP_USER}: 2 recorded, 0 recorded before\n"
    assert dovecot.count(IMAP_USER) == 0


def test_poll_mailboxes_fails_when_a_mailbox_cannot_be_read(dovecot, imap_mailbox):
    imap_mailbox.set_password("wrong")
    imap_mailbox.save()

    with pytest.raises(CommandError):
        call_command("poll_mailboxes")


def test_the_scheduled_task_polls_every_active_mailbox(dovecot, imap_mailbox, contact):
    from aftersales.inbox.tasks import poll_mailboxes, send_ticket_mail

    MailboxFactory(is_active=False, host="192.0.2.1")  # never contacted
    dovecot.append(IMAP_USER, [build()])

    assert poll_mailboxes.call() == {"mailboxes": 1, "recorded": 1, "already_recorded": 0, "errors": []}
    assert send_ticket_mail.call()["queued"] == 0
