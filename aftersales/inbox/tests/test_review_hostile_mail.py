"""Mail written to break the inbox: charsets that are no text encodings, reused Message-IDs, forged Reply-To,
ids with Unicode line breaks, a fax gateway's mail with one bad scan among good ones."""

import datetime as dt

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import InvalidTransition
from aftersales.customers.tests.factories import ContactFactory
from aftersales.inbox.choices import Outcome, OutgoingKind
from aftersales.inbox.mime import message_key, parse_message, reused_id_key
from aftersales.inbox.models import InboundMessage, OutgoingMail
from aftersales.inbox.services import ingest, message_ingest, outgoing_sweep
from aftersales.inbox.services.common import add_mail_comment
from aftersales.inbox.services.threads import Thread
from aftersales.inbox.tests.conftest import CONTACT_EMAIL
from aftersales.inbox.tests.mails import build, raw
from aftersales.notifications.delivery import deliver_due
from aftersales.notifications.models import Outbox
from aftersales.tickets.choices import EventKind, Status
from aftersales.tickets.models import Comment, Ticket, TicketEvent
from aftersales.tickets.services import comment_add
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

# Labels a sender can write that Python knows but that do not decode bytes into text (or cannot replace).
HOSTILE_CHARSETS = ["undefined", "base64", "rot13", "quopri", "idna", "utf-8\x00"]


def encoded_word(charset: str, text: str = "YQ==") -> str:
    return f"=?{charset}?B?{text}?="


@pytest.mark.parametrize("charset", HOSTILE_CHARSETS)
def test_a_charset_that_is_no_text_encoding_is_read_as_utf8_in_headers_and_body(charset):
    message = raw(
        f"From: zhang.wei@customer.example.cn\nSubject: {encoded_word(charset, '5pyN5Yqh5Zmo')}\n"
        f'Message-ID: <plain@customer.example.cn>\nContent-Type: text/plain; charset="{charset}"\n',
        "服务器宕机".encode(),
    )

    mail = parse_message(message)

    assert (mail.subject, mail.text) == ("服务器", "服务器宕机")


@pytest.mark.parametrize("charset", HOSTILE_CHARSETS)
def test_a_message_id_no_decoder_survives_is_keyed_by_its_bytes_and_recorded(mailbox, charset):
    message = raw(f"From: stranger@elsewhere.example\nSubject: x\nMessage-ID: <{encoded_word(charset)}@x>\n", b"text")

    inbound = message_ingest(mailbox=mailbox, raw=message)

    assert inbound is not None and InboundMessage.objects.get().key == message_key(message)[0]
    assert (inbound.message_id, inbound.outcome) == ("a@x", Outcome.TO_SORT)
    assert message_ingest(mailbox=mailbox, raw=message) is None  # read again after a crash: dropped, not doubled


# Reply-To ----------------------------------------------------------------------------------------


def reply_to_test_ticket(mailbox, reply_to: str):
    inbound = message_ingest(mailbox=mailbox, raw=build(headers={"Reply-To": reply_to}))
    assert inbound.outcome == Outcome.TICKET_CREATED and inbound.reply_to_address == reply_to.rpartition("<")[2].strip(
        ">"
    )
    return inbound.ticket


def test_a_reply_to_nobody_knows_does_not_divert_the_tickets_mail_from_the_verified_sender(mailbox, contact, agent):
    ticket = reply_to_test_ticket(mailbox, "收件 <collector@attacker.example>")
    comment_add(actor=agent, ticket=ticket, body="请提供设备序列号。", is_public=True)

    outgoing_sweep(now=timezone.now() + dt.timedelta(minutes=10))

    assert sorted(OutgoingMail.objects.values_list("kind", "recipient")) == [
        (OutgoingKind.ACKNOWLEDGEMENT, CONTACT_EMAIL),
        (OutgoingKind.REPLY, CONTACT_EMAIL),
    ]
    assert set(Outbox.objects.values_list("recipient", flat=True)) == {CONTACT_EMAIL}


def test_a_reply_to_another_contact_of_the_customer_is_honoured(mailbox, contact):
    ContactFactory(customer=contact.customer, name="值班室", email="duty@customer.example.cn")

    ticket = reply_to_test_ticket(mailbox, "值班室 <duty@customer.example.cn>")

    assert OutgoingMail.objects.get(ticket=ticket).recipient == "duty@customer.example.cn"


# Reused Message-IDs ------------------------------------------------------------------------------


def test_a_different_mail_under_a_recorded_message_id_is_kept_and_goes_on_the_same_ticket(mailbox, contact):
    first = message_ingest(mailbox=mailbox, raw=build(message_id="<scan@printer.local>", text="第一台打印机卡纸"))
    second_raw = build(message_id="<scan@printer.local>", subject="又一个问题", text="第二台打印机不进纸")

    second = message_ingest(mailbox=mailbox, raw=second_raw)

    assert second is not None and second.key == reused_id_key("scan@printer.local", second_raw)
    assert (second.outcome, second.ticket) == (Outcome.COMMENT_ADDED, first.ticket)
    assert second.notes[:2] == [
        {"code": "message_id_reused", "earlier": first.pk},
        {"code": "threaded", "by": "same_message_id", "ticket": first.ticket.number},
    ]
    assert second.comment.body.endswith("第二台打印机不进纸") and second.comment.is_public
    assert Ticket.objects.count() == 1
    assert message_ingest(mailbox=mailbox, raw=second_raw) is None  # read again after a crash: once only


def test_a_copy_of_a_recorded_message_with_other_transport_headers_is_still_dropped(mailbox, contact):
    copy = build(message_id="<once@customer.example.cn>")
    message_ingest(mailbox=mailbox, raw=copy)

    again = message_ingest(mailbox=mailbox, raw=b"Received: from relay2.example.cn\r\nDelivered-To: cc@x\r\n" + copy)

    assert again is None and InboundMessage.objects.count() == 1


def test_a_third_different_mail_under_the_same_id_is_kept_too(mailbox, contact):
    for text in ("一", "二", "三"):
        assert message_ingest(mailbox=mailbox, raw=build(message_id="<same@printer.local>", text=text)) is not None

    assert InboundMessage.objects.count() == 3 and Ticket.objects.count() == 1


# Ids with line breaks Python's email refuses when sending ----------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\u2029", "\x1e"])
def test_a_message_id_holding_a_unicode_line_break_is_read_without_it_and_our_reply_is_sent(
    mailbox, contact, agent, separator
):
    message = raw(
        f"From: 张伟 <{CONTACT_EMAIL}>\nSubject: =?utf-8?B?5pyN5Yqh5Zmo?=\n"
        f"Message-ID: <first{separator}part@customer.example.cn>\n"
        "Content-Type: text/plain; charset=utf-8\n",
        "服务器宕机".encode(),
    )
    inbound = message_ingest(mailbox=mailbox, raw=message)
    assert (inbound.outcome, inbound.message_id) == (Outcome.TICKET_CREATED, "firstpart@customer.example.cn")
    comment_add(actor=agent, ticket=inbound.ticket, body="已远程处理。", is_public=True)
    outgoing_sweep(now=timezone.now() + dt.timedelta(minutes=10))

    deliver_due(now=timezone.now() + dt.timedelta(minutes=11))

    assert sorted(Outbox.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert {message.message()["In-Reply-To"] for message in django_mail.outbox} == {"<firstpart@customer.example.cn>"}


def test_an_id_stored_before_ids_were_cleaned_does_not_stop_the_sweep(mailbox, contact, agent):
    inbound = message_ingest(mailbox=mailbox, raw=build(message_id="<old@customer.example.cn>"))
    InboundMessage.objects.filter(pk=inbound.pk).update(message_id="old\u2028x@customer.example.cn")
    comment_add(actor=agent, ticket=inbound.ticket, body="已远程处理。", is_public=True)

    result = outgoing_sweep(now=timezone.now() + dt.timedelta(minutes=10))

    assert result.queued == 1
    reply = Outbox.objects.get(key__startswith="inbox:reply:")
    assert (reply.headers["In-Reply-To"], reply.headers["References"]) == (
        "<oldx@customer.example.cn>",
        "<oldx@customer.example.cn>",
    )


# A ticket cancelled while its mail is being read; a customer's reply while the ticket waits for them --------


def test_a_ticket_cancelled_after_threading_read_it_gets_no_comment_a_new_ticket_follows(mailbox, contact, monkeypatch):
    first = message_ingest(mailbox=mailbox, raw=build(message_id="<first@customer.example.cn>"))
    stale = Ticket.objects.get(pk=first.ticket.pk)  # read as open, as find_thread did ...
    Ticket.objects.filter(pk=stale.pk).update(status=Status.CANCELLED)  # ... before a cancellation committed
    monkeypatch.setattr(ingest, "find_thread", lambda mail: Thread(stale, "headers"))

    reply = message_ingest(mailbox=mailbox, raw=build(in_reply_to="<first@customer.example.cn>", text="还是不行"))

    assert reply.outcome == Outcome.TICKET_CREATED and reply.ticket != stale
    assert {"code": "follows_closed_ticket", "ticket": stale.number} in reply.notes
    assert not Comment.objects.filter(ticket=stale).exists()


def test_mail_is_not_written_onto_a_cancelled_ticket(mailbox, contact):
    inbound = message_ingest(mailbox=mailbox, raw=build())
    Ticket.objects.filter(pk=inbound.ticket.pk).update(status=Status.CANCELLED)

    with pytest.raises(InvalidTransition):
        add_mail_comment(ticket=inbound.ticket, inbound=inbound, text="x", public=True, at=timezone.now())
    assert not Comment.objects.exists()


def test_a_customers_mail_reply_does_to_a_ticket_pending_them_what_their_portal_comment_does(mailbox, contact):
    """Neither resumes the ticket nor counts as a response: the assignee resumes it; the clocks stay paused."""
    by_mail = message_ingest(mailbox=mailbox, raw=build(message_id="<ask@customer.example.cn>")).ticket
    by_portal = TicketFactory(customer=contact.customer)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=contact.customer, email=CONTACT_EMAIL)
    Ticket.objects.filter(pk__in=[by_mail.pk, by_portal.pk]).update(status=Status.PENDING_CUSTOMER)
    before = {ticket.pk: _clock_state(ticket) for ticket in (by_mail, by_portal)}

    reply = message_ingest(mailbox=mailbox, raw=build(in_reply_to="<ask@customer.example.cn>", text="序列号是 2102"))
    comment_add(actor=customer_user, ticket=by_portal, body="序列号是 2102", is_public=True)

    assert reply.outcome == Outcome.COMMENT_ADDED and reply.comment.is_public
    assert {ticket.pk: _clock_state(ticket) for ticket in (by_mail, by_portal)} == before
    assert [event.data.get("responds") for event in TicketEvent.objects.filter(kind=EventKind.COMMENTED)] == [None] * 2


def _clock_state(ticket: Ticket) -> tuple:
    ticket.refresh_from_db()
    return ticket.status, ticket.responded_at, ticket.sla_health, ticket.sla_due_at, ticket.next_check_at


# Parts nested deeper than Python's parser follows -------------------------------------------------


def nested(depth: int) -> bytes:
    message = f"From: 张伟 <{CONTACT_EMAIL}>\r\nSubject: deep\r\nMessage-ID: <deep@customer.example.cn>\r\n".encode()
    for level in range(depth):
        message += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
    return message + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + "机房空调故障".encode() + b"\r\n"


def test_a_mail_nested_deeper_than_the_parser_follows_is_read_as_text_and_opens_its_ticket(mailbox, contact):
    inbound = message_ingest(mailbox=mailbox, raw=nested(3000))

    assert inbound.outcome == Outcome.TICKET_CREATED, inbound.error
    assert {"code": "mime_too_deep"} in inbound.notes
    assert inbound.body_text.endswith("机房空调故障") and inbound.subject == "deep"
    assert inbound.ticket.description.endswith("机房空调故障")


def test_an_id_naming_a_pc_in_chinese_is_left_out_of_our_threading_headers_and_the_reply_can_be_sent(
    mailbox, contact, agent
):
    message = raw(
        f"From: 张伟 <{CONTACT_EMAIL}>\nSubject: =?utf-8?B?5pyN5Yqh5Zmo?=\nMessage-ID: <0001@张三的电脑>\n"
        "References: <older@customer.example.cn>\nContent-Type: text/plain; charset=utf-8\n",
        "服务器宕机".encode(),
    )
    inbound = message_ingest(mailbox=mailbox, raw=message)
    assert inbound.message_id == "0001@张三的电脑"
    comment_add(actor=agent, ticket=inbound.ticket, body="已远程处理。", is_public=True)
    outgoing_sweep(now=timezone.now() + dt.timedelta(minutes=10))

    deliver_due(now=timezone.now() + dt.timedelta(minutes=11))

    assert sorted(Outbox.objects.values_list("status", flat=True)) == ["sent", "sent"]
    for sent in django_mail.outbox:
        wire = sent.message().as_bytes()  # what an SMTP server receives: ASCII headers
        assert b"In-Reply-To" not in wire and b"References: <older@customer.example.cn>\n" in wire
