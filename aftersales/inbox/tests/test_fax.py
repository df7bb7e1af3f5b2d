"""A fax gateway mailbox: each PDF or TIFF attachment is registered as a received fax (aftersales.intake.fax)."""

import pytest
from django.urls import reverse

from aftersales.customers.tests.factories import ContactFactory
from aftersales.inbox.choices import Outcome
from aftersales.inbox.services import message_ingest
from aftersales.inbox.services.faxes import fax_number_of
from aftersales.inbox.tests.mails import build
from aftersales.intake.models import FaxReceipt
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32
GATEWAY = "Fax Server <fax-gateway@service.example.com>"


@pytest.fixture
def gateway(mailbox):
    mailbox.is_fax_gateway = True
    mailbox.save()
    return mailbox


def fax_mail(**kwargs):
    values = {
        "sender": GATEWAY,
        "subject": "Fax from 0571-8888 6666 (2 pages)",
        "text": "核心交换机端口故障，请派人处理",
        "attachments": [("fax0001.pdf", "application/pdf", PDF)],
    }
    values.update(kwargs)
    return build(**values)


def test_a_scan_from_a_known_fax_number_becomes_a_fax_ticket(gateway, customer):
    ContactFactory(customer=customer, name="赵科长", phone="+8657188886666")

    inbound = message_ingest(mailbox=gateway, raw=fax_mail())

    receipt = FaxReceipt.objects.get()
    assert inbound.outcome == Outcome.FAX
    assert (receipt.fax_number, receipt.customer, receipt.file_name) == ("0571-8888 6666", customer, "fax0001.pdf")
    assert "核心交换机端口故障" in receipt.summary
    assert receipt.received_at == inbound.received_at and receipt.registered_by == gateway.owner
    assert inbound.ticket == receipt.ticket and receipt.ticket.channel == Channel.FAX
    assert {"code": "fax_registered", "register": receipt.number} in inbound.notes
    assert not Ticket.objects.filter(channel=Channel.EMAIL).exists()  # not also a mail ticket


def test_a_dedicated_gateway_registers_for_its_customer(gateway, customer):
    gateway.default_customer = customer
    gateway.save()

    inbound = message_ingest(
        mailbox=gateway, raw=fax_mail(subject="传真", attachments=[("scan.tif", "image/tiff", TIFF)])
    )

    receipt = FaxReceipt.objects.get()
    assert (receipt.customer, receipt.content_type) == (customer, "image/tiff")
    assert inbound.ticket == receipt.ticket is not None


def test_each_scan_is_its_own_fax(gateway, customer):
    gateway.default_customer = customer
    gateway.save()

    message_ingest(
        mailbox=gateway,
        raw=fax_mail(attachments=[("a.pdf", "application/pdf", PDF), ("b.tif", "image/tiff", TIFF)]),
    )

    assert FaxReceipt.objects.count() == 2 and Ticket.objects.count() == 2


def test_a_fax_from_an_unknown_number_waits_in_the_register(gateway):
    inbound = message_ingest(mailbox=gateway, raw=fax_mail(subject="Fax from 010 6290 8622"))

    receipt = FaxReceipt.objects.get()
    assert inbound.outcome == Outcome.FAX and inbound.ticket is None
    assert receipt.ticket is None and receipt.waiting_reason == "unknown_sender"


def test_gateway_mail_without_a_scan_waits_to_be_sorted(gateway):
    inbound = message_ingest(mailbox=gateway, raw=fax_mail(attachments=[]))

    assert inbound.outcome == Outcome.TO_SORT and {"code": "no_fax_document"} in inbound.notes
    assert not FaxReceipt.objects.exists()


def test_a_file_that_only_claims_to_be_a_pdf_waits_to_be_sorted_and_is_kept(gateway, client):
    inbound = message_ingest(mailbox=gateway, raw=fax_mail(attachments=[("x.pdf", "application/pdf", b"MZ...")]))

    assert (inbound.outcome, inbound.error) == (Outcome.TO_SORT, "")
    assert inbound.notes[-1] == {"code": "fax_refused", "name": "x.pdf", "size": 5, "fields": ["file"]}
    assert not FaxReceipt.objects.exists()
    client.force_login(gateway.owner)
    page = client.get(reverse("inbox_sort"), headers={"accept-language": "en"}).content.decode()
    assert "The attachment x.pdf (5 bytes) is not a PDF or TIFF scan, or is empty or too large." in page


def test_one_bad_scan_among_good_ones_is_noted_and_the_good_ones_are_registered(gateway, customer):
    gateway.default_customer = customer
    gateway.save()
    attachments = [
        ("a.pdf", "application/pdf", PDF),
        ("b.pdf", "application/pdf", b"MZ..."),
        ("c.tif", "image/tiff", TIFF),
    ]

    inbound = message_ingest(mailbox=gateway, raw=fax_mail(attachments=attachments))

    first, second = FaxReceipt.objects.order_by("pk")
    assert (first.file_name, second.file_name) == ("a.pdf", "c.tif")
    assert (inbound.outcome, inbound.ticket, inbound.customer) == (Outcome.FAX, first.ticket, customer)
    assert Ticket.objects.count() == 2
    assert inbound.notes[-3:] == [
        {"code": "fax_registered", "register": first.number},
        {"code": "fax_registered", "register": second.number},
        {"code": "fax_refused", "name": "b.pdf", "size": 5, "fields": ["file"]},
    ]


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Fax from 0571-8888 6666", "0571-8888 6666"),
        ("传真来自 +86 10 6290 8622，共3页", "+86 10 6290 8622"),
        ("来自(0571)88886666的传真", "(0571)88886666"),
        ("传真", ""),
    ],
)
def test_the_fax_number_is_read_from_the_subject(subject, number):
    from aftersales.inbox.mime import parse_message

    assert fax_number_of(parse_message(build(sender="fax@x.example", subject=subject, text=""))) == number
