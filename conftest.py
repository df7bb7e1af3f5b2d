import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests check answers, not speed: on a loaded CI machine generation and examples may be slow.
hypothesis_settings.register_profile("aftersales", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("aftersales")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploads go to a throwaway folder; static files need no collectstatic manifest; hashing is cheap."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
