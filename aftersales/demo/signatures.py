"""Hand-drawn-looking signatures for the demo's signed task sheets: a PNG written with the standard library only."""

import base64
import math
import struct
import zlib

WIDTH, HEIGHT = 300, 120
INK, PAPER = 0x1F, 0xFF  # grey levels
DISC = [(dx, dy) for dy in range(-2, 3) for dx in range(-2, 3) if dx * dx + dy * dy <= 4]  # the widest pen tip


def signature_png(name: str) -> bytes:
    """A white 300×120 greyscale PNG with a dark flowing stroke; each name gets its own curve."""
    seed = zlib.crc32(name.encode())
    letters = 5 + seed % 4  # loops of the pen, like letters
    slant = 0.25 + (seed >> 3) % 20 / 100
    height = 20 + (seed >> 8) % 12
    phase = (seed >> 12) % 628 / 100
    pixels = bytearray([PAPER]) * (WIDTH * HEIGHT)

    def dot(x: float, y: float, radius: float) -> None:
        cx, cy, reach = round(x), round(y), radius * radius
        for dx, dy in DISC:
            if dx * dx + dy * dy <= reach and 0 <= cx + dx < WIDTH and 0 <= cy + dy < HEIGHT:
                pixels[(cy + dy) * WIDTH + cx + dx] = INK

    steps = 1600
    for index in range(steps):
        t = index / steps
        if 0.42 < t < 0.47:
            continue  # the pen lifts between the family and the given name
        turn = 2 * math.pi * letters * t
        size = height * (0.55 + 0.45 * math.sin(2 * math.pi * 1.3 * t + phase) ** 2) * (1.2 - 0.5 * t)
        y = 64 - size * math.sin(turn) + 8 * math.sin(2 * math.pi * 0.7 * t)
        x = 22 + 250 * t + 13 * math.cos(turn) + slant * (64 - y)
        dot(x, y, 1.7 - 0.7 * t)  # the stroke thins as the pen speeds up
    for index in range(300):  # a flourish under the name
        t = index / 300
        dot(60 + t * 210, 104 - 10 * t + 4 * math.sin(t * math.pi * 2), 1.1 - 0.5 * t)
    rows = b"".join(b"\x00" + bytes(pixels[row * WIDTH : (row + 1) * WIDTH]) for row in range(HEIGHT))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b"")
    )


def signature_data_url(name: str) -> str:
    """What a signature pad posts: the PNG as a data URL."""
    return "data:image/png;base64," + base64.b64encode(signature_png(name)).decode()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
