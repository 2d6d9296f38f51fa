"""Who is asking: the one rule for a request's client address.

Behind a proxy, REMOTE_ADDR is the proxy. X-Forwarded-For is believed only when the
request comes from a proxy named in TRUSTED_PROXIES; then the client is the right-most
address in it that is not one of those proxies (everything left of that could have been
written by the client itself). Rate limits, django-axes and gunicorn's access log all
ask this module, so a client cannot spoof its way out of a limit, and one client cannot
use up a limit for everyone behind the proxy.

Plain Python (no Django import): gunicorn.conf.py uses it too.
"""

import ipaddress
from collections.abc import Iterable, Mapping

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(value: str | Iterable[str]) -> tuple[Network, ...]:
    """'10.0.0.1, 192.168.0.0/16, ::1' -> networks; ValueError names a bad entry."""
    items = value.split(",") if isinstance(value, str) else value
    networks = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"{item!r} is not an address or a network (CIDR)") from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:51234"
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(meta: Mapping[str, str], proxies: tuple[Network, ...]) -> str | None:
    """The client's address for a WSGI environ / request.META; None when it has none
    (a unix socket, a request built in code)."""
    peer = _address(meta.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    if not proxies or not _trusted(peer, proxies):
        return str(peer)
    hops = [h for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Garbage where an address should be: nothing left of it can be believed.
            break
        if not _trusted(address, proxies):
            return str(address)
        peer = address
    # Every hop was one of ours (or the header was missing): the left-most proxy we reached.
    return str(peer)
