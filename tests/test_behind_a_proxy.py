"""Tried as a self-hoster runs it: gunicorn (production settings) behind a small proxy
on loopback that adds X-Forwarded-For, as nginx's proxy_add_x_forwarded_for does, with
TRUSTED_PROXIES naming it. Two people behind the proxy are two clients."""

import http.client
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from benchmarks.httpclient import Tab
from benchmarks.serving import gunicorn, production_env
from tests.conftest import PASSWORD


class Forwarding(BaseHTTPRequestHandler):
    """Passes each request on to the app, adding the client's address."""

    upstream: int = 0

    def log_message(self, *args) -> None:
        pass

    def forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        seen = self.headers.get("X-Forwarded-For")
        client = self.client_address[0]
        headers["X-Forwarded-For"] = f"{seen}, {client}" if seen else client
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=30)
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = forward


@pytest.fixture
def proxied(transactional_db, tmp_path, alice):
    hasher = PBKDF2PasswordHasher()  # the servers use the real hasher list
    alice.password = hasher.encode(PASSWORD, hasher.salt())
    alice.save()
    env = production_env(secrets.token_urlsafe(50), STATIC_ROOT=str(tmp_path / "static"),
                         WEB_CONCURRENCY="1", TRUSTED_PROXIES="127.0.0.1",
                         AXES_FAILURE_LIMIT="5")  # fmt: skip
    with gunicorn(env) as (port, _server):
        handler = type("ToApp", (Forwarding,), {"upstream": port})
        proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        yield proxy.server_port
        proxy.shutdown()


def sign_in(tab: Tab, password: str, **headers) -> int:
    tab.get("/accounts/login/")
    data = {"username": "alice", "password": password}
    return tab.post("/accounts/login/", data, headers=headers)[0]


def test_wrong_passwords_from_one_client_do_not_lock_out_another(proxied):
    mallory = Tab("127.0.0.1", proxied, source="127.0.0.2")
    statuses = [sign_in(mallory, "wrong") for _ in range(6)]
    assert statuses[-1] == 429  # mallory is locked out of alice's account...
    # ...even claiming to be someone else: the proxy appends the real address.
    assert sign_in(mallory, PASSWORD, **{"X-Forwarded-For": "127.0.0.9"}) == 429
    alice = Tab("127.0.0.1", proxied, source="127.0.0.3")
    assert sign_in(alice, PASSWORD) == 302  # alice, elsewhere, is not
