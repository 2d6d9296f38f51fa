"""Fetch an outside URL for an import, safely: the one door to the network.

http and https only, no credentials in the URL, a connect and a total timeout, a
size cap while reading, at most MAX_REDIRECTS redirects (each checked again), and
no loopback, private, link-local, multicast or otherwise reserved address: the
address a name resolves to is checked, and the connection goes to that checked
address (a name cannot resolve to something else between the check and the
connect). Set CATALOG_IMPORT_ALLOW_PRIVATE_URLS=true to allow private addresses
(tests use it for their local server). Views and commands never open a URL
themselves (healthchecks' hc/lib/curl.py does the same).
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 3
CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 30.0
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "Catch-up conference planner (catalog import)"


class FetchError(ValueError):
    """Why a URL was not fetched, in words for the person who gave it."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes


def _addresses(host: str, port: int) -> list[str]:
    """Every address the name resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot find the server {host!r}") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def _allowed(address: str) -> bool:
    """A public address: not loopback, private, link-local, multicast or reserved."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _target(url: str, allow_private: bool) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, path with query, checked address) of a URL we may open."""
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
    addresses = _addresses(parts.hostname, port)
    usable = [a for a in addresses if allow_private or _allowed(a)]
    if not usable:
        raise FetchError(
            f"{parts.hostname} is a private or local address; importing from it is not allowed"
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path, usable[0]


def _connection(scheme: str, host: str, port: int, address: str, timeout: float):
    """A connection to the checked address, speaking to `host` (TLS name checked)."""
    if scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=timeout)
        context = ssl.create_default_context()

        def connect() -> None:
            sock = socket.create_connection((address, port), timeout=timeout)
            connection.sock = context.wrap_socket(sock, server_hostname=host)

    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)

        def connect() -> None:
            connection.sock = socket.create_connection((address, port), timeout=timeout)

    connection.connect = connect
    return connection


def fetch(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    total_timeout: float = TOTAL_TIMEOUT,
    allow_private: bool | None = None,
) -> Fetched:
    """The body of an http(s) URL, or FetchError saying why not."""
    if allow_private is None:
        allow_private = getattr(settings, "CATALOG_IMPORT_ALLOW_PRIVATE_URLS", False)
    deadline = time.monotonic() + total_timeout
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port, path, address = _target(url, allow_private)
        remaining = deadline - time.monotonic()
        connection = _connection(scheme, host, port, address, min(CONNECT_TIMEOUT, remaining))
        try:
            connection.request(
                "GET",
                path,
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
            )
            response = connection.getresponse()
            if response.status in REDIRECTS and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if not 200 <= response.status < 300:
                raise FetchError(f"the server answered {response.status} {response.reason}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
            body = _read(response, max_bytes, deadline)
            return Fetched(url, response.getheader("Content-Type", ""), body)
        except TimeoutError as exc:
            raise FetchError("the server took too long to answer") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"the download failed ({exc.__class__.__name__})") from exc
        finally:
            connection.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _read(response, max_bytes: int, deadline: float) -> bytes:
    """The body, in chunks: each read waits at most the socket's timeout, and the
    whole stops at the deadline (a server dripping bytes cannot hold us)."""
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read1(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
        chunks.append(chunk)
