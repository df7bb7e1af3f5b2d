import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.customers.tests.factories import CustomerFactory, SiteFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_as():
    """`api_as(user)` is an APIClient signed in as that user (None: anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def customer1(db):
    return CustomerFactory(code="customer1", name="杭州市公积金中心")


@pytest.fixture
def customer2(db):
    return CustomerFactory(code="customer2", name="宁波市档案馆")


@pytest.fixture
def site1(customer1):
    return SiteFactory(customer=customer1, name="一号机房")


@pytest.fixture
def site2(customer2):
    return SiteFactory(customer=customer2, name="二号机房")


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", role=Role.ADMIN)


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.AGENT)


@pytest.fixture
def engineer(db):
    return UserFactory(username="engineer", role=Role.ENGINEER)


@pytest.fixture
def customer_user1(customer1):
    return UserFactory(username="customer1", role=Role.CUSTOMER, customer=customer1)


@pytest.fixture
def customer_user2(customer2):
    return UserFactory(username="customer2", role=Role.CUSTOMER, customer=customer2)
