"""visible_to(user) on every tenant-owned model: customers see their own rows, staff all, others none.

It lives with tickets, the highest domain app, because it needs every app's factories (core may import none).
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.assets.models import Asset
from aftersales.assets.tests.factories import AssetFactory
from aftersales.contracts.models import Contract
from aftersales.contracts.tests.factories import ContractFactory
from aftersales.customers.models import Contact, Customer, Site
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory, SiteFactory
from aftersales.tickets.models import Attachment, Comment, Ticket, TicketEvent
from aftersales.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def event_for(customer):
    ticket = TicketFactory(customer=customer)
    return TicketEvent.objects.create(ticket=ticket, actor=ticket.created_by, kind="created", at=ticket.received_at)


def comment_for(customer):
    ticket = TicketFactory(customer=customer)
    return Comment.objects.create(ticket=ticket, author=ticket.created_by, body="已处理")


def attachment_for(customer):
    ticket = TicketFactory(customer=customer)
    return Attachment.objects.create(
        ticket=ticket, uploaded_by=ticket.created_by, file="tickets/x.pdf", name="x.pdf", content_type="a", size=1
    )


# model, and how to make one row owned by a given customer
OWNED = [
    pytest.param(Customer, lambda customer: customer, id="customer"),
    pytest.param(Site, lambda customer: SiteFactory(customer=customer), id="site"),
    pytest.param(Contact, lambda customer: ContactFactory(customer=customer), id="contact"),
    pytest.param(Contract, lambda customer: ContractFactory(customer=customer), id="contract"),
    pytest.param(Asset, lambda customer: AssetFactory(site=SiteFactory(customer=customer)), id="asset"),
    pytest.param(Ticket, lambda customer: TicketFactory(customer=customer), id="ticket"),
    pytest.param(TicketEvent, event_for, id="ticket-event"),
    pytest.param(Comment, comment_for, id="comment"),
    pytest.param(Attachment, attachment_for, id="attachment"),
]


def customer_user_without_customer(own):
    # The database refuses to store a customer user without a customer, so take one away in memory.
    user = UserFactory(role=Role.CUSTOMER, customer=own)
    user.customer = None
    return user


@pytest.fixture
def customers():
    return CustomerFactory(), CustomerFactory()


@pytest.mark.parametrize(("model", "make"), OWNED)
def test_customer_user_sees_only_own_customers_rows(model, make, customers):
    own, other = customers
    mine = {make(own).pk, make(own).pk}
    make(other)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=own)

    visible = set(model.objects.visible_to(customer_user).values_list("pk", flat=True))

    assert visible == ({own.pk} if model is Customer else mine)


@pytest.mark.parametrize("role", [Role.AGENT, Role.ENGINEER, Role.PARTS_KEEPER, Role.ARCHIVIST])
@pytest.mark.parametrize(("model", "make"), OWNED)
def test_staff_see_every_customers_rows(model, make, role, customers):
    rows = {make(customer).pk for customer in customers}
    staff = UserFactory(role=role)

    assert set(model.objects.visible_to(staff).values_list("pk", flat=True)) == rows


@pytest.mark.parametrize(
    "user",
    [
        pytest.param(
            lambda own: UserFactory(role=Role.CUSTOMER, customer=own, is_active=False), id="inactive-customer"
        ),
        pytest.param(lambda own: UserFactory(role=Role.ADMIN, is_active=False), id="inactive-admin"),
        pytest.param(lambda own: AnonymousUser(), id="anonymous"),
        pytest.param(customer_user_without_customer, id="customer-user-without-customer"),
    ],
)
@pytest.mark.parametrize(("model", "make"), OWNED)
def test_users_without_a_scope_see_nothing(model, make, user, customers):
    own, other = customers
    make(own)
    make(other)

    assert list(model.objects.visible_to(user(own))) == []


@pytest.mark.parametrize(("model", "make"), OWNED)
def test_no_user_sees_nothing(model, make, customers):
    make(customers[0])

    assert list(model.objects.visible_to(None)) == []


@pytest.mark.parametrize("model", [Comment, Attachment])
def test_internal_comments_and_attachments_are_for_staff_only(model, customers):
    own = customers[0]
    public = (comment_for if model is Comment else attachment_for)(own)
    internal = (comment_for if model is Comment else attachment_for)(own)
    model.objects.filter(pk=internal.pk).update(is_public=False)
    customer_user = UserFactory(role=Role.CUSTOMER, customer=own)

    assert list(model.objects.visible_to(customer_user)) == [public]
    assert list(model.objects.visible_to(UserFactory(role=Role.ENGINEER))) == [public, internal]


def test_ticket_open_narrows_a_visible_queryset(customers):
    own, other = customers
    open_ticket = TicketFactory(customer=own, status="in_progress")
    TicketFactory(customer=own, status="closed")
    TicketFactory(customer=other, status="new")
    customer_user = UserFactory(role=Role.CUSTOMER, customer=own)

    assert list(Ticket.objects.visible_to(customer_user).open()) == [open_ticket]
