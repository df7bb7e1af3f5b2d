"""Ticket reads: scoped to the user, with what a customer may see of the timeline, in a fixed number of queries."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.tests.factories import AssetFactory
from aftersales.customers.tests.factories import CustomerFactory
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import ticket_detail, ticket_list
from aftersales.tickets.services import attachment_add, comment_add, ticket_assign
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_list_is_scoped_and_ordered_by_priority_then_age():
    customer = CustomerFactory()
    now = timezone.now()
    older_p3 = TicketFactory(customer=customer, priority=3, received_at=now - dt.timedelta(hours=2))
    newer_p3 = TicketFactory(customer=customer, priority=3, received_at=now - dt.timedelta(hours=1))
    p1 = TicketFactory(customer=customer, priority=1, received_at=now)
    foreign = TicketFactory(priority=1)

    as_customer = list(ticket_list(user=UserFactory(role=Role.CUSTOMER, customer=customer)))
    as_agent = list(ticket_list(user=UserFactory(role=Role.AGENT)))

    assert as_customer == [p1, older_p3, newer_p3]
    assert as_agent == [p1, foreign, older_p3, newer_p3] or as_agent == [foreign, p1, older_p3, newer_p3]
    assert as_agent.index(foreign) < as_agent.index(older_p3)


def test_list_ties_are_broken_by_id():
    received_at = timezone.now()
    tickets = [TicketFactory(priority=2, received_at=received_at) for _ in range(3)]

    assert list(ticket_list(user=UserFactory(role=Role.AGENT))) == tickets


def test_list_reads_customers_and_assignees_in_one_query(django_assert_num_queries):
    engineer = UserFactory(role=Role.ENGINEER, first_name="工", last_name="程")
    for _ in range(5):
        TicketFactory(assignee=engineer)
    TicketFactory()
    agent = UserFactory(role=Role.AGENT)

    with django_assert_num_queries(1):
        rows = [(t.number, t.customer.name, t.assignee and t.assignee.get_full_name()) for t in ticket_list(user=agent)]

    assert len(rows) == 6
    assert sum(1 for row in rows if row[2] == engineer.get_full_name()) == 5


def test_list_for_anonymous_or_inactive_is_empty():
    ticket = TicketFactory()
    inactive = UserFactory(role=Role.CUSTOMER, customer=ticket.customer, is_active=False)

    assert list(ticket_list(user=inactive)) == []


def test_detail_of_another_customers_ticket_does_not_exist():
    foreign = TicketFactory()
    customer_user = UserFactory(role=Role.CUSTOMER, customer=CustomerFactory())

    with pytest.raises(Ticket.DoesNotExist):
        ticket_detail(user=customer_user, ticket_id=foreign.pk)


@pytest.fixture
def ticket_with_internal_work():
    """A ticket with a public reply, an internal note, a public and an internal attachment, and an assignment."""
    ticket = TicketFactory()
    ticket.assets.set([AssetFactory(customer=ticket.customer, site__customer=ticket.customer)])
    engineer = UserFactory(role=Role.ENGINEER)
    ticket_assign(actor=UserFactory(role=Role.DISPATCHER), ticket=ticket, assignee=engineer, version=1)
    reply = comment_add(actor=engineer, ticket=ticket, body="已安排上门。")
    note = comment_add(actor=engineer, ticket=ticket, body="疑似批次问题，勿告知客户。", is_public=False)
    shown = attachment_add(actor=engineer, ticket=ticket, upload=SimpleUploadedFile("报告.pdf", b"%PDF"))
    hidden = attachment_add(
        actor=engineer, ticket=ticket, upload=SimpleUploadedFile("内部分析.pdf", b"%PDF"), is_public=False
    )
    return ticket, {"reply": reply, "note": note, "shown": shown, "hidden": hidden}


def test_detail_shows_staff_everything(ticket_with_internal_work):
    ticket, rows = ticket_with_internal_work

    detail = ticket_detail(user=UserFactory(role=Role.AGENT), ticket_id=ticket.pk)

    assert list(detail.comments.all()) == [rows["reply"], rows["note"]]
    assert list(detail.attachments.all()) == [rows["shown"], rows["hidden"]]
    assert [event.kind for event in detail.events.all()] == [
        EventKind.ASSIGNED,
        EventKind.COMMENTED,
        EventKind.COMMENTED,
        EventKind.ATTACHMENT_ADDED,
        EventKind.ATTACHMENT_ADDED,
    ]


def test_detail_hides_internal_notes_attachments_and_their_events_from_the_customer(ticket_with_internal_work):
    ticket, rows = ticket_with_internal_work
    customer_user = UserFactory(role=Role.CUSTOMER, customer=ticket.customer)

    detail = ticket_detail(user=customer_user, ticket_id=ticket.pk)

    assert list(detail.comments.all()) == [rows["reply"]]
    assert list(detail.attachments.all()) == [rows["shown"]]
    assert [(event.kind, event.data) for event in detail.events.all()] == [
        (EventKind.ASSIGNED, ticket.events.first().data),
        (EventKind.COMMENTED, {"comment": rows["reply"].pk, "public": True, "responds": True}),
        (EventKind.ATTACHMENT_ADDED, {"attachment": rows["shown"].pk, "name": "报告.pdf", "public": True}),
    ]


def test_detail_query_count_does_not_grow_with_the_timeline(django_assert_num_queries, ticket_with_internal_work):
    ticket, _rows = ticket_with_internal_work
    agent = UserFactory(role=Role.AGENT)
    agent.get_all_permissions()  # the permission cache is the user's, not the page's

    with django_assert_num_queries(7):
        detail = ticket_detail(user=agent, ticket_id=ticket.pk)
        [event.actor.username for event in detail.events.all()]
        [comment.author.username for comment in detail.comments.all()]
        [attachment.uploaded_by.username for attachment in detail.attachments.all()]
        [str(asset) for asset in detail.assets.all()]
        _ = (detail.customer.name, detail.site, detail.assignee.username, detail.created_by.username)
