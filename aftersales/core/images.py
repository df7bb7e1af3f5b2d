"""Stored signature images shown inline on pages and in PDFs (nothing to serve, nothing fetched)."""

import base64


def png_data_uri(image: bytes | memoryview | None) -> str:
    """A data: URI for PNG bytes, or "" when there is no image."""
    return "data:image/png;base64," + base64.b64encode(bytes(image)).decode("ascii") if image else ""
