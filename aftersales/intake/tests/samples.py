"""Small real files for the fax tests: a one-page PDF, a one-page TIFF, and a Windows program renamed."""

import io

from PIL import Image

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode."
)


def tiff() -> bytes:
    """A one-bit fax-like page (Group 4 compressed, as fax servers write them)."""
    page = Image.new("1", (200, 100), 1)
    buffer = io.BytesIO()
    page.save(buffer, format="TIFF", compression="group4")
    return buffer.getvalue()
