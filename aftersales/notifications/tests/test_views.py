"""The bell, the notifications page and the preference page: each user sees and changes only their own."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.notifications.models import InAppNotification, NotificationPreference
from aftersales.notifications.services import language_for
from aftersales.notifications.tests.factories import InAppNotificationFactory, NotificationPreferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer(client):
    user = UserFactory(role=Role.ENGINEER)
    client.force_login(user)
    return user


def bell_count(response) -> int:
    return int(re.search(r'data-testid="notification-bell" data-unread="(\d+)"', response.content.decode()).group(1))


def test_the_bell_counts_the_users_own_unread_notifications(client, engineer):
    InAppNotificationFactory.create_batch(3, user=engineer)
    InAppNotificationFactory(user=engineer, read_at=timezone.now())
    InAppNotificationFactory.create_batch(2)  # someone else's
    response = client.get(reverse("notification_preferences"))
    assert bell_count(response) == 3
    assert "badge-notification" in response.content.decode()


def test_the_bell_costs_one_query_and_none_for_anonymous_pages(client, engineer, django_assert_num_queries):
    InAppNotificationFactory(user=engineer)
    with django_assert_num_queries(4):  # session, user, preference (none yet), unread count
        client.get(reverse("notification_preferences"))
    client.logout()
    with django_assert_num_queries(0):
        page = client.get(reverse("login"))
    assert "notification-bell" not in page.content.decode()


def test_the_page_lists_only_the_users_own_notifications_newest_first(client, engineer):
    older = InAppNotificationFactory(
        user=engineer, title="较早的通知", created_at=timezone.now() - dt.timedelta(hours=1)
    )
    newer = InAppNotificationFactory(user=engineer, title="较新的通知<script>")
    InAppNotificationFactory(title="别人的通知")

    body = client.get(reverse("notification_list")).content.decode()

    assert body.index("较新的通知&lt;script&gt;") < body.index(older.title)
    assert "别人的通知" not in body
    assert f'action="{reverse("notification_open", args=[newer.pk])}"' in body


def test_the_page_is_paginated_and_says_so_when_there_is_nothing(client, engineer):
    assert 'data-testid="no-notifications"' in client.get(reverse("notification_list")).content.decode()
    InAppNotificationFactory.create_batch(21, user=engineer)
    first = client.get(reverse("notification_list"))
    second = client.get(reverse("notification_list"), {"page": "2"})
    assert len(first.context["page"].object_list) == 20 and len(second.context["page"].object_list) == 1
    assert client.get(reverse("notification_list"), {"page": "²"}).status_code == 200
    assert client.get(reverse("notification_list"), {"page": "9" * 30}).context["page"].number == 2


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, engineer):
    notification = InAppNotificationFactory(user=engineer, url="/tickets/7/")
    response = client.post(reverse("notification_open", args=[notification.pk]))
    notification.refresh_from_db()
    assert (response.status_code, response.url) == (302, "/tickets/7/")
    assert notification.read_at is not None


def test_a_link_to_another_site_is_not_followed(client, engineer, settings):
    settings.AFTERSALES_BASE_URL = "https://aftersales.example.com"
    outside = InAppNotificationFactory(user=engineer, url="https://evil.example.net/phish")
    inside = InAppNotificationFactory(user=engineer, url="https://aftersales.example.com/tickets/7/")
    assert client.post(reverse("notification_open", args=[outside.pk])).url == reverse("notification_list")
    assert (
        client.post(reverse("notification_open", args=[inside.pk])).url == "https://aftersales.example.com/tickets/7/"
    )


def test_someone_elses_notification_is_a_404_and_stays_unread(client, engineer):
    theirs = InAppNotificationFactory()
    assert client.post(reverse("notification_open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notification_open", args=[987654321])).status_code == 404
    assert client.get(reverse("notification_open", args=[theirs.pk])).status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_the_users_own(client, engineer):
    InAppNotificationFactory.create_batch(2, user=engineer)
    theirs = InAppNotificationFactory()
    assert client.get(reverse("notification_read_all")).status_code == 405
    response = client.post(reverse("notification_read_all"))
    assert response.status_code == 302
    assert not InAppNotification.objects.filter(user=engineer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_needs_the_csrf_token(engineer):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(engineer)
    InAppNotificationFactory(user=engineer)
    assert csrf_client.post(reverse("notification_read_all")).status_code == 403
    assert InAppNotification.objects.filter(read_at__isnull=True).count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (reverse("notification_list"), reverse("notification_preferences")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_reading_the_preference_page_writes_nothing_and_saving_it_does(client, engineer):
    assert client.get(reverse("notification_preferences")).status_code == 200
    assert not NotificationPreference.objects.exists()

    response = client.post(
        reverse("notification_preferences"),
        {"language": "en", "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
    )

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=engineer)
    assert (preference.language, preference.quiet_hours_start, preference.quiet_hours_end) == (
        "en",
        dt.time(22),
        dt.time(7),
    )
    assert language_for(engineer.pk) == "en"
    assert 'value="22:00"' in client.get(reverse("notification_preferences")).content.decode()


def test_half_quiet_hours_are_refused_with_a_message(client, engineer):
    NotificationPreferenceFactory(user=engineer, language="zh-hans")
    response = client.post(reverse("notification_preferences"), {"language": "en", "quiet_hours_start": "22:00"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert NotificationPreference.objects.get(user=engineer).language == "zh-hans"


def test_language_for_defaults_to_the_installation_language(settings):
    assert language_for(None) == settings.LANGUAGE_CODE == "zh-hans"
    assert language_for(UserFactory().pk) == "zh-hans"
