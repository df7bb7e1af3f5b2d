"""Mail to the customer: replies and resolution notices picked up by the sweep, in their language, threaded."""

import datetime as dt

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.inbox.choices import Outcome, OutgoingKind
from aftersales.inbox.models import OutgoingMail, SweepCursor
from aftersales.inbox.services import message_ingest, outgoing_sweep
from aftersales.inbox.services.outgoing import CURSOR, language_for_address
from aftersales.inbox.tests.conftest import CONTACT_EMAIL
from aftersales.inbox.tests.mails import build
from aftersales.notifications.delivery import deliver_due
from aftersales.notifications.models import Outbox
from aftersales.notifications.tests.factories import NotificationPreferenceFactory
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.services import comment_add, ticket_assign, ticket_transition
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def later(minutes=10):
    return timezone.now() + dt.timedelta(minutes=minutes)


@pytest.fixture
def engineer(db):
    return UserFactory(role=Role.ENGINEER, first_name="强", last_name="王")


@pytest.fixture
def mail_ticket(mailbox, contact):
    inbound = message_ingest(
        mailbox=mailbox, raw=build(message_id="<first@customer.example.cn>", references="<older@customer.example.cn>")
    )
    assert inbound.outcome == Outcome.TICKET_CREATED
    return inbound.ticket


def test_a_staff_reply_is_mailed_threaded_to_the_customers_last_mail(mail_ticket, mailbox, engineer):
    customer_reply = message_ingest(
        mailbox=mailbox,
        raw=build(
            message_id="<second@customer.example.cn>",
            subject=f"Re: [{mail_ticket.number}]",
            in_reply_to="<first@customer.example.cn>",
            references="<older@customer.example.cn> <first@customer.example.cn>",
        ),
    )
    assert customer_reply.outcome == Outcome.COMMENT_ADDED
    comment = comment_add(actor=engineer, ticket=mail_ticket, body="请提供设备序列号。", is_public=True)

    result = outgoing_sweep(now=later())

    assert result.queued == 1
    reply = OutgoingMail.objects.get(kind=OutgoingKind.REPLY)
    row = Outbox.objects.get(key=f"inbox:reply:{comment.pk}")
    assert (reply.ticket, reply.comment, reply.recipient, row.recipient) == (
        mail_ticket,
        comment,
        CONTACT_EMAIL,
        CONTACT_EMAIL,
    )
    assert row.headers["In-Reply-To"] == "<second@customer.example.cn>"
    assert row.headers["References"] == (
        "<older@customer.example.cn> <first@customer.example.cn> <second@customer.example.cn>"
    )
    assert row.headers["Message-ID"] == f"<{reply.message_id}>"
    assert "Auto-Submitted" not in row.headers  # a person wrote it
    assert mail_ticket.number in row.subject and "请提供设备序列号。" in row.body
    sent = TicketEvent.objects.filter(ticket=mail_ticket, kind=EventKind.EMAIL_SENT).order_by("pk").last()
    assert sent.actor == engineer and sent.data["mail"] == "reply" and sent.data["to"] == CONTACT_EMAIL


def test_the_mail_that_leaves_carries_the_threading_headers(mail_ticket, engineer):
    comment_add(actor=engineer, ticket=mail_ticket, body="已远程处理。", is_public=True)
    outgoing_sweep(now=later())

    deliver_due(now=later(11))

    ours = OutgoingMail.objects.get(kind=OutgoingKind.REPLY).message_id
    sent = {message.extra_headers["Message-ID"]: message.message() for message in django_mail.outbox}
    reply = sent[f"<{ours}>"]  # found by its id, not by a subject the installation's language words
    assert reply["Message-ID"] == f"<{ours}>"
    assert reply["In-Reply-To"] == "<first@customer.example.cn>"
    assert reply["References"] == "<older@customer.example.cn> <first@customer.example.cn>"
    assert reply["Reply-To"] == "support0@service.example.com"
    assert reply["From"].addresses[0].addr_spec == "support0@service.example.com"
    assert reply["To"] == CONTACT_EMAIL
    assert mail_ticket.number in reply["Subject"]


def test_the_customers_answer_to_our_reply_threads_back_by_its_message_id(mail_ticket, mailbox, engineer):
    comment_add(actor=engineer, ticket=mail_ticket, body="请重启试试。", is_public=True)
    outgoing_sweep(now=later())
    ours = OutgoingMail.objects.get(kind=OutgoingKind.REPLY).message_id

    answer = message_ingest(mailbox=mailbox, raw=build(subject="Re: 请重启试试", in_reply_to=f"<{ours}>"))

    assert (answer.outcome, answer.ticket) == (Outcome.COMMENT_ADDED, mail_ticket)
    assert {"code": "threaded", "by": "headers", "ticket": mail_ticket.number} in answer.notes


def test_internal_notes_and_the_customers_own_mail_are_not_mailed(mail_ticket, mailbox, engineer, customer):
    comment_add(actor=engineer, ticket=mail_ticket, body="内部：先查日志", is_public=False)
    message_ingest(mailbox=mailbox, raw=build(subject=f"Re: [{mail_ticket.number}] 补充"))
    portal_user = UserFactory(role=Role.CUSTOMER, customer=customer)
    comment_add(actor=portal_user, ticket=mail_ticket, body="门户里补充一句", is_public=True)

    assert outgoing_sweep(now=later()).queued == 0
    assert not OutgoingMail.objects.exclude(kind=OutgoingKind.ACKNOWLEDGEMENT).exists()


def test_tickets_that_never_had_mail_get_none(engineer, customer):
    from aftersales.inbox.tests.factories import MailboxFactory

    MailboxFactory()
    phone_ticket = TicketFactory(customer=customer, status="in_progress")
    outgoing_sweep(now=later())  # the cursor starts here
    comment_add(actor=engineer, ticket=phone_ticket, body="已回电", is_public=True)

    assert outgoing_sweep(now=later()).queued == 0 and not Outbox.objects.exists()


def test_the_sweep_is_idempotent_even_from_the_start(mail_ticket, engineer):
    comment_add(actor=engineer, ticket=mail_ticket, body="已派工程师。", is_public=True)

    first = outgoing_sweep(now=later())
    SweepCursor.objects.filter(name=CURSOR).update(position=0)
    second = outgoing_sweep(now=later())

    assert (first.queued, second.queued) == (1, 0)
    assert OutgoingMail.objects.filter(kind=OutgoingKind.REPLY).count() == 1
    assert TicketEvent.objects.filter(kind=EventKind.EMAIL_SENT, data__mail="reply").count() == 1


def test_recent_events_are_read_again_until_they_settle(mail_ticket, engineer):
    comment = comment_add(actor=engineer, ticket=mail_ticket, body="稍后回复", is_public=True)
    event = TicketEvent.objects.get(kind=EventKind.COMMENTED, data__comment=comment.pk)

    assert outgoing_sweep(now=timezone.now()).queued == 1
    assert SweepCursor.objects.get(name=CURSOR).position < event.pk  # not past an event that may not be alone yet
    assert outgoing_sweep(now=timezone.now()).queued == 0
    outgoing_sweep(now=later())
    assert SweepCursor.objects.get(name=CURSOR).position >= event.pk


def resolve(ticket, engineer, dispatcher):
    ticket_assign(actor=dispatcher, ticket=ticket, assignee=engineer, version=None)
    ticket_transition(actor=engineer, ticket=ticket, action="accept", version=None)
    return ticket_transition(
        actor=engineer,
        ticket=ticket,
        action="resolve",
        version=None,
        resolution="更换了电源模块，设备已恢复。",
        resolution_method="remote",
    )


def test_the_resolution_notice_goes_in_chinese_by_default(mail_ticket, engineer, agent):
    resolve(mail_ticket, engineer, agent)

    assert outgoing_sweep(now=later()).queued == 1

    row = Outbox.objects.get(key__startswith="inbox:resolution:")
    assert "更换了电源模块，设备已恢复。" in row.body and "远程登录" in row.body
    assert row.headers["Auto-Submitted"] == "auto-generated"
    assert row.headers["In-Reply-To"] == "<first@customer.example.cn>"
    sent = TicketEvent.objects.get(kind=EventKind.EMAIL_SENT, data__mail="resolution")
    assert sent.actor == engineer


def test_a_customer_user_who_chose_english_gets_english(mail_ticket, engineer, agent, customer):
    portal_user = UserFactory(role=Role.CUSTOMER, customer=customer, email=CONTACT_EMAIL.upper())
    NotificationPreferenceFactory(user=portal_user, language="en")
    assert language_for_address(CONTACT_EMAIL) == "en"

    resolve(mail_ticket, engineer, agent)
    outgoing_sweep(now=later())

    row = Outbox.objects.get(key__startswith="inbox:resolution:")
    assert "Remote login" in row.body and "远程登录" not in row.body


def test_without_a_preference_the_language_is_the_installations():
    assert language_for_address("nobody@customer.example.cn") == "zh-hans"
