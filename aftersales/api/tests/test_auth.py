"""POST /api/v1/auth/token/: sign-in for API clients, guarded by django-axes and a throttle."""

import pytest
from axes.models import AccessAttempt
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle

from aftersales.accounts.tests.factories import PASSWORD

URL = "/api/v1/auth/token/"
pytestmark = pytest.mark.django_db


def test_good_credentials_return_the_users_token(api_as, agent):
    response = api_as().post(URL, {"username": "agent", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=agent).key}


def test_the_token_authenticates_later_requests(api_as, agent):
    key = api_as().post(URL, {"username": "agent", "password": PASSWORD}, format="json").json()["token"]
    client = api_as()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert client.get("/api/v1/tickets/").status_code == 200


def test_requests_without_credentials_are_refused(api_as):
    response = api_as().get("/api/v1/tickets/")

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "message", "detail"}


def test_a_wrong_password_is_refused_without_a_token(api_as, agent):
    response = api_as().post(URL, {"username": "agent", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


def test_missing_fields_are_named(api_as):
    response = api_as().post(URL, {}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["detail"]) == {"username", "password"}


def test_an_inactive_user_gets_no_token(api_as, agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    response = api_as().post(URL, {"username": "agent", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert not Token.objects.exists()


def test_the_account_locks_after_the_failure_limit_even_for_the_right_password(api_as, agent, settings):
    client = api_as()
    limit = settings.AXES_FAILURE_LIMIT
    codes = [
        client.post(URL, {"username": "agent", "password": f"wrong{n}"}, format="json").json()["code"]
        for n in range(limit)
    ]

    response = client.post(URL, {"username": "agent", "password": PASSWORD}, format="json")

    assert codes == ["invalid_credentials"] * (limit - 1) + ["locked_out"]
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert AccessAttempt.objects.get(username="agent").failures_since_start >= limit
    assert not Token.objects.exists()


def test_a_success_before_the_limit_resets_the_failures_and_records_the_sign_in(api_as, agent, settings):
    client = api_as()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(URL, {"username": "agent", "password": "wrong"}, format="json")

    assert client.post(URL, {"username": "agent", "password": PASSWORD}, format="json").status_code == 200
    assert client.post(URL, {"username": "agent", "password": "wrong"}, format="json").json()["code"] == (
        "invalid_credentials"
    )
    agent.refresh_from_db()
    assert agent.last_login is not None


def test_sign_in_attempts_are_throttled(api_as, agent, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    client = api_as()
    statuses = [
        client.post(URL, {"username": "nobody", "password": "x"}, format="json").status_code for _attempt in range(3)
    ]

    assert statuses[-1] == 429
    response = client.post(URL, {"username": "agent", "password": PASSWORD}, format="json")
    assert response.json()["code"] == "throttled"
