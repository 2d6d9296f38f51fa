"""Behind the proxy the README recommends, limits key on the real client, and nobody
can forge their way out of one (planner.clientaddr)."""

import importlib.util
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from planner import clientaddr
from tests.conftest import PASSWORD

PROXY = "10.0.0.5"
TRUSTED = clientaddr.parse_proxies(f"{PROXY}, 192.168.7.0/24, fd00::/8")


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # No proxy in the way: the header is whatever the client wrote, ignored.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        ("203.0.113.9", "", "203.0.113.9"),
        # Through our proxy: the right-most address that is not ours.
        (PROXY, "198.51.100.1", "198.51.100.1"),
        (PROXY, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (PROXY, "198.51.100.1, 192.168.7.20", "198.51.100.1"),
        (PROXY, "2001:db8::7", "2001:db8::7"),
        (PROXY, "198.51.100.1:4431", "198.51.100.1"),
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (PROXY, "::ffff:198.51.100.1", "198.51.100.1"),
        ("::ffff:10.0.0.5", "198.51.100.1", "198.51.100.1"),
        # Only proxies (or nothing) in the header: the left-most proxy reached.
        (PROXY, "", PROXY),
        (PROXY, "192.168.7.20", "192.168.7.20"),
        # Garbage stops the walk: what is left of it can't be believed.
        (PROXY, "6.6.6.6, not-an-address", PROXY),
        ("fd00::1", "198.51.100.1", "198.51.100.1"),
    ],
)
def test_client_address_rule(remote, forwarded, client):
    meta = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    assert clientaddr.client_address(meta, TRUSTED) == client


def test_without_trusted_proxies_the_header_is_never_read():
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert clientaddr.client_address(meta, ()) == PROXY


def test_parse_proxies_names_a_bad_entry():
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        clientaddr.parse_proxies("10.0.0.1, 10.0.0.300")
    assert clientaddr.parse_proxies(" , ") == ()


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = TRUSTED


def _via(client_ip: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip}


def test_sign_in_lockout_keys_on_the_client_behind_the_proxy(client, alice, behind_proxy):
    for _ in range(6):
        response = client.post(
            "/accounts/login/", {"username": "alice", "password": "wrong"}, **_via("198.51.100.1")
        )
    assert response.status_code == 429
    # Another person behind the same proxy still signs in as alice with her password.
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, **_via("198.51.100.2")
    )
    assert response.status_code == 302


def test_spoofed_header_from_an_untrusted_address_changes_nothing(client, alice, behind_proxy):
    for n in range(6):
        response = client.post(
            "/accounts/login/",
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert response.status_code == 429


def test_signup_limit_keys_on_the_client_behind_the_proxy(client, db, settings, behind_proxy):
    settings.SIGNUP_RATE_PER_HOUR = 1
    data = {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post("/accounts/signup/", {"username": "u1", **data}, **_via("198.51.100.1"))
    client.logout()
    again = client.post("/accounts/signup/", {"username": "u2", **data}, **_via("198.51.100.1"))
    assert again.status_code == 429
    other = client.post("/accounts/signup/", {"username": "u3", **data}, **_via("198.51.100.2"))
    assert other.status_code == 302


def test_reset_limit_cannot_be_escaped_by_a_forged_header(client, alice, settings, behind_proxy):
    settings.RESET_RATE_PER_HOUR = 2
    statuses = [
        client.post(
            "/accounts/password_reset/",
            {"email": "alice@example.com"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    # ...while a client behind the trusted proxy has its own allowance.
    response = client.post(
        "/accounts/password_reset/", {"email": "alice@example.com"}, **_via("198.51.100.1")
    )
    assert response.status_code == 302


def test_gunicorn_access_log_names_the_client(monkeypatch, settings):
    monkeypatch.setenv("TRUSTED_PROXIES", PROXY)
    path = settings.BASE_DIR / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    logger = conf.ClientAddressLogger(Config())
    environ = {
        "REMOTE_ADDR": PROXY,
        "HTTP_X_FORWARDED_FOR": "198.51.100.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", sent=2, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    assert atoms["h"] == "198.51.100.1"


def test_no_address_is_none_not_a_made_up_one():
    # A request built in code (force_login's) or from a unix socket has no address:
    # django-axes stores None, never a string that is not an address.
    assert clientaddr.client_address({}, TRUSTED) is None
    assert clientaddr.client_address({"REMOTE_ADDR": ""}, ()) is None
