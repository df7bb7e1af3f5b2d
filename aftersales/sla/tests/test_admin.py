"""The SLA rules in the admin: what an administrator cannot get wrong."""

import pytest

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.sla.models import BusinessCalendar

pytestmark = pytest.mark.django_db

EMPTY_INTERVALS = {
    "intervals-TOTAL_FORMS": "0",
    "intervals-INITIAL_FORMS": "0",
    "intervals-MIN_NUM_FORMS": "0",
    "intervals-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_a_business_hours_calendar_without_working_intervals_is_refused(admin_client):
    response = admin_client.post(
        "/admin/sla/businesscalendar/add/",
        {"name": "空日历", "time_zone": "Asia/Shanghai", "observes_public_holidays": "on", **EMPTY_INTERVALS},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "needs at least one working interval" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="空日历").exists()


def test_a_7x24_calendar_needs_no_intervals_and_an_unknown_time_zone_is_refused(admin_client):
    saved = admin_client.post(
        "/admin/sla/businesscalendar/add/",
        {"name": "全天候", "time_zone": "Asia/Shanghai", "is_24x7": "on", **EMPTY_INTERVALS},
    )
    refused = admin_client.post(
        "/admin/sla/businesscalendar/add/",
        {"name": "火星", "time_zone": "Mars/Olympus", "is_24x7": "on", **EMPTY_INTERVALS},
    )

    assert saved.status_code == 302
    assert BusinessCalendar.objects.get(name="全天候").is_24x7
    assert refused.status_code == 200
    assert not BusinessCalendar.objects.filter(name="火星").exists()
