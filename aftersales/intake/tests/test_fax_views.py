"""The fax pages: upload, the monthly register, the waiting list, one fax with its filing and the scan."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory, SiteFactory
from aftersales.intake.fax import fax_register
from aftersales.intake.models import FaxReceipt, FaxSender
from aftersales.intake.tests.samples import EXE, PDF, tiff
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
EN = {"accept-language": "en"}


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


@pytest.fixture
def caller():
    site = SiteFactory(name="滨江机房")
    return ContactFactory(customer=site.customer, site=site, name="王建国", phone="+861062908622")


def upload(client, *, name="scan.pdf", content=PDF, fax_number="010-62908622", **fields):
    data = {
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        "fax_number": fax_number,
        "received_at": "2026-03-02T09:30",
        "summary": "核心交换机端口故障",
        **fields,
    }
    return client.post(reverse("fax_upload"), data, headers=EN)


def receipt_at(actor, day: int, *, fax_number="010-62908622", summary="故障", month=3):
    return fax_register(
        actor=actor,
        file_name="scan.pdf",
        content=PDF,
        content_type="application/pdf",
        fax_number=fax_number,
        received_at=dt.datetime(2026, month, day, 9, 0, tzinfo=BEIJING),
        summary=summary,
    )


def test_an_agent_uploads_a_fax_and_it_becomes_a_ticket(client, agent, caller):
    recipient = UserFactory(role=Role.ENGINEER)
    client.force_login(agent)

    response = upload(client, recipient=recipient.pk)

    receipt = FaxReceipt.objects.get()
    assert response.status_code == 302
    assert response.url == receipt.get_absolute_url()
    assert (receipt.ticket.channel, receipt.ticket.customer, receipt.recipient) == (
        Channel.FAX,
        caller.customer,
        recipient,
    )
    assert receipt.received_at == dt.datetime(2026, 3, 2, 9, 30, tzinfo=BEIJING)
    page = client.get(response.url, headers=EN).content.decode()
    assert f"Fax {receipt.number} was registered as ticket {receipt.ticket.number}." in page


def test_a_tiff_upload_is_accepted(client, agent, caller):
    client.force_login(agent)

    upload(client, name="fax.tiff", content=tiff())

    assert Attachment.objects.get().content_type == "image/tiff"


def test_a_renamed_program_is_refused_on_the_form_and_nothing_is_saved(client, agent, caller):
    client.force_login(agent)

    response = upload(client, name="invoice.pdf", content=EXE)

    assert response.status_code == 200
    assert "A fax must be a PDF or TIFF scan." in response.content.decode()
    assert not FaxReceipt.objects.exists()
    assert not Ticket.objects.exists()


def test_an_upload_from_an_unknown_number_waits_and_the_page_says_why(client, agent):
    client.force_login(agent)

    response = upload(client, fax_number="0755 1234 5678")

    page = client.get(response.url, headers=EN).content.decode()
    assert "waits for an agent: No customer has this fax number." in page
    assert 'data-testid="fax-assign-form"' in page


def test_the_register_lists_one_month_oldest_first_with_filters(client, agent, caller):
    other = CustomerFactory(phone="+8657188886666")
    first = receipt_at(agent, 2)
    second = receipt_at(agent, 20, fax_number="0571-88886666", summary="打印机卡纸")
    waiting = receipt_at(agent, 21, fax_number="0755-12345678")
    receipt_at(agent, 1, month=4)
    client.force_login(agent)

    def numbers(**params):
        page = client.get(reverse("fax_register"), {"month": "2026-03", **params}).content.decode()
        return [n for n in FaxReceipt.objects.order_by("received_at").values_list("number", flat=True) if n in page]

    assert numbers() == [first.number, second.number, waiting.number]
    assert numbers(customer=other.pk) == [second.number]
    assert numbers(state="waiting") == [waiting.number]
    assert numbers(state="ticket") == [first.number, second.number]
    assert numbers(q="打印机") == [second.number]
    assert numbers(month="2026-04") == [FaxReceipt.objects.get(received_at__month=4).number]


def test_the_register_is_printable_and_links_the_neighbouring_months_with_the_filters(client, agent):
    client.force_login(agent)

    page = client.get(reverse("fax_register"), {"month": "2026-01", "state": "waiting"}).content.decode()

    assert "data-print" in page
    assert "?month=2025-12&amp;state=waiting" in page
    assert "?month=2026-02&amp;state=waiting" in page


def test_a_bad_month_shows_this_month(client, agent):
    client.force_login(agent)

    response = client.get(reverse("fax_register"), {"month": "2026-13"})

    assert response.status_code == 200


def test_the_register_has_a_fixed_number_of_queries(client, agent, caller, django_assert_num_queries):
    for day in range(1, 6):
        receipt_at(agent, day)
    client.force_login(agent)
    client.get(reverse("fax_register"), {"month": "2026-03"})

    # session, user, permissions (user's, groups'), the month's faxes with customer, recipient, ticket and
    # registrar joined, the unread-notification badge, the filter's customers (counted, then listed)
    with django_assert_num_queries(8):
        response = client.get(reverse("fax_register"), {"month": "2026-03"})

    assert response.content.decode().count('data-testid="fax-row"') == 5


def test_the_waiting_list_and_filing_a_fax_from_its_page(client, agent):
    customer = CustomerFactory()
    waiting = receipt_at(agent, 2, fax_number="0755-12345678")
    client.force_login(agent)

    listed = client.get(reverse("fax_waiting")).content.decode()
    response = client.post(
        reverse("fax_assign", args=[waiting.pk]),
        {
            "customer": customer.pk,
            "contact_name": "李四",
            "contact_phone": "13912345678",
            "title": "打印机卡纸",
            "kind": "general_fault",
            "remember_number": "on",
        },
    )

    assert waiting.number in listed
    waiting.refresh_from_db()
    assert response.url == waiting.ticket.get_absolute_url()
    assert (waiting.ticket.customer, waiting.ticket.title) == (customer, "打印机卡纸")
    assert FaxSender.objects.get(number="+8675512345678").customer == customer
    assert waiting.number not in client.get(reverse("fax_waiting")).content.decode()


def test_filing_with_bad_input_keeps_the_form_and_saves_nothing(client, agent):
    waiting = receipt_at(agent, 2, fax_number="0755-12345678")
    client.force_login(agent)

    response = client.post(
        reverse("fax_assign", args=[waiting.pk]),
        {"customer": CustomerFactory().pk, "contact_name": "李四", "contact_phone": "123", "kind": "general_fault"},
        headers=EN,
    )

    assert response.status_code == 200
    assert 'data-field-error="contact_phone"' in response.content.decode()
    waiting.refresh_from_db()
    assert (waiting.ticket, waiting.customer) == (None, None)


def test_setting_a_fax_aside(client, agent):
    waiting = receipt_at(agent, 2, fax_number="")
    client.force_login(agent)

    client.post(reverse("fax_dismiss", args=[waiting.pk]), {"reason": "广告"})

    waiting.refresh_from_db()
    assert (waiting.dismiss_reason, waiting.dismissed_by) == ("广告", agent)


def test_the_scan_is_served_as_a_download_to_staff(client, agent, caller):
    receipt = receipt_at(agent, 2)
    client.force_login(UserFactory(role=Role.ENGINEER))

    response = client.get(reverse("fax_file", args=[receipt.pk]))

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_an_engineer_reads_the_register_but_cannot_upload_file_or_set_aside(client, agent):
    waiting = receipt_at(agent, 2, fax_number="")
    client.force_login(UserFactory(role=Role.ENGINEER))

    reads = [reverse("fax_register"), reverse("fax_waiting"), reverse("fax_detail", args=[waiting.pk])]
    assert [client.get(url).status_code for url in reads] == [200, 200, 200]
    assert 'data-testid="fax-assign-form"' not in client.get(reads[2]).content.decode()
    assert client.get(reverse("fax_upload")).status_code == 404
    assert client.post(reverse("fax_dismiss", args=[waiting.pk]), {"reason": "x"}).status_code == 404
    waiting.refresh_from_db()
    assert waiting.is_waiting


def test_customers_reach_none_of_the_fax_pages_and_nothing_changes(client, agent, caller):
    filed = receipt_at(agent, 2)
    waiting = receipt_at(agent, 3, fax_number="")
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=caller.customer))

    gets = [
        reverse("fax_register"),
        reverse("fax_upload"),
        reverse("fax_waiting"),
        reverse("fax_detail", args=[filed.pk]),
        reverse("fax_file", args=[filed.pk]),
    ]
    posts = [
        (reverse("fax_upload"), {"file": SimpleUploadedFile("a.pdf", PDF), "received_at": "2026-03-02T09:30"}),
        (
            reverse("fax_assign", args=[waiting.pk]),
            {"customer": caller.customer.pk, "contact_name": "x", "contact_phone": "13912345678"},
        ),
        (reverse("fax_dismiss", args=[waiting.pk]), {"reason": "x"}),
    ]

    assert [client.get(url).status_code for url in gets] == [404] * 5
    assert [client.post(url, data).status_code for url, data in posts] == [404] * 3
    assert FaxReceipt.objects.count() == 2
    waiting.refresh_from_db()
    assert waiting.is_waiting
    assert Ticket.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("fax_register"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
