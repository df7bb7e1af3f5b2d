"""The OpenAPI schema and the Swagger UI, served without any outside resources."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_and_lists_every_endpoint(api_as):
    response = api_as().get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/customers/",
        "/api/v1/sites/",
        "/api/v1/contacts/",
        "/api/v1/contracts/",
        "/api/v1/assets/",
        "/api/v1/tickets/",
        "/api/v1/tickets/{id}/assign/",
        "/api/v1/ticket-comments/",
        "/api/v1/ticket-transitions/",
    ):
        assert path in schema["paths"]


def test_the_schema_validates_against_the_openapi_specification(api_as):
    from drf_spectacular.validation import validate_schema

    validate_schema(api_as().get("/api/schema/?format=json").json())


def test_the_docs_page_loads_everything_from_this_server(api_as):
    page = api_as().get("/api/docs/")
    script = api_as().get("/api/docs/?script=")

    assert page.status_code == script.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "/api/schema/" in script.content.decode()


def test_the_docs_pages_only_inline_style_carries_the_csp_nonce(api_as):
    page = api_as().get("/api/docs/")
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    html = page.content.decode()
    assert html.count("<style") == 1 and f'<style nonce="{nonce}">' in html
    assert "<script>" not in html
