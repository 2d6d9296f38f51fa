"""sessions.fetch: what it opens, what it refuses, and how it stops."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sessions import fetch
from sessions.fetch import FetchError


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        path = self.path
        if path == "/ok":
            self._send(200, b'{"schedule": {}}', "application/json")
        elif path.startswith("/hops/"):
            n = int(path.rsplit("/", 1)[1])
            if n == 0:
                self._send(200, b"arrived", "text/plain")
            else:
                self._redirect(f"/hops/{n - 1}")
        elif path == "/elsewhere":
            self._redirect(f"http://127.0.0.2:{self.server.server_port}/ok")
        elif path == "/big":
            self._send(200, b"x" * 5000, "text/plain")
        elif path == "/big-undeclared":
            self.send_response(200)
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"y" * 1000)
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, b"late", "text/plain")
        elif path == "/drip-headers":
            # One byte a second, headers never finished: each read returns in time.
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Pad: aaaaaaaaaa":
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1.0)
        elif path.startswith("/slow-hops/"):
            time.sleep(0.4)
            n = int(path.rsplit("/", 1)[1])
            if n == 0:
                self._send(200, b"arrived", "text/plain")
            else:
                self._redirect(f"/slow-hops/{n - 1}")
        else:
            self._send(404, b"no", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that stops reading at its size cap breaks the pipe, as it should


@pytest.fixture(scope="module")
def server():
    # 0.0.0.0: reachable as 127.0.0.1 and as 127.0.0.2, two "different servers".
    httpd = Server(("0.0.0.0", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_fetches_a_local_file_when_private_addresses_are_allowed(server):
    got = fetch.fetch(f"{server}/ok", allow_private=True)
    assert (got.body, got.content_type) == (b'{"schedule": {}}', "application/json")


def test_private_addresses_are_refused_by_default(server, settings):
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = False
    with pytest.raises(FetchError, match="private or local address"):
        fetch.fetch(f"{server}/ok")
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True  # the documented switch
    assert fetch.fetch(f"{server}/ok").body == b'{"schedule": {}}'


def test_the_resolved_address_is_checked_not_the_name(monkeypatch):
    monkeypatch.setattr(fetch, "_addresses", lambda host, port: ["10.1.2.3"])
    with pytest.raises(FetchError, match="private or local address"):
        fetch.fetch("https://conference.example.org/schedule.json", allow_private=False)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.8", "172.16.5.4", "192.168.1.1", "169.254.169.254", "224.0.0.1",
     "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "100.64.0.1",
     # IPv4 inside IPv6: NAT64, 6to4, IPv4-compatible, mapped.
     "64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::", "2002:c0a8:101::1", "::127.0.0.1",
     "::10.0.0.1", "::ffff:10.0.0.1",
     # What Python before 3.12.4 misjudged (CVE-2024-4032), and other reserved ranges.
     "192.0.0.8", "192.0.0.171", "192.0.2.1", "198.51.100.1", "203.0.113.1", "198.18.0.1",
     "240.0.0.1", "255.255.255.255", "2001:db8::1", "2001::1", "2001:2::1", "64:ff9b:1::1",
     "100::1", "fec0::1", "ff02::1"],
)  # fmt: skip
def test_no_local_private_or_reserved_address_counts_as_public(address):
    assert not fetch._allowed(address)


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822",
     "2002:5db8:d822::1", "::ffff:93.184.216.34"],
)  # fmt: skip
def test_public_addresses_are_allowed(address):
    assert fetch._allowed(address)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://example.org/schedule.xml", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("https://user:secret@example.org/s.json", "user name or password"),
        ("https:///nohost", "no server name"),
        ("http://example.org:99999/", "invalid port"),
    ],
)
def test_bad_addresses_are_refused_before_any_connection(url, why, monkeypatch):
    def no_lookup(host, port):
        raise AssertionError("looked up a name it should have refused")

    monkeypatch.setattr(fetch, "_addresses", no_lookup)
    with pytest.raises(FetchError, match=why):
        fetch.fetch(url, allow_private=True)


def test_redirects_are_followed_three_times_at_most(server):
    assert fetch.fetch(f"{server}/hops/3", allow_private=True).body == b"arrived"
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch.fetch(f"{server}/hops/4", allow_private=True)


def test_every_redirect_is_checked_again(server, monkeypatch):
    # Only 127.0.0.1 counts as allowed here; the redirect goes to 127.0.0.2.
    monkeypatch.setattr(fetch, "_allowed", lambda address: address == "127.0.0.1")
    assert fetch.fetch(f"{server}/ok", allow_private=False).body
    with pytest.raises(FetchError, match="127.0.0.2 is a private or local address"):
        fetch.fetch(f"{server}/elsewhere", allow_private=False)


def test_size_is_capped_declared_or_not(server):
    with pytest.raises(FetchError, match="larger than"):
        fetch.fetch(f"{server}/big", allow_private=True, max_bytes=1000)
    with pytest.raises(FetchError, match="larger than"):
        fetch.fetch(f"{server}/big-undeclared", allow_private=True, max_bytes=10_000)


def test_a_slow_server_times_out(server):
    with pytest.raises(FetchError, match="did not answer within 0.5 s"):
        fetch.fetch(f"{server}/slow", allow_private=True, deadline=0.5)


def test_one_deadline_of_twenty_seconds_by_default(server, monkeypatch):
    assert fetch.DEADLINE == 20
    monkeypatch.setattr(fetch, "DEADLINE", 0.5)
    with pytest.raises(FetchError, match="^the source did not answer within 0.5 s$"):
        fetch.fetch(f"{server}/slow", allow_private=True)


def test_headers_dripped_a_byte_at_a_time_stop_at_the_deadline(server):
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer within 2.5 s"):
        fetch.fetch(f"{server}/drip-headers", allow_private=True, deadline=2.5)
    assert time.monotonic() - started < 3.5


def test_slow_redirects_share_one_deadline(server):
    # Three hops of 0.4 s each: past a 1-second deadline in the middle of the chain.
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer within 1 s"):
        fetch.fetch(f"{server}/slow-hops/3", allow_private=True, deadline=1.0)
    assert time.monotonic() - started < 1.6
    assert fetch.fetch(f"{server}/slow-hops/1", allow_private=True, deadline=5).body == b"arrived"


def test_a_name_that_hangs_in_the_resolver_stops_at_the_deadline(monkeypatch):
    monkeypatch.setattr(fetch, "_addresses", lambda host, port: time.sleep(3) or ["1.1.1.1"])
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer within 0.5 s"):
        fetch.fetch("https://conference.example.org/s.json", deadline=0.5)
    assert time.monotonic() - started < 1.5


def test_every_resolved_address_is_checked_and_tried_in_turn(monkeypatch):
    tried = []

    def refuse(self, address):
        tried.append(address[0])
        raise ConnectionRefusedError

    monkeypatch.setattr(fetch._DeadlineSocket, "connect", refuse)
    monkeypatch.setattr(
        fetch, "_addresses", lambda host, port: ["93.184.216.34", "127.0.0.1", "1.1.1.1"]
    )
    with pytest.raises(FetchError, match="cannot connect"):
        fetch.fetch("http://conference.example.org/s.json", allow_private=False)
    # The private address in the middle is never tried.
    assert tried == ["93.184.216.34", "1.1.1.1"]


def test_a_server_behind_a_second_address_is_reached(server, monkeypatch):
    # The server listens on 0.0.0.0 (IPv4 only): ::1 refuses, 127.0.0.1 answers.
    port = int(server.rsplit(":", 1)[1])
    monkeypatch.setattr(fetch, "_addresses", lambda host, p: ["::1", "127.0.0.1"])
    got = fetch.fetch(f"http://conference.test:{port}/ok", allow_private=True)
    assert got.body == b'{"schedule": {}}'


def test_an_error_status_is_reported(server):
    with pytest.raises(FetchError, match="404"):
        fetch.fetch(f"{server}/missing", allow_private=True)


def test_an_unknown_name_is_reported():
    with pytest.raises(FetchError, match="cannot find the server"):
        fetch.fetch("http://no-such-host.invalid/", allow_private=True)
