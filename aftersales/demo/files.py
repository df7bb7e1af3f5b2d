"""Small files for the demo's uploads: a one-page PDF, a text file, a photo of a rack. Made in memory, in
milliseconds, without fonts (the PDF's text is ASCII in a standard PDF font; Chinese goes into the .txt files)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def pdf_bytes(title: str, lines: tuple[str, ...] | list[str] = ()) -> bytes:
    """A valid one-page A4 PDF with a title and a few lines of ASCII text in Helvetica."""

    def escape(text: str) -> str:
        text = text.encode("ascii", "replace").decode()
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    commands = [f"BT /F1 18 Tf 72 770 Td ({escape(title)}) Tj ET"]
    commands += [f"BT /F1 11 Tf 72 {740 - 18 * index} Td ({escape(line)}) Tj ET" for index, line in enumerate(lines)]
    stream = "\n".join(commands).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """What a browser's upload looks like to a service."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def document(name: str, title: str, lines: tuple[str, ...] | list[str] = ()) -> SimpleUploadedFile:
    """A PDF for a .pdf name, else the title and lines as UTF-8 text."""
    if name.endswith(".pdf"):
        return upload(name, pdf_bytes(title, lines), "application/pdf")
    return upload(name, "\n".join((title, "", *lines)).encode() + b"\n", "text/plain")


def rack_photo(seed: int) -> SimpleUploadedFile:
    """A 320×240 JPEG of a rack front: servers in slots with green lights (one amber when `seed` is odd)."""
    image = Image.new("RGB", (320, 240), (208, 212, 218))
    draw = ImageDraw.Draw(image)
    draw.rectangle((90, 10, 230, 230), fill=(38, 41, 46), outline=(20, 20, 20), width=3)
    for slot in range(9):
        top = 20 + slot * 23
        draw.rectangle((100, top, 220, top + 17), fill=(70, 74, 82), outline=(25, 25, 25))
        for light in range(3):
            amber = seed % 2 == 1 and slot == seed % 9 and light == 0
            colour = (240, 170, 20) if amber else (40, 200, 80)
            draw.ellipse((198 + light * 7, top + 6, 202 + light * 7, top + 10), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return upload(f"rack-{seed}.jpg", buffer.getvalue(), "image/jpeg")
