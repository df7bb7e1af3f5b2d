"""One HTTP POST to a checked destination: pinned address, short timeouts, no redirects, a capped answer.

http.client is used directly (not a client library) because the connection must go to an address the
SSRF guard checked, while the request still names the host: the Host header and, for https, the TLS
server name (SNI) and the certificate check use the host name, the socket uses the checked address.
http.client follows no redirects and reads no proxy settings from the environment.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from aftersales.webhooks.choices import DeliveryProblem
from aftersales.webhooks.destinations import Destination

CONNECT_TIMEOUT_SECONDS = 5
TOTAL_TIMEOUT_SECONDS = 15
RESPONSE_LIMIT_BYTES = 64 * 1024  # read no more of an answer than this
EXCERPT_CHARACTERS = 2000  # and keep this much of it in the log
USER_AGENT = "Aftersales-Webhooks/1"


class TransportError(Exception):
    def __init__(self, problem: str, detail: str):
        self.problem = problem
        self.detail = detail
        super().__init__(f"{problem}: {detail}")


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str
    location: str = ""


def tls_context() -> ssl.SSLContext:
    """Certificates verified against the system's authorities, host name checked (tests trust their own CA)."""
    return ssl.create_default_context()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Names `host` in the request but connects to `address`."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self):
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS: the server name sent and verified is the host's, not the address's."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=tls_context())
        self.pinned_address = address

    def connect(self):
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connection(destination: Destination, address: str):
    kind = _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    return kind(destination.host, destination.port, address, CONNECT_TIMEOUT_SECONDS)


def _read_capped(response, deadline: float) -> bytes:
    chunks, size = [], 0
    while size < RESPONSE_LIMIT_BYTES:
        if time.monotonic() > deadline:
            raise TimeoutError("the answer took too long")
        chunk = response.read1(min(8192, RESPONSE_LIMIT_BYTES - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def post(destination: Destination, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to the destination; the answer's status and the start of its text. Raises TransportError."""
    deadline = time.monotonic() + TOTAL_TIMEOUT_SECONDS
    last_error: Exception | None = None
    for address in destination.addresses:  # all of them passed the check; the next is tried if one is down
        connection = _connection(destination, address)
        try:
            try:
                connection.connect()
            except ssl.SSLError:
                raise
            except OSError as error:
                last_error = error
                continue
            connection.sock.settimeout(max(0.1, min(CONNECT_TIMEOUT_SECONDS * 2, deadline - time.monotonic())))
            connection.request(
                "POST",
                destination.target,
                body=body,
                headers={"User-Agent": USER_AGENT, "Content-Type": "application/json", **headers},
            )
            response = connection.getresponse()
            text = _read_capped(response, deadline).decode("utf-8", errors="replace")
            return Answer(response.status, text[:EXCERPT_CHARACTERS], response.getheader("Location", "") or "")
        except ssl.SSLError as error:
            raise TransportError(DeliveryProblem.TLS, str(error)) from error
        except TimeoutError as error:
            raise TransportError(DeliveryProblem.TIMEOUT, str(error) or "timed out") from error
        except (OSError, http.client.HTTPException) as error:
            raise TransportError(DeliveryProblem.CONNECTION, f"{type(error).__name__}: {error}") from error
        finally:
            connection.close()
    if isinstance(last_error, TimeoutError):
        raise TransportError(DeliveryProblem.TIMEOUT, str(last_error) or "timed out")
    raise TransportError(DeliveryProblem.CONNECTION, f"{type(last_error).__name__}: {last_error}")
