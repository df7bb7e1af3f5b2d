"""Secrets at rest (SMTP passwords, access key secrets, robot signing secrets) as Fernet tokens.

Keys come from settings.ENCRYPTION_KEYS (the environment variable AFTERSALES_ENCRYPTION_KEY:
one or more Fernet keys separated by commas). The first key encrypts; every key decrypts, so a
key is rotated by putting a new one in front and re-encrypting with `rotate()`.

Without configured keys, one key is derived with HKDF from SECRET_KEY (and one from each of
SECRET_KEY_FALLBACKS, for decryption only), so a demo needs no setup. Changing SECRET_KEY then
makes stored secrets unreadable unless the old key stays in SECRET_KEY_FALLBACKS: set
AFTERSALES_ENCRYPTION_KEY in production.
"""

import base64
import binascii
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Fixed labels: they make the derived key specific to this purpose (not the one Django signs cookies with).
HKDF_SALT = b"aftersales.core.crypto"
HKDF_INFO = b"secrets at rest, version 1"


class DecryptionError(Exception):
    """A stored token cannot be read with any of the current keys (or is not a token at all)."""


def generate_key() -> str:
    """A new random key for AFTERSALES_ENCRYPTION_KEY."""
    return Fernet.generate_key().decode()


def derive_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def _keys() -> tuple[bytes, ...]:
    configured = [key.strip() for key in getattr(settings, "ENCRYPTION_KEYS", []) if key.strip()]
    if configured:
        return tuple(key.encode() for key in configured)
    return tuple(derive_key(secret) for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS])


@lru_cache(maxsize=4)
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, binascii.Error) as error:
        raise ImproperlyConfigured(
            "AFTERSALES_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64-encoded bytes) separated by "
            "commas; make one with `python -c 'from aftersales.core.crypto import generate_key; print(generate_key())'`."
        ) from error


def encrypt(plaintext: str) -> str:
    """A token for `plaintext`; a new one on every call (Fernet adds a random IV and a timestamp)."""
    return _fernet(_keys()).encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError("The stored secret cannot be decrypted with the current keys.") from error


def rotate(token: str) -> str:
    """The same secret encrypted with the first (newest) key."""
    try:
        return _fernet(_keys()).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError("The stored secret cannot be decrypted with the current keys.") from error
