"""Reading a received message: headers, text, sanitised HTML, attachments, and what kind of mail it is.

Chinese mail is full of mislabelled charsets (GBK or GB18030 text declared as gb2312, UTF-8 declared as
us-ascii, raw 8-bit headers) and of encoded-words that split a character in two. Everything here decodes
tolerantly and never raises on bad input: what cannot be decoded is replaced and noted, and the raw
message is kept by the caller in any case.
"""

import datetime as dt
import email
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser

from aftersales.inbox.mime.charsets import HEADER_LIMIT, decode_bytes, decode_header_value, unescape_surrogates
from aftersales.inbox.mime.html import html_to_text, sanitise_html

MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
TICKET_NUMBER = re.compile(r"(?<![A-Za-z0-9])(SR\d{12,14})(?!\d)", re.IGNORECASE)
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?:自动回复|自動回覆|自动答复|自動回復|自动应答|auto(?:matic)?[ _-]?(?:reply|response|answer)"
    r"|autoreply|out of (?:the )?office|abwesenheit|absence)|out of (?:the )?office|不在办公室",
    re.IGNORECASE,
)
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
REFERENCE_LIMIT = 50


@dataclass
class Part:
    """An attachment or inline image as found in the message."""

    name: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class ParsedMail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender_name: str = ""
    sender_address: str = ""
    reply_to_address: str = ""
    date: dt.datetime | None = None
    text: str = ""
    html: str = ""  # sanitised
    parts: list[Part] = field(default_factory=list)
    forwarded_ids: list[str] = field(default_factory=list)  # ids of messages attached as message/rfc822
    is_auto_reply: bool = False
    is_bounce: bool = False
    authentication_failed: bool = False
    notes: list[dict] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Ids that may name the conversation, most specific first: In-Reply-To, References (newest first)."""
        seen, ids = set(), []
        for message_id in [*self.in_reply_to, *reversed(self.references)]:
            if message_id not in seen:
                seen.add(message_id)
                ids.append(message_id)
        return ids

    @property
    def ticket_numbers(self) -> list[str]:
        return [number.upper() for number in TICKET_NUMBER.findall(self.subject)]

    def note(self, code: str, **values) -> None:
        self.notes.append({"code": code, **values})


# Keys -------------------------------------------------------------------------------------------


def message_key(raw: bytes) -> tuple[str, str]:
    """(key, Message-ID): the key is a SHA-256 of the Message-ID, or of the raw bytes when it has none."""
    try:
        headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
        message_id = first_message_id(_header(headers, "Message-ID"))
    except Exception:  # a key must always come out: the poller leaves a message it cannot key
        message_id = ""  # on the server and would stop at it on every run, holding back the mail behind it
    if message_id:
        return "mid:" + hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest(), message_id
    return "raw:" + hashlib.sha256(raw).hexdigest(), ""


def body_sha256(raw: bytes) -> str:
    """SHA-256 of what follows the header section: copies of one message (delivered to two mailboxes, or read
    again after a crash) share it, whatever headers the servers added on the way."""
    separator = re.search(rb"\r?\n\r?\n", raw)
    return hashlib.sha256(raw[separator.end() :] if separator else b"").hexdigest()


def reused_id_key(message_id: str, raw: bytes) -> str:
    """The key of a message whose Message-ID an earlier, different message carried already (some fax servers
    and scanners send every mail under one id): the id with the body, so that neither is dropped unread."""
    named = f"{message_id}\n{body_sha256(raw)}".encode("utf-8", "surrogateescape")
    return "mid+body:" + hashlib.sha256(named).hexdigest()


def first_message_id(value: str) -> str:
    ids = message_ids(value)
    return ids[0] if ids else ""


def message_ids(value: str) -> list[str]:
    """The ids in a Message-ID, In-Reply-To or References header, without angle brackets."""
    value = (value or "")[:HEADER_LIMIT]
    if "=?" in value:  # some senders encode a long id as an encoded-word (Python's email among them)
        value = decode_header_value(value)
    found = MESSAGE_ID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]  # some clients leave out the brackets
    return [clean_message_id(message_id) for message_id in found if clean_message_id(message_id)][-REFERENCE_LIMIT:]


def clean_message_id(message_id: str) -> str:
    """The id without brackets, controls or any kind of space or line break (U+2028 and \x85 included): it is
    written back into the References of our replies, where a line break is refused."""
    text = message_id.strip().strip("<>").encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(char for char in text if char.isprintable() and not char.isspace())[:500]


def _header(message: Message, name: str) -> str:
    values = _all_headers(message, name)
    return values[0] if values else ""


def _all_headers(message: Message, name: str) -> list[str]:
    """Header values as received: raw 8-bit bytes stay (as surrogates) for our decoder, not U+FFFD."""
    name = name.lower()
    return [str(value) for key, value in message.raw_items() if key.lower() == name]


def _address(value: str) -> tuple[str, str]:
    """(name, address) of the first address in a From or Reply-To header."""
    value = re.sub(r"\r?\n[ \t]+", " ", value or "")[:HEADER_LIMIT]
    for name, address in email.utils.getaddresses([value]):
        address = unescape_surrogates(address).strip().strip("<>").lower()
        if "@" in address and not any(char <= " " for char in address):
            return decode_header_value(name).strip().strip('"')[:200], address[:254]
    return "", ""


# The message ------------------------------------------------------------------------------------


def parse_message(raw: bytes) -> ParsedMail:
    try:
        return _read(email.message_from_bytes(raw, policy=email.policy.compat32))
    except RecursionError:
        # Parts nested deeper than Python's parser follows (only a hostile mail does it): its headers, and
        # everything after them as plain text, so that the mail can still be read and sorted.
        message = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
        del message["Content-Type"], message["Content-Transfer-Encoding"]
        mail = _read(message)
        mail.note("mime_too_deep")
        return mail


def _read(message: Message) -> ParsedMail:
    mail = ParsedMail()
    mail.message_id = first_message_id(_header(message, "Message-ID"))
    mail.in_reply_to = message_ids(_header(message, "In-Reply-To"))
    mail.references = message_ids(" ".join(_all_headers(message, "References")))
    mail.subject = decode_header_value(_header(message, "Subject"))[:1000]
    mail.sender_name, mail.sender_address = _address(_header(message, "From"))
    mail.reply_to_address = _address(_header(message, "Reply-To"))[1]
    mail.date = _date(_header(message, "Date"))
    mail.is_bounce = _is_bounce(message, mail)
    mail.is_auto_reply = not mail.is_bounce and _is_auto_reply(message, mail)
    mail.authentication_failed = _authentication_failed(message)
    texts, htmls = [], []
    _walk(message, mail, texts, htmls, counter=[0])
    html = "\n".join(htmls)
    mail.html = sanitise_html(html) if html else ""
    mail.text = "\n\n".join(text.strip() for text in texts if text.strip())
    if not mail.text and mail.html:
        mail.text = html_to_text(mail.html)
    mail.text = mail.text.replace("\r\n", "\n").replace("\r", "\n")
    # NUL cannot be stored in PostgreSQL text; malformed mail carries it.
    mail.text, mail.html, mail.subject, mail.sender_name = (
        value.replace("\x00", "") for value in (mail.text, mail.html, mail.subject, mail.sender_name)
    )
    if message.defects:
        mail.note("mime_defects", defects=sorted({type(defect).__name__ for defect in message.defects}))
    return mail


def _date(value: str) -> dt.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _is_auto_reply(message: Message, mail: ParsedMail) -> bool:
    """RFC 3834 and the headers Exchange, QQ Mail, 163 and Coremail set, or an out-of-office subject."""
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if any(message.get(name) is not None for name in ("X-Autoreply", "X-Autorespond", "X-Autogenerated")):
        return True
    if _header(message, "Precedence").strip().lower() in ("bulk", "junk", "auto_reply", "auto-reply"):
        return True
    return bool(AUTO_REPLY_SUBJECT.search(mail.subject))


def _is_bounce(message: Message, mail: ParsedMail) -> bool:
    if message.get_content_type() == "multipart/report":
        return True
    if mail.sender_address.partition("@")[0] in BOUNCE_SENDERS:
        return True
    return any(path.strip() in ("<>", "") for path in _all_headers(message, "Return-Path"))


def _authentication_failed(message: Message) -> bool:
    """The receiving server's verdict, where it added one: a failed DMARC check means a forged From.

    Only a failure is trusted (a sender could add a header saying "pass"; adding "fail" only hurts them)."""
    return any(
        re.search(r"\bdmarc\s*=\s*fail\b", value, re.IGNORECASE)
        for value in _all_headers(message, "Authentication-Results")
    )


def _walk(part: Message, mail: ParsedMail, texts: list[str], htmls: list[str], counter: list[int]) -> None:
    content_type = part.get_content_type()
    if content_type in ("message/rfc822", "message/global"):
        _forwarded(part, mail, texts, counter)
        return
    if content_type in ("message/delivery-status", "message/disposition-notification", "text/rfc822-headers"):
        return  # the technical half of a report; the raw message keeps it
    if part.is_multipart():
        for child in part.get_payload():
            _walk(child, mail, texts, htmls, counter)
        return
    if content_type.startswith("multipart/"):  # no boundary, so no parts: what is there is the text
        texts.append(decode_bytes(_payload(part, mail), part.get_param("charset"))[0])
        return
    counter[0] += 1
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    name = _file_name(part)
    content_id = first_message_id(_header(part, "Content-ID"))
    is_body_text = content_type in ("text/plain", "text/html") and disposition != "attachment" and not name
    data = _payload(part, mail)
    if is_body_text:
        text, exact = decode_bytes(data, part.get_content_charset() or part.get_param("charset"))
        if not exact:
            mail.note("undecodable_text", charset=str(part.get_param("charset") or "").replace("\x00", "")[:40])
        (texts if content_type == "text/plain" else htmls).append(text)
        return
    if not name:
        extension = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/tiff": "tif"}.get(
            content_type, "bin"
        )
        name = f"{'image' if content_type.startswith('image/') else 'part'}-{counter[0]}.{extension}"
    mail.parts.append(
        Part(
            name=name,
            content_type=content_type,
            content=data,
            content_id=content_id,
            inline=bool(content_id) and disposition != "attachment",
        )
    )


def _forwarded(part: Message, mail: ParsedMail, texts: list[str], counter: list[int]) -> None:
    """A message forwarded as an attachment: its ids may thread the mail, its text goes into the body."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return
    ids = message_ids(_header(inner, "Message-ID")) + message_ids(_header(inner, "In-Reply-To"))
    ids += list(reversed(message_ids(" ".join(_all_headers(inner, "References")))))
    mail.forwarded_ids += [message_id for message_id in ids if message_id not in mail.forwarded_ids]
    inner_texts, inner_htmls = [], []
    _walk(inner, mail, inner_texts, inner_htmls, counter)
    body = "\n\n".join(text.strip() for text in inner_texts if text.strip())
    if not body and inner_htmls:
        body = html_to_text(sanitise_html("\n".join(inner_htmls)))
    sender = decode_header_value(_header(inner, "From"))
    subject = decode_header_value(_header(inner, "Subject"))
    texts.append(f"---------- Forwarded message ----------\nFrom: {sender}\nSubject: {subject}\n\n{body}")


def _payload(part: Message, mail: ParsedMail) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: keep the bytes as they came
        data = None
    if data is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            data = raw.encode("ascii", "surrogateescape")
            mail.note("undecodable_part", content_type=part.get_content_type())
        else:
            data = b""
    return data


def _file_name(part: Message) -> str:
    """The attachment's name from Content-Disposition or Content-Type: RFC 2231, encoded-words or raw 8-bit."""
    for value in (
        part.get_param("filename", header="content-disposition"),
        part.get_param("name", header="content-type"),
    ):
        if not value:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, percent-decoded text)
            charset, _language, text = value
            name = decode_bytes(text.encode("latin-1", "surrogateescape"), charset)[0]
        else:
            name = decode_header_value(email.utils.collapse_rfc2231_value(value))
        name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .")
        if name:
            return name[-200:]
    return ""
