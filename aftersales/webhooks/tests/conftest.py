"""Fixtures for the webhook tests: a resolver the test controls, and a real HTTP receiver on 127.0.0.1.

No test reaches the Internet: host names resolve through `resolver` (a dict the test fills; anything
else fails like an unknown name), and deliveries go to `receiver`, an http.server in a thread that
checks each request's HMAC signature itself, as a subscriber's system would.
"""

import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aftersales.accounts.roles import Role
from aftersales.accounts.tests.factories import UserFactory
from aftersales.webhooks import destinations
from aftersales.webhooks.services import subscription_create

PUBLIC_HOST = "hooks.example.com"
PUBLIC_ADDRESS = "93.184.215.14"


class FakeResolver:
    """host name → addresses; counts the lookups so a test can tell when DNS was asked."""

    def __init__(self):
        self.answers: dict[str, list[str]] = {PUBLIC_HOST: [PUBLIC_ADDRESS]}
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answer = self.answers.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(answer() if callable(answer) else answer)


@pytest.fixture(autouse=True)
def resolver(monkeypatch):
    fake = FakeResolver()
    monkeypatch.setattr(destinations, "resolve", fake)
    return fake


@pytest.fixture
def admin(db):
    return UserFactory(username="webhook-admin", role=Role.ADMIN)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    signature_valid: bool

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """What a subscriber runs: it answers 401 unless the signature is the HMAC of timestamp.body."""

    secret: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, bytes, dict]] = field(default_factory=list)  # popped one per request; then 200
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/aftersales?source=test"

    def checks(self, headers, body: bytes) -> bool:
        timestamp = headers.get("X-Aftersales-Timestamp", "")
        mac = hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"sha256={mac}", headers.get("X-Aftersales-Signature", ""))


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            valid = receiver.checks(self.headers, body)
            receiver.requests.append(Received(self.path, dict(self.headers), body, valid))
            status, answer, headers = receiver.answers.pop(0) if receiver.answers else (200, b"thanks", {})
            if not valid:
                status, answer, headers = 401, b"bad signature", {}
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def do_GET(self):  # a redirect's target would be fetched with GET (if it were followed)
            receiver.requests.append(Received(self.path, dict(self.headers), b"", False))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribe(admin):
    """`subscribe(url, events, **options)`: a subscription made through the service; (subscription, secret)."""

    def make(url=f"https://{PUBLIC_HOST}/hook", events=("ticket.created",), **options):
        return subscription_create(
            actor=admin, name=options.pop("name", "集成平台"), url=url, event_kinds=list(events), **options
        )

    return make


@pytest.fixture
def subscribe_receiver(receiver, subscribe):
    """A subscription to the local receiver (a private address, so it must allow private networks)."""

    def make(events=("ticket.created",), **options):
        subscription, secret = subscribe(receiver.url, events, allow_private_network=True, **options)
        receiver.secret = secret
        return subscription

    return make
