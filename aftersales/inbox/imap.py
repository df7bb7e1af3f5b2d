"""A small IMAPS client for the poller: list, fetch without marking read, and drop a message once recorded.

TLS always, with the certificate and host name verified (the system's CAs, or the mailbox's private CA).
Messages are addressed by UID, so a message another poller removed in the meantime is simply not found.
"""

import base64
import contextlib
import datetime as dt
import imaplib
import re
import ssl
from dataclasses import dataclass

from aftersales.core.crypto import DecryptionError
from aftersales.inbox.choices import AfterProcessing

INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
TIMEOUT_SECONDS = 60


class MailboxUnavailable(Exception):
    """The server could not be reached, refused the login or the folder, or answered something unexpected."""


@dataclass
class Fetched:
    uid: int
    raw: bytes
    internal_date: dt.datetime | None


def imap_folder(name: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3) for 已处理, quoted."""
    result, pending = [], []

    def flush():
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
            result.append(f"&{encoded}-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            result.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    text = "".join(result).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _internal_date(meta: bytes) -> dt.datetime | None:
    found = INTERNALDATE.search(meta)
    if not found:
        return None
    try:
        return dt.datetime.strptime(found.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


class ImapSession:
    """`with ImapSession(mailbox) as session:` logs in and selects the mailbox's folder read-write."""

    def __init__(self, mailbox, timeout: float = TIMEOUT_SECONDS):
        self.mailbox = mailbox
        self.timeout = timeout
        self.client: imaplib.IMAP4_SSL | None = None
        self.capabilities: set[str] = set()

    def __enter__(self):
        mailbox = self.mailbox
        try:
            self.client = imaplib.IMAP4_SSL(
                mailbox.host, mailbox.port, ssl_context=mailbox.ssl_context(), timeout=self.timeout
            )
            self.client.login(mailbox.username, mailbox.password())
            # Servers announce more (MOVE, UIDPLUS) once logged in than in their greeting.
            data = self._check(self.client.capability(), "CAPABILITY")
            self.capabilities = {name.upper() for name in b" ".join(data).decode("ascii", "replace").split()}
            self._check(self.client.select(imap_folder(mailbox.folder)), "SELECT")
        except (OSError, ssl.SSLError, imaplib.IMAP4.error, DecryptionError) as error:
            self.close()
            raise MailboxUnavailable(f"{mailbox.host}:{mailbox.port}: {error}") from error
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()

    @staticmethod
    def _check(answer, command: str):
        status, data = answer
        if status != "OK":
            raise imaplib.IMAP4.error(f"{command} answered {status}: {data!r}")
        return data

    def uids(self) -> list[int]:
        """Messages not yet marked deleted, oldest first."""
        try:
            data = self._check(self.client.uid("SEARCH", None, "UNDELETED"), "SEARCH")
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxUnavailable(str(error)) from error
        return sorted(int(uid) for uid in b" ".join(item for item in data if item).split())

    def fetch(self, uid: int) -> Fetched | None:
        """The whole message (BODY.PEEK: it stays unread); None when it is gone."""
        try:
            data = self._check(self.client.uid("FETCH", str(uid), "(INTERNALDATE BODY.PEEK[])"), "FETCH")
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxUnavailable(str(error)) from error
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                return Fetched(uid=uid, raw=item[1], internal_date=_internal_date(item[0]))
        return None

    def acknowledge(self, uid: int) -> None:
        """Drop a recorded message from the folder: moved, or flagged deleted and expunged (that UID only)."""
        try:
            if self.mailbox.after_processing == AfterProcessing.MOVE:
                self._move(uid)
            else:
                self._expunge(uid)
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxUnavailable(str(error)) from error

    def _move(self, uid: int) -> None:
        target = imap_folder(self.mailbox.processed_folder)
        command = "MOVE" if "MOVE" in self.capabilities else "COPY"
        status, data = self.client.uid(command, str(uid), target)
        if status == "NO" and b"TRYCREATE" in b" ".join(item for item in data if isinstance(item, bytes)):
            self.client.create(target)  # the folder for processed mail is made on first use
            status, data = self.client.uid(command, str(uid), target)
        self._check((status, data), command)
        if command == "COPY":
            self._expunge(uid)

    def _expunge(self, uid: int) -> None:
        self._check(self.client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
        if "UIDPLUS" in self.capabilities:
            self._check(self.client.uid("EXPUNGE", str(uid)), "UID EXPUNGE")
        else:  # also removes what others flagged deleted, which is what they asked for
            self._check(self.client.expunge(), "EXPUNGE")
