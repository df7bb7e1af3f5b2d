"""Integration secrets (a telephone system's, a monitoring source's): shown once, only a hash is stored."""

import hashlib
import secrets

HINT_LENGTH = 6


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """A fast hash is enough: the tokens are 256 random bits, not passwords someone could guess."""
    return hashlib.sha256((token or "").encode()).hexdigest()


def token_hint(token: str) -> str:
    """The first characters, so an administrator can tell which token a system was given."""
    return token[:HINT_LENGTH]
