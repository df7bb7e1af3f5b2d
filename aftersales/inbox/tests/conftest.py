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


IMAP_USER = "support@service.example.com"
IMAP_PASSWORD = "dovecot-pass-1"


@pytest.fixture(scope="session")
def dovecot():
    """A real Dovecot (IMAPS, self-signed CA) for the whole session; skipped where Dovecot is not installed."""
    from aftersales.inbox.tests.dovecot import DOVECOT, dovecot_available, start_dovecot

    if not dovecot_available():
        pytest.skip(f"Dovecot is not installed ({DOVECOT}): apt-get install dovecot-imapd to run the IMAP tests")
    server = start_dovecot({IMAP_USER: IMAP_PASSWORD, "other@service.example.com": "dovecot-pass-2"})
    yield server
    server.stop()


@pytest.fixture
def imap_mailbox(dovecot, agent):
    """A mailbox on the Dovecot server with an empty INBOX, trusting the server's private CA."""
    from aftersales.inbox.tests.factories import MailboxFactory

    dovecot.clear(IMAP_USER)
    return MailboxFactory(
        owner=agent,
        address=IMAP_USER,
        host=dovecot.host,
        port=dovecot.port,
        username=IMAP_USER,
        password=IMAP_PASSWORD,
        ca_certificate=dovecot.ca_pem,
    )
