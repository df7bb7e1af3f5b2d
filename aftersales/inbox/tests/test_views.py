"""The staff pages: the mail log, mail to sort and its actions, one message and its raw file; nobody else's."""

import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.inbox.choices import Outcome, OutgoingKind
from aftersales.inbox.models import InboundMessage, OutgoingMail
from aftersales.inbox.services import message_ingest
from aftersales.inbox.tests.factories import MailboxFactory
from aftersales.inbox.tests.mails import build
from aftersales.tickets.choices import Channel, Status
from aftersales.tickets.models import Comment, Ticket
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
EN = {"headers": {"accept-language": "en"}}
STRANGER = "陈先生 <chen@unknown.example>"


@pytest.fixture
def to_sort(mailbox):
    inbound = message_ingest(
        mailbox=mailbox,
        raw=build(
            sender=STRANGER,
            subject="打印机卡纸",
            text="三楼打印机一直卡纸。",
            html="<p>三楼打印机<b>一直</b>卡纸。</p><script>alert(1)</script><img src=x onerror=alert(2)>",
            attachments=[("照片.pdf", "application/pdf", b"%PDF-1.4 photo")],
        ),
    )
    assert inbound.outcome == Outcome.TO_SORT
    return inbound


def state(inbound):
    inbound.refresh_from_db()
    return (inbound.outcome, inbound.ticket_id, inbound.handled_by_id, Ticket.objects.count(), Comment.objects.count())


# Who may see -------------------------------------------------------------------------------------


def page_urls(inbound):
    return [
        reverse("inbox_log"),
        reverse("inbox_sort"),
        reverse("inbox_message", args=[inbound.pk]),
        reverse("inbox_message_raw", args=[inbound.pk]),
    ]


def action_urls(inbound):
    return [
        reverse(name, args=[inbound.pk])
        for name in ("inbox_ticket_create", "inbox_attach", "inbox_dismiss", "inbox_reviewed")
    ]


def test_customers_find_no_mail_pages_and_change_nothing(client, to_sort, customer):
    client.force_login(UserFactory(role=Role.CUSTOMER, customer=customer))
    before = state(to_sort)

    for url in page_urls(to_sort):
        assert client.get(url).status_code == 404, url
    for url in action_urls(to_sort):
        assert client.post(url, {"customer": customer.pk, "ticket_number": "x", "public": "on"}).status_code == 404

    assert state(to_sort) == before


def test_anonymous_visitors_are_sent_to_sign_in(client, to_sort):
    for url in page_urls(to_sort) + action_urls(to_sort):
        response = client.get(url) if url in page_urls(to_sort) else client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_an_engineer_reads_mail_but_may_not_sort_it(client, to_sort, customer):
    client.force_login(UserFactory(role=Role.ENGINEER))
    before = state(to_sort)

    for url in page_urls(to_sort):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("inbox_message", args=[to_sort.pk]), **EN).content.decode()
    assert 'data-testid="sort-ticket-form"' not in page
    response = client.post(
        reverse("inbox_ticket_create", args=[to_sort.pk]),
        {"customer": customer.pk, "contact_name": "陈", "contact_phone": "13800138000", "kind": "general_fault"},
    )
    assert response.status_code == 403
    assert client.post(reverse("inbox_attach", args=[to_sort.pk]), {"ticket_number": "SR1"}).status_code == 403
    assert client.post(reverse("inbox_dismiss", args=[to_sort.pk])).status_code == 403

    assert state(to_sort) == before


def test_a_message_id_that_does_not_exist_is_not_found(client, agent):
    client.force_login(agent)

    assert client.get(reverse("inbox_message", args=[999999])).status_code == 404
    assert client.post(reverse("inbox_dismiss", args=[999999])).status_code == 404


# The pages --------------------------------------------------------------------------------------


def test_the_log_lists_mail_per_mailbox_with_a_fixed_number_of_queries(
    client, agent, mailbox, contact, django_assert_num_queries
):
    other = MailboxFactory(address="fax@service.example.com", last_error="host unreachable")
    for number in range(3):
        message_ingest(mailbox=mailbox, raw=build(subject=f"故障{number}"))
    message_ingest(mailbox=other, raw=build(sender=STRANGER, subject="别的邮箱"))
    client.force_login(agent)
    client.get(reverse("inbox_log"))

    # session, user, permissions (user's, groups'), the mailboxes with their teams, the page of mail with
    # mailbox and ticket joined, the unread-notification badge, the filter's mailboxes (counted, then listed)
    with django_assert_num_queries(9):
        response = client.get(reverse("inbox_log"), **EN)

    page = response.content.decode()
    assert page.count('data-testid="inbox-row"') == 4
    assert page.count('data-testid="mailbox"') == 2 and "host unreachable" in page
    for ticket in Ticket.objects.all():
        assert ticket.number in page
    filtered = client.get(reverse("inbox_log"), {"mailbox": other.pk}).content.decode()
    assert filtered.count('data-testid="inbox-row"') == 1 and "别的邮箱" in filtered
    waiting = client.get(reverse("inbox_log"), {"outcome": Outcome.TO_SORT}).content.decode()
    assert waiting.count('data-testid="inbox-row"') == 1


def test_mail_to_sort_lists_only_what_waits_with_a_fixed_number_of_queries(
    client, agent, mailbox, contact, to_sort, django_assert_num_queries
):
    message_ingest(mailbox=mailbox, raw=build())  # a ticket: not waiting
    message_ingest(mailbox=mailbox, raw=build(sender="x@y.example", subject="又一封"))
    client.force_login(agent)
    client.get(reverse("inbox_sort"))

    # session, user, permissions (user's, groups'), the page of waiting mail with mailbox and customer joined,
    # the unread-notification badge
    with django_assert_num_queries(6):
        response = client.get(reverse("inbox_sort"), **EN)

    page = response.content.decode()
    assert page.count('data-testid="sort-row"') == 2
    assert "The sender is not a contact of any customer." in page


def test_a_message_page_shows_the_text_and_only_sanitised_html(client, agent, to_sort):
    client.force_login(agent)

    page = client.get(reverse("inbox_message", args=[to_sort.pk]), **EN).content.decode()

    assert "三楼打印机一直卡纸。" in page and "<b>一直</b>" in page
    assert "<script>alert" not in page and "onerror" not in page
    assert 'data-testid="sort-ticket-form"' in page and 'data-testid="sort-attach-form"' in page


def test_the_raw_message_downloads_as_an_eml_attachment(client, agent, to_sort):
    client.force_login(agent)

    response = client.get(reverse("inbox_message_raw", args=[to_sort.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{to_sort.pk}.eml"'
    with to_sort.raw.open("rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()


# Sorting ----------------------------------------------------------------------------------------


def test_an_agent_opens_a_ticket_from_mail_to_sort(client, agent, to_sort, customer):
    client.force_login(agent)

    response = client.post(
        reverse("inbox_ticket_create", args=[to_sort.pk]),
        {
            "customer": customer.pk,
            "contact_name": "陈先生",
            "contact_phone": "13800138009",
            "title": "三楼打印机卡纸",
            "kind": "service_request",
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert (ticket.customer, ticket.channel, ticket.title, ticket.kind, ticket.created_by) == (
        customer,
        Channel.EMAIL,
        "三楼打印机卡纸",
        "service_request",
        agent,
    )
    assert ticket.description == "三楼打印机一直卡纸。"
    assert ticket.attachments.get().name == "照片.pdf"
    to_sort.refresh_from_db()
    assert (to_sort.outcome, to_sort.ticket, to_sort.handled_by, to_sort.sender_verified) == (
        Outcome.SORTED,
        ticket,
        agent,
        True,
    )
    assert OutgoingMail.objects.get(ticket=ticket).kind == OutgoingKind.ACKNOWLEDGEMENT
    assert OutgoingMail.objects.get(ticket=ticket).recipient == "chen@unknown.example"


def test_a_refused_ticket_shows_the_form_again_and_changes_nothing(client, agent, to_sort):
    client.force_login(agent)
    inactive = CustomerFactory(is_active=False)
    before = state(to_sort)

    response = client.post(
        reverse("inbox_ticket_create", args=[to_sort.pk]),
        {"customer": inactive.pk, "contact_name": "陈", "contact_phone": "13800138009", "kind": "general_fault"},
        **EN,
    )

    assert response.status_code == 400 and 'data-field-error="customer"' in response.content.decode()
    assert state(to_sort) == before


def test_an_agent_adds_mail_to_a_ticket_as_a_public_reply(client, agent, to_sort, customer):
    ticket = TicketFactory(customer=customer, status=Status.IN_PROGRESS)
    client.force_login(agent)

    response = client.post(
        reverse("inbox_attach", args=[to_sort.pk]), {"ticket_number": ticket.number.lower(), "public": "on"}
    )

    assert response.status_code == 302
    comment = Comment.objects.get(ticket=ticket)
    assert comment.is_public and "三楼打印机一直卡纸。" in comment.body
    assert ticket.attachments.get().is_public
    to_sort.refresh_from_db()
    assert (to_sort.outcome, to_sort.ticket, to_sort.comment, to_sort.sender_verified) == (
        Outcome.SORTED,
        ticket,
        comment,
        True,
    )


def test_added_as_an_internal_note_the_sender_gets_no_mail_about_the_ticket(client, agent, to_sort, customer):
    ticket = TicketFactory(customer=customer, status=Status.IN_PROGRESS)
    client.force_login(agent)

    client.post(reverse("inbox_attach", args=[to_sort.pk]), {"ticket_number": ticket.number})

    comment = Comment.objects.get(ticket=ticket)
    to_sort.refresh_from_db()
    assert not comment.is_public and not to_sort.sender_verified


def test_adding_to_a_ticket_that_does_not_exist_says_so(client, agent, to_sort):
    client.force_login(agent)
    before = state(to_sort)

    response = client.post(reverse("inbox_attach", args=[to_sort.pk]), {"ticket_number": "SR209901010001"}, **EN)

    assert response.status_code == 400 and "There is no ticket with this number." in response.content.decode()
    assert state(to_sort) == before


def test_dismissed_mail_leaves_the_list_and_stays_in_the_log(client, agent, to_sort):
    client.force_login(agent)

    response = client.post(reverse("inbox_dismiss", args=[to_sort.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("inbox_sort")
    to_sort.refresh_from_db()
    assert (to_sort.outcome, to_sort.handled_by) == (Outcome.DISMISSED, agent)
    assert 'data-testid="sort-row"' not in client.get(reverse("inbox_sort")).content.decode()
    assert client.post(reverse("inbox_dismiss", args=[to_sort.pk])).status_code == 302  # twice: refused, flashed
    to_sort.refresh_from_db()
    assert to_sort.outcome == Outcome.DISMISSED


def test_a_note_from_an_unknown_sender_is_marked_reviewed(client, agent, mailbox, contact):
    first = message_ingest(mailbox=mailbox, raw=build())
    note = message_ingest(mailbox=mailbox, raw=build(sender=STRANGER, subject=f"Re: [{first.ticket.number}]"))
    assert note.needs_review
    client.force_login(agent)
    assert 'data-testid="review-form"' in client.get(reverse("inbox_message", args=[note.pk])).content.decode()

    client.post(reverse("inbox_reviewed", args=[note.pk]))

    note.refresh_from_db()
    assert (note.needs_review, note.handled_by, note.outcome) == (False, agent, Outcome.NOTE_FOR_REVIEW)
    assert InboundMessage.objects.filter(needs_review=True).count() == 0


# The ticket page's mail card (a template tag the ticket page loads) -------------------------------


def render_card(user, ticket):
    from django.template import Context, Template

    return Template("{% load inbox %}{% ticket_mail_card ticket %}").render(Context({"user": user, "ticket": ticket}))


def test_the_mail_card_shows_staff_the_mail_in_and_out_of_a_ticket(agent, mailbox, contact, customer):
    inbound = message_ingest(mailbox=mailbox, raw=build(subject="主板报警"))

    card = render_card(agent, inbound.ticket)

    assert card.count('data-testid="ticket-mail-received"') == 1 and "主板报警" in card
    assert card.count('data-testid="ticket-mail-sent"') == 1 and "Acknowledgement sent to zhang.wei@" in card
    assert render_card(UserFactory(role=Role.CUSTOMER, customer=customer), inbound.ticket).strip() == ""
    assert render_card(agent, TicketFactory()).strip() == ""
