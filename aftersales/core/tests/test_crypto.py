import pytest
from django.core.exceptions import ImproperlyConfigured

from aftersales.core import crypto


def test_a_secret_comes_back_from_its_token_and_the_token_does_not_show_it(settings):
    settings.ENCRYPTION_KEYS = []
    token = crypto.encrypt("SMTP密码-s3cret")
    assert "s3cret" not in token and "密码" not in token
    assert crypto.decrypt(token) == "SMTP密码-s3cret"
    assert crypto.encrypt("SMTP密码-s3cret") != token  # a fresh IV every time


def test_configured_keys_encrypt_with_the_first_and_decrypt_with_any(settings):
    old, new = crypto.generate_key(), crypto.generate_key()
    settings.ENCRYPTION_KEYS = [old]
    token = crypto.encrypt("access-key-secret")
    settings.ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(token) == "access-key-secret"
    rotated = crypto.rotate(token)
    settings.ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "access-key-secret"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_the_derived_key_follows_secret_key_and_its_fallbacks(settings):
    settings.ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "first-secret-key-" + "x" * 40
    token = crypto.encrypt("robot-secret")
    settings.SECRET_KEY = "second-secret-key-" + "y" * 40
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)
    settings.SECRET_KEY_FALLBACKS = ["first-secret-key-" + "x" * 40]
    assert crypto.decrypt(token) == "robot-secret"


def test_a_derived_key_is_not_the_secret_key_itself(settings):
    settings.ENCRYPTION_KEYS = []
    assert settings.SECRET_KEY.encode() not in crypto.derive_key(settings.SECRET_KEY)


def test_garbage_is_a_decryption_error_and_a_bad_key_setting_says_how_to_fix_it(settings):
    settings.ENCRYPTION_KEYS = []
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("not a token")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("令牌")
    settings.ENCRYPTION_KEYS = ["too-short"]
    with pytest.raises(ImproperlyConfigured, match="generate_key"):
        crypto.encrypt("x")
