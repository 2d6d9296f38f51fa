"""Two app servers, one database: a person signs in on one and carries on on the other."""

import gzip
import http.client
import re
import secrets

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from benchmarks.httpclient import Tab
from benchmarks.serving import gunicorn, production_env
from planner.models import Entry
from tests.conftest import PASSWORD


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    # One SECRET_KEY for both, as a real deployment has: sessions and CSRF tokens
    # made by one server must hold on the other.
    env = production_env(secrets.token_urlsafe(50), STATIC_ROOT=str(tmp_path / "static"),
                         WEB_CONCURRENCY="1")  # fmt: skip
    with gunicorn(env) as (port_a, _), gunicorn(env) as (port_b, _):
        yield port_a, port_b


def test_sign_in_on_one_server_continue_on_the_other(two_servers, alice, catalog):
    port_a, port_b = two_servers
    # The servers use the real hasher list; the test settings' fast one is not in it.
    hasher = PBKDF2PasswordHasher()
    alice.password = hasher.encode(PASSWORD, hasher.salt())
    alice.save()
    tab = Tab("127.0.0.1", port_a)
    tab.sign_in("alice", PASSWORD)
    # Same cookies, other server: signed in there too, and its CSRF check passes.
    other = Tab("127.0.0.1", port_b)
    other.cookies = tab.cookies
    status, _ = other.post(f"/talks/{catalog[2].pk}/track/", {"status": "queued"})
    assert status == 302
    entry = Entry.objects.get(user=alice, talk=catalog[2])
    status, _ = other.post(f"/entries/{entry.pk}/rating/", {"rating": "5"})
    assert status == 302
    # Back on the first server: one consistent state.
    status, html = tab.get("/queue/")
    assert status == 200
    assert "Werner Vogels - CTO AWS" in html
    assert 'aria-pressed="true" aria-label="5 stars"' in html
    # Signing out on one ends the session on both.
    tab.post("/accounts/logout/")
    status, _ = other.get("/queue/")
    assert status == 302


def test_static_files_are_compressed_and_cached_for_good(two_servers, db):
    port, _ = two_servers
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse().read().decode()
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)[1]  # hashed name
    conn.request("GET", css, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert "max-age=315360000" in response.getheader("Cache-Control")
    assert "immutable" in response.getheader("Cache-Control")
    assert b"prefers-color-scheme" in gzip.decompress(body)
