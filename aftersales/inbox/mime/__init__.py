"""Reading received mail: see message.parse_message."""

from aftersales.inbox.mime.charsets import decode_bytes, decode_header_value
from aftersales.inbox.mime.html import html_to_text, sanitise_html
from aftersales.inbox.mime.message import (
    ParsedMail,
    Part,
    body_sha256,
    clean_message_id,
    message_key,
    parse_message,
    reused_id_key,
)
from aftersales.inbox.mime.quotes import strip_quoted

__all__ = [
    "ParsedMail",
    "Part",
    "body_sha256",
    "clean_message_id",
    "decode_bytes",
    "decode_header_value",
    "html_to_text",
    "message_key",
    "parse_message",
    "reused_id_key",
    "sanitise_html",
    "strip_quoted",
]
