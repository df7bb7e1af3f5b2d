"""Shared helpers: integrations with their one-time tokens, the Bearer header; the browser fixtures."""

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.intake.models import AlertSource, SourceKind, TelephoneSystem
from aftersales.intake.tokens import token_hash, token_hint, token_new

# The browser fixtures live beside the ticket tests; importing them makes them fixtures here too.
from aftersales.tickets.tests.conftest import browser, browser_problems, open_page  # noqa: F401


def with_token(model, **fields):
    """An integration and its raw token (what the admin shows once)."""
    token = token_new()
    return model.objects.create(token_hash=token_hash(token), token_hint=token_hint(token), **fields), token


def alert_source(customer, *, kind=SourceKind.ALERTMANAGER, run_as=None, **fields):
    run_as = run_as or UserFactory(role=Role.AGENT, username=f"monitor-{customer.code}-{kind}")
    fields.setdefault("name", f"{customer.code} {kind}")
    return with_token(AlertSource, kind=kind, customer=customer, run_as=run_as, **fields)


def telephone_system(name="Avaya"):
    return with_token(TelephoneSystem, name=name)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}
