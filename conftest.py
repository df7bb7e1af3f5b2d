import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads go to a throwaway folder in tests."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
