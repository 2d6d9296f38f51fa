"""Two app servers, one database: a person signs in on one and carries on on the other."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from planner.httpclient import Tab
from planner.models import Entry
from tests.conftest import PASSWORD, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),  # shared, as it must be
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_HOST": "localhost",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": "",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    ports, servers = [free_port(), free_port()], []
    for port in ports:
        servers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    "gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "planner.wsgi",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        )
    try:
        for port in ports:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
        yield ports
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(20)


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
    assert 'aria-label="Rated 5 of 5"' in html
    # Signing out on one ends the session on both.
    tab.post("/accounts/logout/")
    status, _ = other.get("/queue/")
    assert status == 302
