"""Decoding Chinese mail's text and headers: mislabelled GB charsets, Big5, raw 8-bit bytes, split encoded-words."""

import base64
import binascii
import codecs
import quopri
import re

# Labels that mean "some GB encoding": GB18030 is a superset of GBK and GB2312, and decodes all three.
GB_LABELS = {"gb2312", "gb_2312", "gb_2312-80", "csgb2312", "euc-cn", "x-euc-cn", "gbk", "x-gbk", "cp936", "ms936"}
GB_LABELS |= {"windows-936", "chinese", "gb18030", "iso-ir-58", "hz-gb-2312"}
BIG5_LABELS = {"big5", "big-5", "x-big5", "cn-big5", "csbig5", "big5-hkscs", "big5hkscs", "cp950", "x-x-big5"}
# Declared charsets that say nothing useful about 8-bit bytes.
WEAK_LABELS = {"", "us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "unknown-8bit"}
ENCODED_WORD = re.compile(r"=\?([^?\s]+?)\?([bBqQ])\?([^?\s]*?)\?=")
HEADER_LIMIT = 998 * 4


def codec_for(label: str | None) -> str | None:
    """Python's codec for a declared charset, widened to the superset actually used; None when unknown."""
    name = (label or "").strip().strip('"').lower()
    if name in GB_LABELS:
        return "gb18030"
    if name in BIG5_LABELS:
        return "big5hkscs"
    if name in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
        # Only a codec that turns any bytes into text: a sender's "base64", "rot13", "undefined" or "idna" is
        # refused here rather than raising from bytes.decode() later.
        b"\xff".decode(codec, errors="replace")
    except (LookupError, ValueError, UnicodeError):  # unknown, not text, or a label holding NUL or 8-bit bytes
        return None
    return codec


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, bool]:
    """(text, exact): decoded by the declared charset if it fits, else UTF-8, else GB18030; exact=False
    when nothing fitted and undecodable bytes were replaced."""
    label = (declared or "").strip().strip('"').lower()
    codec = codec_for(label)
    candidates = []
    if codec and label not in WEAK_LABELS:
        candidates.append(codec)
        if codec == "big5hkscs":
            candidates.append("cp950")
    candidates += ["utf-8", "gb18030"]
    if codec and label in WEAK_LABELS and label not in ("", "unknown-8bit"):
        candidates.append(codec)  # genuine Latin-1 after UTF-8 and GB18030 failed
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except (UnicodeError, LookupError):
            continue
        if candidate == "gb18030" and candidate != codec and not _plausibly_chinese(text):
            continue  # a guess: Latin-1 bytes decode as GB18030 too, into nonsense
        return text, True
    return data.decode(codec or "utf-8", errors="replace"), False


def _plausibly_chinese(text: str) -> bool:
    """Every non-ASCII character is Chinese, CJK punctuation or full-width; none is in the private use area
    (where GBK's user-defined codes land, and where Latin-1 bytes read as GB18030 often do)."""
    return all(char.isascii() or _is_cjk(char) for char in text)


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF  # unified ideographs
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x20000 <= code <= 0x3134F  # extensions B to G
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x2000 <= code <= 0x206F  # general punctuation (quotes, dashes, ellipsis)
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or code in (0x00B7, 0x00D7, 0x00F7)  # middle dot, times, divide (in GB2312)
    )


def unescape_surrogates(text: str) -> str:
    """Raw 8-bit header bytes (kept as surrogates by the compat32 parser) decoded as UTF-8 or GB18030."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    return decode_bytes(text.encode("ascii", "surrogateescape"), None)[0]


def decode_header_value(value: str | None) -> str:
    """A header's text: encoded-words decoded (adjacent ones of one charset joined before decoding, so a
    character split between two words survives), raw 8-bit bytes decoded, folding removed."""
    if not value:
        return ""
    value = re.sub(r"\r?\n[ \t]+", " ", str(value)[:HEADER_LIMIT])
    pieces: list[tuple[str | None, bytes | str]] = []  # (charset, bytes) for encoded words; (None, text) else
    position = 0
    for match in ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if between and not (between.isspace() and pieces and pieces[-1][0] is not None):
            pieces.append((None, between))
        charset, encoding, payload = match.group(1).split("*")[0], match.group(2).upper(), match.group(3)
        data = _decode_word(encoding, payload)
        if pieces and pieces[-1][0] == charset.lower():
            pieces[-1] = (charset.lower(), pieces[-1][1] + data)
        else:
            pieces.append((charset.lower(), data))
        position = match.end()
    if value[position:]:
        pieces.append((None, value[position:]))
    text = "".join(
        unescape_surrogates(chunk) if charset is None else decode_bytes(chunk, charset)[0] for charset, chunk in pieces
    )
    return " ".join(text.split()) if "\n" in text or "\t" in text else text.strip()


def _decode_word(encoding: str, payload: str) -> bytes:
    try:
        if encoding == "B":
            payload = payload.strip()
            return base64.b64decode(payload + "=" * (-len(payload) % 4))
        return quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"), header=False)
    except (binascii.Error, ValueError):
        return payload.encode("ascii", "replace")
