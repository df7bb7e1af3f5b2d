"""Real servers on loopback for the channels: an SMTP server (aiosmtpd) and an HTTP provider (stdlib).

Nothing is mocked: the channels open sockets, sign, send and read answers exactly as in production.
"""

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

SMTP_PASSWORD = "smtp-s3cret"  # smtplib sends AUTH credentials as ASCII


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# SMTP -------------------------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the SMTP server received; `logins` are the (user, password) pairs it was offered."""

    host: str = "127.0.0.1"
    port: int = 0
    envelopes: list = field(default_factory=list)
    logins: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 2.0.0 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        # handled=False: aiosmtpd answers 535 itself when the password is wrong
        return AuthResult(success=auth_data.password == SMTP_PASSWORD.encode(), handled=False)

    def messages(self):
        return [message_from_bytes(envelope.original_content, policy=policy.default) for envelope in self.envelopes]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox(port=free_port())
    controller = Controller(
        inbox,
        hostname=inbox.host,
        port=inbox.port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # loopback only; production servers use TLS
    )
    controller.start()
    yield inbox
    controller.stop()


# HTTP -------------------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Provider:
    """An HTTP server that records every request and answers with the queued answers, then with `default`."""

    base_url: str = ""
    requests: list[Request] = field(default_factory=list)
    answers: deque = field(default_factory=deque)
    default: tuple[int, object] = (200, {"errcode": 0, "errmsg": "ok"})

    def answer(self, *answers: tuple[int, object]) -> None:
        self.answers.extend(answers)

    def url(self, path: str) -> str:
        return self.base_url + path

    def next_answer(self) -> tuple[int, bytes]:
        status, body = self.answers.popleft() if self.answers else self.default
        return status, body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture
def provider():
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            state.requests.append(
                Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=self.rfile.read(length),
                )
            )
            status, body = state.next_answer()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
