"""`make run` at home: production settings over plain HTTP (HTTPS=false). The app's own
error pages, cookies a browser keeps over http://, no redirect to https:// and no HSTS."""

import secrets

import pytest

from benchmarks.httpclient import Tab
from benchmarks.serving import gunicorn, production_env


@pytest.fixture
def home_server(transactional_db, tmp_path, catalog):
    env = production_env(secrets.token_urlsafe(50), STATIC_ROOT=str(tmp_path / "static"),
                         WEB_CONCURRENCY="1", HTTPS="false")  # fmt: skip
    del env["SECURE_SSL_REDIRECT"]  # as `make run` leaves it: HTTPS=false alone turns it off
    with gunicorn(env) as (port, _server):
        yield port


def test_a_home_server_answers_over_http_with_its_own_pages(home_server, alice):
    tab = Tab("127.0.0.1", home_server)
    status, html = tab.get("/")
    assert status == 200

    tab.conn.request("GET", "/accounts/login/", headers={"Host": f"127.0.0.1:{home_server}"})
    response = tab.conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie")
    assert "csrftoken=" in cookie and "Secure" not in cookie
    assert response.getheader("Strict-Transport-Security") is None

    status, html = tab.get("/no-such-page/")
    assert status == 404
    assert "<h1>Not found</h1>" in html and "Traceback" not in html and "URLconf" not in html


def test_someone_can_sign_in_over_plain_http(home_server, alice):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from tests.conftest import PASSWORD

    hasher = PBKDF2PasswordHasher()  # the server uses the real hasher list
    alice.password = hasher.encode(PASSWORD, hasher.salt())
    alice.save()
    tab = Tab("127.0.0.1", home_server)
    tab.sign_in("alice", PASSWORD)
    status, html = tab.get("/queue/")
    assert status == 200 and "My queue" in html
