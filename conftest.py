import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploads go to a throwaway folder; static files need no collectstatic manifest; hashing is cheap."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
