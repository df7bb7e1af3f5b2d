"""The fax register service: numbering, the file check, matching the sender, the ticket, waiting faxes."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone, translation

from aftersales.accounts.models import system_user
from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory, SiteFactory
from aftersales.intake.fax import fax_assign, fax_dismiss, fax_register
from aftersales.intake.models import FaxReceipt, FaxSender, WaitingReason
from aftersales.intake.tests.samples import EXE, PDF, tiff
from aftersales.tickets.choices import Channel, EventKind
from aftersales.tickets.models import Attachment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
RECEIVED = dt.datetime(2026, 3, 31, 23, 30, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def caller():
    """A contact whose phone is also the fax machine of the customer's machine room."""
    site = SiteFactory(name="滨江机房")
    return ContactFactory(customer=site.customer, site=site, name="王建国", phone="+861062908622")


def register(actor, **overrides):
    arguments = {
        "actor": actor,
        "file_name": "scan.pdf",
        "content": PDF,
        "content_type": "application/pdf",
        "fax_number": "010-62908622",
        "received_at": RECEIVED,
        "summary": "核心交换机端口故障\n请派工程师到场",
    }
    return fax_register(**{**arguments, **overrides})


def test_a_pdf_from_a_contacts_number_becomes_a_fax_ticket_with_the_scan_attached(agent, caller):
    recipient = UserFactory(role=Role.ENGINEER)

    receipt = register(agent, recipient=recipient)

    ticket = receipt.ticket
    assert receipt.number == "FX2026030001"  # numbered in the month it arrived in Beijing
    assert (receipt.fax_number, receipt.fax_number_e164) == ("010-62908622", "+861062908622")
    assert (receipt.customer, receipt.recipient, receipt.registered_by) == (caller.customer, recipient, agent)
    assert receipt.waiting_reason == ""
    assert (receipt.content_type, receipt.file_name, receipt.size) == ("application/pdf", "scan.pdf", len(PDF))
    assert receipt.file.read() == PDF
    assert ticket.channel == Channel.FAX
    assert (ticket.customer, ticket.site) == (caller.customer, caller.site)
    assert (ticket.contact_name, str(ticket.contact_phone)) == ("王建国", "+861062908622")
    assert ticket.title == "核心交换机端口故障"
    assert ticket.description == "核心交换机端口故障\n请派工程师到场"
    assert ticket.received_at == RECEIVED
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.name, attachment.content_type, attachment.is_public) == ("scan.pdf", "application/pdf", True)
    assert attachment.file.read() == PDF
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "data__fax_receipt"))
    assert kinds == [(EventKind.CREATED, None), (EventKind.ATTACHMENT_ADDED, None), (EventKind.UPDATED, receipt.pk)]


def test_a_tiff_is_accepted_and_named_for_what_it_is(agent, caller):
    scan = tiff()

    receipt = register(agent, file_name="传真0001", content=scan, content_type="application/octet-stream")

    assert (receipt.content_type, receipt.file_name) == ("image/tiff", "传真0001.tif")
    assert Attachment.objects.get(ticket=receipt.ticket).content_type == "image/tiff"


def test_register_numbers_are_consecutive_per_month(agent, caller):
    first = register(agent)
    second = register(agent)
    april = register(agent, received_at=RECEIVED + dt.timedelta(hours=1))  # 00:30 on 1 April in Beijing

    assert [first.number, second.number, april.number] == ["FX2026030001", "FX2026030002", "FX2026040001"]


@pytest.mark.parametrize(
    ("file_name", "content"),
    [("fax.pdf", EXE), ("fax.tif", b"GIF89a" + b"\x00" * 20), ("fax.pdf", b"")],
    ids=["renamed-exe", "gif-named-tif", "empty"],
)
def test_anything_but_a_pdf_or_tiff_is_refused_and_nothing_is_saved(agent, caller, file_name, content):
    with pytest.raises(ValidationFailed) as refused:
        register(agent, file_name=file_name, content=content, content_type="application/pdf")

    assert list(refused.value.detail) == ["file"]
    assert not FaxReceipt.objects.exists()
    assert not Ticket.objects.exists()


def test_a_scan_over_the_size_limit_is_refused(agent, caller, settings):
    settings.ATTACHMENT_MAX_BYTES = len(PDF) - 1

    with pytest.raises(ValidationFailed) as refused:
        register(agent)

    assert refused.value.detail == {"file": ["The file is larger than 0 MB."]}
    assert not FaxReceipt.objects.exists()


def test_a_future_time_received_is_refused(agent, caller):
    with pytest.raises(ValidationFailed) as refused:
        register(agent, received_at=timezone.now() + dt.timedelta(minutes=5))

    assert list(refused.value.detail) == ["received_at"]
    assert not FaxReceipt.objects.exists()


def test_the_customer_given_wins_over_the_fax_number(agent, caller):
    other = CustomerFactory(phone="+8657188886666")

    receipt = register(agent, customer=other)

    assert receipt.ticket.customer == other
    # No contact of that customer has the number: the organisation and the fax number stand in for the caller.
    assert (receipt.ticket.contact_name, str(receipt.ticket.contact_phone)) == (other.name, "+861062908622")


def test_a_customers_own_number_matches_when_no_contact_has_it(agent):
    customer = CustomerFactory(phone="+8657188886666")

    receipt = register(agent, fax_number="0571 8888 6666")

    assert receipt.ticket.customer == customer


def test_an_unknown_number_waits_for_an_agent_without_a_ticket(agent, caller):
    receipt = register(agent, fax_number="0755-12345678")

    assert (receipt.ticket, receipt.customer, receipt.waiting_reason) == (None, None, WaitingReason.UNKNOWN_SENDER)
    assert receipt.is_waiting
    assert not Ticket.objects.exists()


def test_an_unreadable_number_waits_too(agent, caller):
    receipt = register(agent, fax_number="anonymous")

    assert (receipt.fax_number, receipt.fax_number_e164, receipt.waiting_reason) == (
        "anonymous",
        "",
        WaitingReason.UNKNOWN_SENDER,
    )


def test_a_number_shared_by_two_customers_waits(agent, caller):
    ContactFactory(phone="+861062908622")  # another customer's contact

    receipt = register(agent)

    assert (receipt.ticket, receipt.customer, receipt.waiting_reason) == (None, None, WaitingReason.AMBIGUOUS_SENDER)


def test_the_system_user_registers_but_its_faxes_wait_for_an_agent_with_the_customer_proposed(caller):
    gateway = system_user()
    assert not gateway.has_perm("tickets.log_ticket")  # inactive: it may not log tickets itself

    receipt = register(gateway)

    assert (receipt.ticket, receipt.customer, receipt.waiting_reason) == (
        None,
        caller.customer,
        WaitingReason.NEEDS_AGENT,
    )
    assert receipt.registered_by == gateway
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.QUALITY, Role.CUSTOMER])
def test_people_who_do_not_log_requests_cannot_register_faxes(caller, role):
    user = UserFactory(role=role, customer=caller.customer if role == Role.CUSTOMER else None)

    with pytest.raises(NotFound if role == Role.CUSTOMER else PermissionDenied):
        register(user)

    assert not FaxReceipt.objects.exists()


def test_an_inactive_recipient_is_refused(agent, caller):
    with pytest.raises(ValidationFailed) as refused:
        register(agent, recipient=UserFactory(role=Role.ENGINEER, is_active=False))

    assert list(refused.value.detail) == ["recipient"]
    assert not FaxReceipt.objects.exists()


def test_an_agent_files_a_waiting_fax_and_the_number_is_remembered_for_next_time(agent):
    customer = CustomerFactory()
    waiting = register(agent, fax_number="0755-12345678", summary="")

    ticket = fax_assign(
        actor=agent,
        receipt=waiting,
        customer=customer,
        contact_name="李四",
        contact_phone="+8613912345678",
        title="打印机卡纸",
    )

    waiting.refresh_from_db()
    assert (waiting.ticket, waiting.customer, waiting.assigned_by, waiting.waiting_reason) == (
        ticket,
        customer,
        agent,
        "",
    )
    assert waiting.summary == "打印机卡纸"
    assert (ticket.title, ticket.contact_name, ticket.channel, ticket.received_at) == (
        "打印机卡纸",
        "李四",
        Channel.FAX,
        RECEIVED,
    )
    assert Attachment.objects.get(ticket=ticket).file.read() == PDF
    assert FaxSender.objects.get(number="+8675512345678").customer == customer

    later = register(agent, fax_number="0755 1234 5678")
    assert later.ticket.customer == customer


def test_a_filed_or_set_aside_fax_cannot_be_filed_again(agent, caller):
    filed = register(agent)
    set_aside = register(agent, fax_number="")
    fax_dismiss(actor=agent, receipt=set_aside, reason="广告传真")

    for receipt in (filed, set_aside):
        with pytest.raises(InvalidTransition):
            fax_assign(
                actor=agent,
                receipt=receipt,
                customer=caller.customer,
                contact_name="王",
                contact_phone="+8613912345678",
            )
    assert Ticket.objects.count() == 1
    set_aside.refresh_from_db()
    assert (set_aside.dismissed_by, set_aside.dismiss_reason, set_aside.is_waiting) == (agent, "广告传真", False)


def test_setting_aside_needs_a_reason(agent):
    waiting = register(agent, fax_number="")

    with pytest.raises(ValidationFailed):
        fax_dismiss(actor=agent, receipt=waiting, reason="  ")

    waiting.refresh_from_db()
    assert waiting.dismissed_at is None
