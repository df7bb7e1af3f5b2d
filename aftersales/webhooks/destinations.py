"""Where a webhook may go: the guard against server-side request forgery (SSRF).

A subscription's address is checked when the subscription is saved and again before every delivery:

* only `http` and `https`, and no user name or password in the address;
* the host name is resolved, and the address is refused if ANY of the addresses it resolves to is
  private, loopback, link-local, multicast, reserved, unspecified or otherwise not global (shared
  100.64/10, documentation ranges, ...), including IPv6 forms that carry such an IPv4 address
  (IPv4-mapped `::ffff:10.0.0.1`, NAT64, 6to4, Teredo) — unless the subscription allows private
  networks, and then only multicast and unspecified addresses stay refused;
* the connection then goes to one of exactly these checked addresses (`transport.post`), never to a
  fresh lookup, so a DNS answer that changes between the check and the connection (DNS rebinding)
  cannot send the request elsewhere. Redirects are not followed.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from aftersales.webhooks.choices import DeliveryProblem

SCHEMES = {"http": 80, "https": 443}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# What a path and query may hold as written (RFC 3986's reserved and unreserved characters and %):
# anything else, such as Chinese in a path, is sent percent-encoded as UTF-8, as a browser would.
TARGET_SAFE = "/?#[]@!$&'()*+,;=%:~"


class RefusedDestination(Exception):
    """The address may not be used: `problem` is a DeliveryProblem code; `host` and `addresses` say why."""

    def __init__(self, problem: str, detail: str = "", *, host: str = "", addresses: tuple[str, ...] = ()):
        self.problem = problem
        self.detail = detail
        self.host = host
        self.addresses = addresses
        super().__init__(f"{problem}: {detail}")


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # ASCII (IDNA), without brackets: what the Host header and TLS SNI name
    port: int
    target: str  # path and query
    addresses: tuple[str, ...]  # every address the host resolved to, all checked


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, in its order of preference (tests replace this)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, when it is one of the translation forms."""
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_forbidden(address: str, *, allow_private_network: bool = False) -> bool:
    """Whether a webhook may not connect to this IP address (see the module's docstring)."""
    ip = ipaddress.ip_address(address)
    if ip.is_multicast or ip.is_unspecified:
        return True
    if allow_private_network:
        return False
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # the IPv4 address itself, reached through the IPv6 socket
            return is_forbidden(str(ip.ipv4_mapped))
        embedded = _embedded_ipv4(ip)
        if embedded is not None and is_forbidden(str(embedded)):
            return True
        if ip.is_site_local:
            return True
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or not ip.is_global


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, ASCII host, port, path and query) of an address webhooks may use; RefusedDestination if not."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise RefusedDestination(DeliveryProblem.INVALID_URL, str(error)) from error
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        raise RefusedDestination(DeliveryProblem.INVALID_URL, "only http and https addresses with a host")
    if parts.username is not None or parts.password is not None:
        raise RefusedDestination(DeliveryProblem.INVALID_URL, "a user name or password in the address")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise RefusedDestination(DeliveryProblem.INVALID_URL, f"host name: {error}") from error
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if any(char.isspace() or not char.isprintable() for char in target):
        # No request line can carry it: every delivery would fail. Spaces are written %20.
        raise RefusedDestination(DeliveryProblem.INVALID_URL, "a space or control character in the path or query")
    return scheme, host, port or SCHEMES[scheme], quote(target, safe=TARGET_SAFE)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def destination_for(url: str, *, allow_private_network: bool) -> Destination:
    """Parse, resolve and check `url`; raises RefusedDestination naming the problem."""
    scheme, host, port, target = parse(url)
    if _is_address(host):
        addresses = [host]
    else:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as error:
            raise RefusedDestination(DeliveryProblem.UNRESOLVABLE, f"{host}: {error}", host=host) from error
        if not addresses:
            raise RefusedDestination(DeliveryProblem.UNRESOLVABLE, host, host=host)
    refused = tuple(a for a in addresses if is_forbidden(a, allow_private_network=allow_private_network))
    if refused:
        raise RefusedDestination(
            DeliveryProblem.REFUSED_ADDRESS, f"{host} resolves to {', '.join(refused)}", host=host, addresses=refused
        )
    return Destination(scheme=scheme, host=host, port=port, target=target, addresses=tuple(addresses))
