"""Auto-replies and bounces are recorded and never answered; a loop of automatic mail stops within three."""

import datetime as dt
import email
import email.policy

import pytest
from django.utils import timezone

from aftersales.inbox.choices import Outcome, OutgoingKind
from aftersales.inbox.models import OutgoingMail
from aftersales.inbox.services import message_ingest
from aftersales.inbox.tests.conftest import CONTACT_EMAIL
from aftersales.inbox.tests.mails import build
from aftersales.notifications.models import Outbox
from aftersales.tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db
NOW = timezone.now() - dt.timedelta(hours=3)  # received times may not lie in the future


def ingest(mailbox, raw, now=None):
    return message_ingest(mailbox=mailbox, raw=raw, now=now or NOW)


def opened(mailbox):
    inbound = ingest(mailbox, build())
    assert inbound.outcome == Outcome.TICKET_CREATED
    return inbound.ticket


def test_an_auto_reply_to_our_acknowledgement_loops_at_most_three_times(mailbox, contact):
    ticket = opened(mailbox)
    ours = OutgoingMail.objects.get(ticket=ticket).message_id

    outcomes = [
        ingest(
            mailbox,
            build(
                subject=f"自动回复: [{ticket.number}] 已收到",
                in_reply_to=f"<{ours}>",
                headers={"Auto-Submitted": "auto-replied"},
            ),
            now=NOW + dt.timedelta(minutes=n),
        ).outcome
        for n in range(1, 6)
    ]

    assert outcomes == [Outcome.AUTO_REPLY] * 3 + [Outcome.LOOP_STOPPED] * 2
    notes = Comment.objects.filter(ticket=ticket)
    assert notes.count() == 3 and not notes.filter(is_public=True).exists()
    assert Outbox.objects.count() == 1  # the acknowledgement only: nothing answered the auto-replies


def test_after_the_window_an_out_of_office_is_noted_again(mailbox, contact):
    ticket = opened(mailbox)
    auto = {"X-Autoreply": "yes"}
    for n in range(4):
        ingest(mailbox, build(subject=f"Re: [{ticket.number}]", headers=auto), now=NOW + dt.timedelta(minutes=n))

    later = ingest(mailbox, build(subject=f"Re: [{ticket.number}]", headers=auto), now=NOW + dt.timedelta(hours=2))

    assert later.outcome == Outcome.AUTO_REPLY and later.comment is not None


def test_the_count_is_per_sender(mailbox, contact, customer):
    from aftersales.customers.tests.factories import ContactFactory

    ContactFactory(customer=customer, email="li.na@customer.example.cn")
    ticket = opened(mailbox)
    auto = {"Precedence": "auto_reply"}
    for n in range(3):
        ingest(mailbox, build(subject=f"Re: [{ticket.number}]", headers=auto), now=NOW + dt.timedelta(minutes=n))

    other = ingest(mailbox, build(sender="li.na@customer.example.cn", subject=f"Re: [{ticket.number}]", headers=auto))

    assert other.outcome == Outcome.AUTO_REPLY and other.comment is not None


def test_an_auto_responder_that_does_not_say_so_gets_three_acknowledgements_then_none(mailbox, contact):
    """It answers each acknowledgement with a new mail (new subject, no reply headers): each opens a ticket,
    but from the fourth on no acknowledgement goes out, so the loop stops."""
    inbounds = [
        ingest(mailbox, build(subject=f"收到您的邮件 {n}"), now=NOW + dt.timedelta(minutes=n)) for n in range(6)
    ]

    assert [i.outcome for i in inbounds] == [Outcome.TICKET_CREATED] * 6
    acknowledged = OutgoingMail.objects.filter(kind=OutgoingKind.ACKNOWLEDGEMENT, recipient=CONTACT_EMAIL)
    assert acknowledged.count() == 3 and Outbox.objects.count() == 3
    assert [{"code": "acknowledgement_not_sent"} in i.notes for i in inbounds] == [False] * 3 + [True] * 3


def test_an_auto_reply_that_belongs_to_no_ticket_is_only_recorded(mailbox, contact):
    inbound = ingest(mailbox, build(subject="Out of Office: back on Monday"))

    assert (inbound.outcome, inbound.ticket, inbound.comment) == (Outcome.AUTO_REPLY, None, None)
    assert not Ticket.objects.exists() and not Outbox.objects.exists()


def test_a_bounce_of_our_mail_becomes_an_internal_note_on_its_ticket_and_is_not_answered(mailbox, contact):
    ticket = opened(mailbox)
    ours = OutgoingMail.objects.get(ticket=ticket).message_id
    returned = email.message_from_bytes(
        build(sender="support0@service.example.com", subject=f"[{ticket.number}] 已收到", message_id=f"<{ours}>"),
        policy=email.policy.SMTP,
    )
    bounce = email.message_from_bytes(
        build(
            sender="MAILER-DAEMON@mx.customer.example.cn",
            subject="Undelivered Mail Returned to Sender",
            text="User unknown",
        ),
        policy=email.policy.SMTP,
    )
    bounce.add_attachment(returned)

    inbound = ingest(mailbox, bounce.as_bytes())

    assert (inbound.outcome, inbound.ticket) == (Outcome.BOUNCE, ticket)
    assert not inbound.comment.is_public and "User unknown" in inbound.comment.body
    assert Outbox.objects.count() == 1


def test_an_auto_reply_from_a_known_contact_opens_no_ticket(mailbox, contact):
    inbound = ingest(mailbox, build(subject="自动回复：我正在休假，11月30日返回"))

    assert inbound.outcome == Outcome.AUTO_REPLY and not Ticket.objects.exists()
