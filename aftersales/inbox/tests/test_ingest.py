"""From a received message to a ticket, a reply or a note: customers, threading, attachments, failures."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from aftersales.accounts.models import SYSTEM_USERNAME
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory
from aftersales.inbox.choices import Outcome, OutgoingKind
from aftersales.inbox.mime import message_key
from aftersales.inbox.models import InboundMessage, OutgoingMail
from aftersales.inbox.services import message_ingest
from aftersales.inbox.tests.conftest import CONTACT_EMAIL
from aftersales.inbox.tests.mails import build
from aftersales.notifications.models import Outbox
from aftersales.tickets.choices import Channel, EventKind, Status
from aftersales.tickets.models import Attachment, Comment, Ticket, TicketEvent
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def ingest(mailbox, raw, **kwargs):
    return message_ingest(mailbox=mailbox, raw=raw, **kwargs)


def new_ticket_from_contact(mailbox, **mail) -> tuple[InboundMessage, Ticket]:
    inbound = ingest(mailbox, build(**mail))
    assert inbound.outcome == Outcome.TICKET_CREATED, (inbound.outcome, inbound.error, inbound.notes)
    return inbound, inbound.ticket


# New requests -----------------------------------------------------------------------------------


def test_mail_from_a_known_contact_opens_an_email_ticket_for_their_customer(mailbox, contact, agent):
    received = timezone.now() - dt.timedelta(minutes=3)

    inbound = ingest(mailbox, build(subject="回复: 服务器无法开机"), received_at=received)

    ticket = inbound.ticket
    assert inbound.outcome == Outcome.TICKET_CREATED and inbound.sender_verified
    assert (ticket.customer, ticket.channel, ticket.status) == (contact.customer, Channel.EMAIL, Status.NEW)
    assert (ticket.title, ticket.description) == ("服务器无法开机", "机房一台服务器电源指示灯不亮，请尽快处理。")
    assert (ticket.contact_name, str(ticket.contact_phone)) == ("张伟", "+8613800138001")
    assert ticket.received_at == received
    assert ticket.created_by == agent  # the person who checks the mailbox logs it
    created = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CREATED)
    assert created.data["channel"] == Channel.EMAIL


def test_the_raw_message_is_kept_byte_for_byte(mailbox, contact):
    raw = build()

    inbound = ingest(mailbox, raw)

    with inbound.raw.open("rb") as stored:
        assert stored.read() == raw
    assert inbound.key == message_key(raw)[0] and inbound.size == len(raw)


def test_the_acknowledgement_goes_to_the_sender_from_the_mailbox_with_the_ticket_number(mailbox, contact):
    inbound, ticket = new_ticket_from_contact(mailbox)

    outgoing = OutgoingMail.objects.get(ticket=ticket)
    row = Outbox.objects.get(key=f"inbox:acknowledgement:{ticket.pk}")
    assert (outgoing.kind, outgoing.recipient, row.recipient) == (
        OutgoingKind.ACKNOWLEDGEMENT,
        CONTACT_EMAIL,
        CONTACT_EMAIL,
    )
    assert ticket.number in row.subject
    assert row.headers["Message-ID"] == f"<{outgoing.message_id}>"
    assert outgoing.message_id.endswith("@service.example.com")
    assert row.headers["In-Reply-To"] == f"<{inbound.message_id}>"
    assert row.headers["References"] == f"<{inbound.message_id}>"
    assert row.headers["Reply-To"] == "support0@service.example.com"
    assert row.headers["From"] == "华东技术支持 <support0@service.example.com>"
    assert row.headers["Auto-Submitted"] == "auto-replied"
    sent = TicketEvent.objects.get(ticket=ticket, kind=EventKind.EMAIL_SENT)
    assert sent.data == {
        "mail": "acknowledgement",
        "to": CONTACT_EMAIL,
        "message_id": outgoing.message_id,
        "outgoing": outgoing.pk,
    }


def test_a_dedicated_mailbox_opens_tickets_for_its_customer_from_unknown_senders(mailbox, customer):
    mailbox.default_customer = customer
    mailbox.save()

    inbound = ingest(mailbox, build(sender="王芳 <wang.fang@customer.example.cn>"))

    assert inbound.outcome == Outcome.TICKET_CREATED
    assert inbound.ticket.customer == customer
    assert (inbound.ticket.contact_name, str(inbound.ticket.contact_phone)) == ("王芳", "+8657188886666")


def test_mail_from_an_unknown_sender_waits_to_be_sorted(mailbox, customer):
    inbound = ingest(mailbox, build(sender="stranger@elsewhere.example"))

    assert (inbound.outcome, inbound.ticket) == (Outcome.TO_SORT, None)
    assert {"code": "unknown_sender"} in inbound.notes
    assert not Ticket.objects.exists() and not Outbox.objects.exists()


def test_a_sender_who_is_a_contact_of_two_customers_waits_to_be_sorted(mailbox, contact):
    ContactFactory(customer=CustomerFactory(), email=CONTACT_EMAIL.upper())

    inbound = ingest(mailbox, build())

    assert inbound.outcome == Outcome.TO_SORT and {"code": "ambiguous_sender"} in inbound.notes


def test_a_dedicated_mailbox_settles_a_sender_shared_by_its_customer_and_another(mailbox, contact, customer):
    ContactFactory(customer=CustomerFactory(), email=CONTACT_EMAIL)
    mailbox.default_customer = customer
    mailbox.save()

    inbound = ingest(mailbox, build())

    assert inbound.outcome == Outcome.TICKET_CREATED and inbound.ticket.customer == customer


def test_an_html_only_mail_becomes_sanitised_text(mailbox, contact):
    html = '<p>核心交换机<b>宕机</b></p><script>alert("x")</script><img src="x.png" onerror="alert(1)"><p>请回电</p>'

    inbound = ingest(mailbox, build(text=None, html=html))

    assert inbound.ticket.description == "核心交换机宕机\n\n请回电"
    assert "script" not in inbound.body_html and "onerror" not in inbound.body_html
    assert "<b>宕机</b>" in inbound.body_html


# Attachments ------------------------------------------------------------------------------------


def test_attachments_and_inline_images_become_public_ticket_attachments(mailbox, contact):
    inbound = ingest(
        mailbox,
        build(
            html='<p>见截图</p><img src="cid:shot1@mail">',
            attachments=[("故障日志.pdf", "application/pdf", PDF)],
            inline_images=[("shot1@mail", "image/png", PNG)],
        ),
    )

    files = {a.name: a for a in Attachment.objects.filter(ticket=inbound.ticket)}
    assert set(files) == {"故障日志.pdf", "image-3.png"}
    assert all(a.is_public and a.uploaded_by.username == SYSTEM_USERNAME for a in files.values())
    with files["故障日志.pdf"].file.open("rb") as stored:
        assert stored.read() == PDF
    assert files["image-3.png"].size == len(PNG)
    events = TicketEvent.objects.filter(ticket=inbound.ticket, kind=EventKind.ATTACHMENT_ADDED)
    assert sorted(e.data["name"] for e in events) == ["image-3.png", "故障日志.pdf"]


@override_settings(ATTACHMENT_MAX_BYTES=1000)
def test_an_attachment_over_the_limit_is_skipped_and_noted_and_the_message_kept(mailbox, contact):
    inbound = ingest(
        mailbox,
        build(attachments=[("dump.zip", "application/zip", b"x" * 5000), ("ok.pdf", "application/pdf", PDF)]),
    )

    assert inbound.outcome == Outcome.TICKET_CREATED
    assert list(Attachment.objects.filter(ticket=inbound.ticket).values_list("name", flat=True)) == ["ok.pdf"]
    skipped = [note for note in inbound.notes if note["code"] == "attachment_skipped"]
    assert skipped == [{"code": "attachment_skipped", "name": "dump.zip", "size": 5000, "reason": "too_large"}]
    note = Comment.objects.get(ticket=inbound.ticket)
    assert not note.is_public and "dump.zip" in note.body
    with inbound.raw.open("rb") as stored:
        assert b"dump.zip" in stored.read()


def test_an_attachment_of_a_refused_type_is_skipped(mailbox, contact):
    inbound = ingest(mailbox, build(attachments=[("setup.exe", "application/octet-stream", b"MZ" + b"0" * 10)]))

    assert not Attachment.objects.exists()
    skipped = [note for note in inbound.notes if note["code"] == "attachment_skipped"]
    assert skipped == [{"code": "attachment_skipped", "name": "setup.exe", "size": 12, "reason": "type"}]


# Exactly once and failures ----------------------------------------------------------------------


def test_a_message_recorded_already_is_not_processed_again(mailbox, contact):
    raw = build()
    first = ingest(mailbox, raw)

    assert ingest(mailbox, raw) is None
    assert ingest(mailbox, raw.replace(b"Subject:", b"X-Copy: 1\r\nSubject:")) is None  # same Message-ID

    assert InboundMessage.objects.get() == first and Ticket.objects.count() == 1


def test_a_message_without_message_id_is_keyed_by_its_content(mailbox, contact):
    raw = build(message_id=None)

    first = ingest(mailbox, raw)

    assert first.key.startswith("raw:") and first.message_id == ""
    assert ingest(mailbox, raw) is None
    assert ingest(mailbox, build(message_id=None, subject="另一件事")).key != first.key


def test_a_failure_while_processing_keeps_the_message_for_review(mailbox, contact, monkeypatch):
    from aftersales.inbox.services import ingest as module

    def explode(**kwargs):
        raise RuntimeError("the ticket service fell over")

    monkeypatch.setattr(module, "ticket_create", explode)
    raw = build()

    inbound = ingest(mailbox, raw)

    inbound.refresh_from_db()
    assert inbound.outcome == Outcome.FAILED and inbound.needs_review
    assert inbound.error == "RuntimeError: the ticket service fell over"
    assert inbound.subject == "服务器无法开机" and inbound.sender_address == CONTACT_EMAIL
    with inbound.raw.open("rb") as stored:
        assert stored.read() == raw
    assert not Ticket.objects.exists() and not Outbox.objects.exists()
    assert ingest(mailbox, raw) is None  # recorded: the server copy can go


def test_a_ticket_the_service_refuses_is_kept_as_failed_with_the_reason(mailbox, customer):
    ContactFactory(customer=customer, email=CONTACT_EMAIL, phone="+8613800138001")
    customer.is_active = True
    mailbox.owner.is_active = False  # may no longer log: ticket_create refuses
    mailbox.owner.save()

    inbound = ingest(mailbox, build())

    assert inbound.outcome == Outcome.FAILED and inbound.error.startswith("PermissionDenied")


# Threading --------------------------------------------------------------------------------------


def test_a_reply_to_our_acknowledgement_becomes_a_public_comment(mailbox, contact):
    first, ticket = new_ticket_from_contact(mailbox)
    ours = OutgoingMail.objects.get(ticket=ticket).message_id

    reply = ingest(
        mailbox,
        build(
            subject="回复: 我们已收到",
            text="补充：型号是 R740。\n\n在 2026年11月22日 10:00，华东技术支持 写道：\n> 已收到",
            in_reply_to=f"<{ours}>",
            references=f"<{first.message_id}> <{ours}>",
        ),
    )

    assert (reply.outcome, reply.ticket) == (Outcome.COMMENT_ADDED, ticket)
    assert reply.comment.is_public and reply.sender_verified
    assert reply.comment.body == "张伟 <zhang.wei@customer.example.cn>:\n\n补充：型号是 R740。"
    assert reply.comment.author.username == SYSTEM_USERNAME
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.COMMENTED)
    assert event.data == {"comment": reply.comment.pk, "public": True, "email": reply.pk}
    ticket.refresh_from_db()
    assert ticket.responded_at is None  # the customer's mail is not the response the SLA counts
    assert Ticket.objects.count() == 1


def test_a_reply_without_headers_is_threaded_by_the_ticket_number_in_the_subject(mailbox, contact):
    _first, ticket = new_ticket_from_contact(mailbox)

    reply = ingest(mailbox, build(subject=f"答复: [{ticket.number}]我们已收到您的问题", text="已经重启，正常了"))

    assert (reply.outcome, reply.ticket) == (Outcome.COMMENT_ADDED, ticket)
    assert {"code": "threaded", "by": "subject_number", "ticket": ticket.number} in reply.notes
    assert Ticket.objects.count() == 1


def test_a_number_glued_to_chinese_text_still_threads(mailbox, contact):
    _first, ticket = new_ticket_from_contact(mailbox)

    reply = ingest(mailbox, build(subject=f"关于工单{ticket.number}的补充"))

    assert reply.ticket == ticket


def test_the_same_subject_without_a_number_or_headers_opens_a_new_ticket(mailbox, contact):
    _first, ticket = new_ticket_from_contact(mailbox, subject="服务器无法开机")

    again = ingest(mailbox, build(subject="服务器无法开机"))

    assert again.outcome == Outcome.TICKET_CREATED and again.ticket != ticket
    assert Ticket.objects.count() == 2


def test_a_forward_without_headers_threads_by_its_number(mailbox, contact):
    _first, ticket = new_ticket_from_contact(mailbox)

    forward = ingest(
        mailbox,
        build(
            subject=f"转发: 回复: [{ticket.number}] 服务器无法开机",
            text="请看下面的邮件\n\n-----原始邮件-----\n发件人: 华东技术支持\n发送时间: 2026年11月22日\n已经处理",
        ),
    )

    assert forward.ticket == ticket and forward.comment.is_public
    assert "原始邮件" in forward.comment.body  # a forward keeps what it forwards


def test_a_message_forwarded_as_an_attachment_threads_by_the_ids_inside(mailbox, contact):
    import email
    import email.policy

    _first, ticket = new_ticket_from_contact(mailbox)
    ours = OutgoingMail.objects.get(ticket=ticket).message_id
    inner = email.message_from_bytes(
        build(sender="华东技术支持 <support0@service.example.com>", subject="已收到", message_id=f"<{ours}>"),
        policy=email.policy.SMTP,
    )
    outer = email.message_from_bytes(build(subject="Fw: 之前的邮件", text="同事转来的"), policy=email.policy.SMTP)
    outer.add_attachment(inner)

    forward = ingest(mailbox, outer.as_bytes())

    assert forward.ticket == ticket
    assert {"code": "threaded", "by": "forwarded", "ticket": ticket.number} in forward.notes


def test_a_reply_to_a_cancelled_ticket_opens_a_new_one_that_names_the_old(mailbox, contact):
    _first, ticket = new_ticket_from_contact(mailbox)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CANCELLED)

    reply = ingest(mailbox, build(subject=f"Re: [{ticket.number}] 又坏了"))

    assert reply.outcome == Outcome.TICKET_CREATED and reply.ticket != ticket
    assert ticket.number in reply.ticket.description


# Safety -----------------------------------------------------------------------------------------


def test_a_forged_sender_on_someone_elses_ticket_becomes_an_internal_note_for_review(mailbox, contact):
    _first, ticket = new_ticket_from_contact(mailbox)

    forged = ingest(
        mailbox,
        build(
            sender="attacker@evil.example",
            subject=f"Re: [{ticket.number}] 请把管理员密码发给我",
            attachments=[("readme.pdf", "application/pdf", PDF)],
        ),
    )

    assert (forged.outcome, forged.ticket) == (Outcome.NOTE_FOR_REVIEW, ticket)
    assert forged.needs_review and not forged.sender_verified
    assert not forged.comment.is_public
    assert not Attachment.objects.get(name="readme.pdf").is_public
    assert not Comment.objects.filter(ticket=ticket, is_public=True).exists()


def test_a_staff_reply_after_a_forged_note_still_goes_to_the_real_contact(mailbox, contact, agent):
    from aftersales.inbox.services import outgoing_sweep
    from aftersales.tickets.services import comment_add

    _first, ticket = new_ticket_from_contact(mailbox)
    ingest(mailbox, build(sender="attacker@evil.example", subject=f"Re: [{ticket.number}] x"))
    comment_add(actor=agent, ticket=ticket, body="已安排工程师", is_public=True)

    outgoing_sweep(now=timezone.now() + dt.timedelta(minutes=10))

    reply = OutgoingMail.objects.get(ticket=ticket, kind=OutgoingKind.REPLY)
    assert reply.recipient == CONTACT_EMAIL


def test_a_contact_of_another_customer_cannot_post_publicly_into_this_ticket(mailbox, contact):
    _first, ticket = new_ticket_from_contact(mailbox)
    ContactFactory(customer=CustomerFactory(), email="li@other.example")

    other = ingest(mailbox, build(sender="li@other.example", subject=f"Re: [{ticket.number}]"))

    assert other.outcome == Outcome.NOTE_FOR_REVIEW and not other.comment.is_public


def test_a_failed_dmarc_check_makes_even_a_contacts_address_unverified(mailbox, contact):
    _first, ticket = new_ticket_from_contact(mailbox)

    spoofed = ingest(
        mailbox,
        build(
            subject=f"Re: [{ticket.number}]",
            headers={
                "Authentication-Results": "mx.service.example.com; spf=fail; dmarc=fail header.from=customer.example.cn"
            },
        ),
    )

    assert spoofed.outcome == Outcome.NOTE_FOR_REVIEW and {"code": "authentication_failed"} in spoofed.notes


def test_a_customer_user_of_the_ticket_customer_counts_as_known(mailbox, customer, contact):
    from aftersales.accounts.roles import Role
    from aftersales.accounts.tests.factories import UserFactory

    _first, ticket = new_ticket_from_contact(mailbox)
    UserFactory(role=Role.CUSTOMER, customer=customer, email="portal.user@customer.example.cn")

    reply = ingest(mailbox, build(sender="portal.user@customer.example.cn", subject=f"Re: [{ticket.number}]"))

    assert reply.outcome == Outcome.COMMENT_ADDED


def test_an_existing_phone_ticket_takes_a_contacts_mail_by_its_number(mailbox, contact, customer):
    ticket = TicketFactory(customer=customer, status=Status.IN_PROGRESS)

    reply = ingest(mailbox, build(subject=f"关于 {ticket.number}"))

    assert (reply.outcome, reply.ticket) == (Outcome.COMMENT_ADDED, ticket)


def test_nul_characters_in_a_malformed_mail_do_not_stop_it(mailbox, contact):
    from aftersales.inbox.tests.mails import raw

    message = raw(
        "From: zhang.wei@customer.example.cn\nSubject: 服务器\x00宕机\nMessage-ID: <nul\x00@x>\n"
        "Content-Type: text/plain; charset=utf-8\n",
        "机房\x00断电".encode(),
    )

    inbound = ingest(mailbox, message)

    assert inbound.outcome == Outcome.TICKET_CREATED
    assert (inbound.ticket.title, inbound.ticket.description) == ("服务器宕机", "机房断电")
    assert inbound.message_id == "nul@x"


def test_a_database_error_while_describing_the_message_still_keeps_it(mailbox, contact, monkeypatch):
    from django.db import DataError

    from aftersales.inbox.services import ingest as module

    def refuse(inbound, mail):
        raise DataError("value too long")

    monkeypatch.setattr(module, "_describe", refuse)

    inbound = ingest(mailbox, build())

    inbound.refresh_from_db()
    assert inbound.outcome == Outcome.FAILED and inbound.error == "DataError: value too long"
