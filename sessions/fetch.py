"""Fetch an outside URL for an import, safely: the one door to the network.

http and https only, no credentials in the URL, one deadline (DEADLINE seconds) over
everything a fetch does (resolving the name, connecting, TLS, every redirect, the headers
and the body: a server that drips bytes cannot hold us), a size cap while reading, at most
MAX_REDIRECTS redirects (each checked again), and no loopback, private, link-local,
multicast or otherwise reserved address: every address a name resolves to is checked, the
allowed ones are tried in turn, and the connection goes to that checked address (a name
cannot resolve to something else between the check and the connect). Addresses that carry
an IPv4 address inside (IPv4-mapped and -compatible, NAT64, 6to4) are judged by it. Set
CATALOG_IMPORT_ALLOW_PRIVATE_URLS=true to allow private addresses (tests use it for their
local server). Views and commands never open a URL themselves (healthchecks'
hc/lib/curl.py does the same).
"""

import http.client
import ipaddress
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 3
CONNECT_TIMEOUT = 5.0  # one address; the next is tried after it
DEADLINE = 20.0
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "Catch-up conference planner (catalog import)"

# Refused whatever the ipaddress module says: the ranges Python before 3.12.4 misjudged
# (CVE-2024-4032) and a few more no conference is served from.
_REFUSED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)  # fmt: skip
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fetch-resolve")


class FetchError(ValueError):
    """Why a URL was not fetched, in words for the person who gave it."""


class _Late(TimeoutError):
    """The deadline passed."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes
    etag: str = ""  # the validators to send next time (conditional GET)
    last_modified: str = ""
    not_modified: bool = False  # 304: the copy we have is current; body is empty


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self, cap: float | None = None) -> float:
        """Seconds left (at most cap); _Late once there are none."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise _Late
        return left if cap is None else min(left, cap)


class _DeadlineSocket(socket.socket):
    """Every read waits only for what is left of the whole fetch's time."""

    deadline: _Deadline

    def recv_into(self, buffer, nbytes=0, flags=0):
        self.settimeout(self.deadline.left())
        return super().recv_into(buffer, nbytes, flags)


class _DeadlineSSLSocket(ssl.SSLSocket):
    deadline: _Deadline

    def recv_into(self, buffer, nbytes=None, flags=0):
        self.settimeout(self.deadline.left())
        return super().recv_into(buffer, nbytes, flags)


def _addresses(host: str, port: int) -> list[str]:
    """Every address the name resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot find the server {host!r}") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def _resolve(host: str, port: int, deadline: _Deadline) -> list[str]:
    """_addresses, waiting no longer than the deadline (the system resolver has no timeout
    of ours; a lookup that hangs is left to finish in its thread)."""
    future = _resolver.submit(_addresses, host, port)
    try:
        return future.result(timeout=deadline.left())
    except FutureTimeout as exc:
        raise _Late from exc


def _inner_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it carries one."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _allowed(address: str) -> bool:
    """A public address: not loopback, private, link-local, multicast or reserved."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _inner_ipv4(ip)):
        ip = inner
    if any(ip.version == net.version and ip in net for net in _REFUSED):
        return False
    return ip.is_global and not ip.is_multicast


def _target(
    url: str, allow_private: bool, deadline: _Deadline
) -> tuple[str, str, int, str, list[str]]:
    """(scheme, host, port, path with query, checked addresses) of a URL we may open."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("only http and https addresses can be imported")
    if parts.username or parts.password:
        raise FetchError("the address must not contain a user name or password")
    if not parts.hostname:
        raise FetchError("the address has no server name")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError("the address has an invalid port") from exc
    addresses = _resolve(parts.hostname, port, deadline)
    usable = [a for a in addresses if allow_private or _allowed(a)]
    if not usable:
        raise FetchError(
            f"{parts.hostname} is a private or local address; importing from it is not allowed"
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path, usable


def _open(address: str, port: int, deadline: _Deadline) -> _DeadlineSocket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = _DeadlineSocket(family, socket.SOCK_STREAM)
    sock.deadline = deadline
    try:
        sock.settimeout(deadline.left(CONNECT_TIMEOUT))
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _connect(host: str, port: int, addresses: list[str], deadline: _Deadline):
    """A socket to the first checked address that answers, tried in turn."""
    error: OSError | None = None
    for address in addresses:
        try:
            return _open(address, port, deadline)
        except _Late:
            raise
        except OSError as exc:
            error = exc
    if isinstance(error, TimeoutError):
        raise FetchError(f"{host} did not accept a connection") from error
    raise FetchError(f"cannot connect to {host} ({error.__class__.__name__})") from error


def _connection(scheme: str, host: str, port: int, addresses: list[str], deadline: _Deadline):
    """A connection to a checked address, speaking to `host` (TLS name checked)."""
    cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    connection = cls(host, port)

    def connect() -> None:
        sock = _connect(host, port, addresses, deadline)
        if scheme == "https":
            context = ssl.create_default_context()
            context.sslsocket_class = _DeadlineSSLSocket
            # The handshake as a whole waits at most what is left.
            sock.settimeout(deadline.left())
            sock = context.wrap_socket(sock, server_hostname=host)
            sock.deadline = deadline
        connection.sock = sock

    connection.connect = connect
    return connection


def fetch(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    deadline: float | None = None,
    allow_private: bool | None = None,
    etag: str = "",
    last_modified: str = "",
) -> Fetched:
    """The body of an http(s) URL, or FetchError saying why not. Given the validators of
    the copy we have (etag, last_modified), a server may answer 304: Fetched.not_modified."""
    deadline = DEADLINE if deadline is None else deadline
    if allow_private is None:
        allow_private = getattr(settings, "CATALOG_IMPORT_ALLOW_PRIVATE_URLS", False)
    clock = _Deadline(deadline)
    try:
        conditions = {"If-None-Match": etag, "If-Modified-Since": last_modified}
        conditions = {k: v for k, v in conditions.items() if v}
        return _fetch(url, max_bytes, clock, allow_private, conditions)
    except _Late as exc:
        raise FetchError(f"the source did not answer within {deadline:g} s") from exc


def _fetch(
    url: str, max_bytes: int, deadline: _Deadline, allow_private: bool, conditions: dict
) -> Fetched:
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port, path, addresses = _target(url, allow_private, deadline)
        connection = _connection(scheme, host, port, addresses, deadline)
        try:
            connection.request(
                "GET",
                path,
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **conditions},
            )
            response = connection.getresponse()
            if response.status in REDIRECTS and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            validators = {
                "etag": (response.getheader("ETag") or "")[:200],
                "last_modified": (response.getheader("Last-Modified") or "")[:100],
            }
            if response.status == 304 and conditions:
                return Fetched(url, "", b"", not_modified=True, **validators)
            if not 200 <= response.status < 300:
                raise FetchError(f"the server answered {response.status} {response.reason}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
            body = _read(response, max_bytes)
            return Fetched(url, response.getheader("Content-Type", ""), body, **validators)
        except _Late:
            raise
        except TimeoutError as exc:
            # A socket timeout is the deadline's (each wait is what was left of it).
            raise _Late from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"the download failed ({exc.__class__.__name__})") from exc
        finally:
            connection.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _read(response, max_bytes: int) -> bytes:
    """The body, in chunks (each read bounded by the deadline), under the size cap."""
    chunks, size = [], 0
    while True:
        chunk = response.read1(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
        chunks.append(chunk)
