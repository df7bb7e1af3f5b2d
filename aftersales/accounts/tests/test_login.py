import pytest
from django.urls import reverse

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_the_right_password_opens_the_queue(client):
    UserFactory(username="agent", role=Role.AGENT)
    response = client.post(reverse("login"), {"username": "agent", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("ticket_list")


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, settings):
    UserFactory(username="agent", role=Role.AGENT)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "agent", "password": PASSWORD})
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_send_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("ticket_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_chinese_names_read_family_name_first():
    assert str(UserFactory.build(first_name="娜", last_name="李")) == "李娜"
    assert str(UserFactory.build(first_name="Ada", last_name="Lovelace")) == "Ada Lovelace"
