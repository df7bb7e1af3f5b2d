import pytest
from django.utils import translation

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import ContactFactory, CustomerFactory
from aftersales.inbox.tests.factories import MailboxFactory

CONTACT_EMAIL = "zhang.wei@customer.example.cn"


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def agent(db):
    return UserFactory(role=Role.AGENT, first_name="娜", last_name="李")


@pytest.fixture
def customer(db):
    return CustomerFactory(name="杭州市公积金中心", phone="+8657188886666")


@pytest.fixture
def contact(customer):
    return ContactFactory(customer=customer, name="张伟", email=CONTACT_EMAIL, phone="+8613800138001")


@pytest.fixture
def mailbox(agent):
    return MailboxFactory(owner=agent, address="support0@service.example.com")
