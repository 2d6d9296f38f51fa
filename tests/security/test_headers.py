"""Headers that keep pages safe: CSP with a nonce, no caching of personal pages, deploy checks."""

import os
import re
import secrets
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_csp_allows_only_our_scripts_with_a_nonce(client, catalog):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])[1]
    assert directives["script-src"] == f"'self' 'nonce-{nonce}'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert len(scripts) == 2  # htmx and ours
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "style=" not in html and "<style" not in html
    # htmx is told not to eval and not to inject styles.
    assert '"allowEval": false' in html and '"includeIndicatorStyles": false' in html
    assert '"selfRequestsOnly": true' in html


def test_nonce_is_new_for_every_response(client, catalog):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_htmx_varying_pages_say_so(client, alice_client, catalog):
    assert "HX-Request" in alice_client.get("/").headers["Vary"]
    assert "HX-Request" in alice_client.get("/queue/").headers["Vary"]


def test_personal_pages_are_private_no_store(alice_client, catalog):
    for url in ["/settings/", "/lists/", "/plan/"]:
        cache_control = alice_client.get(url).headers["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url


def test_kept_personal_pages_are_private_and_revalidated(alice_client, catalog):
    """Kept pages carry an ETag: a browser may store them but must ask before using them
    (planner.serving.kept answers 304 while nothing on them changed); never a shared cache."""
    for url in ["/", "/queue/", "/watched/"]:
        alice_client.get(url)  # the first answer sets the CSRF cookie and is not kept
        response = alice_client.get(url)
        cache_control = response.headers["Cache-Control"]
        assert "private" in cache_control and "no-cache" in cache_control, url
        assert "no-store" not in cache_control and response.headers["ETag"], url


def test_anonymous_catalog_may_be_cached(client, catalog):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_other_security_headers(client, catalog):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Not the test run's own switches: this is what a production start sees.
    skip = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in skip}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="planner.example.com",
        EMAIL_HOST="smtp.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("key", ["short", "a" * 60])
def test_production_refuses_a_weak_secret_key(key):
    result = _manage("check", DEBUG="false", SECRET_KEY=key, ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 random characters." in result.stderr


def test_proxy_header_and_ssl_redirect_from_the_environment():
    code = (
        "from django.conf import settings;"
        "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), settings.SECURE_SSL_REDIRECT)"
    )
    base = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "x"}
    result = _manage("shell", "-c", code, **base)
    assert result.stdout.strip().splitlines()[-1] == "None True"
    result = _manage(
        "shell", "-c", code, TRUST_X_FORWARDED_PROTO="true", SECURE_SSL_REDIRECT="false", **base
    )
    assert result.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https') False"
