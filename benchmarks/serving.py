"""Real gunicorn servers on loopback with production settings, for the load test, the
benchmark and the two-server test: the same config file a deployment uses."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_env() -> dict[str, str]:
    """Environment that points a new process at the database this one uses (tests too)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"SQLITE_PATH": str(db["NAME"])}
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return {
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{host}:{db.get('PORT') or 5432}/"
        f"{db['NAME']}"
    }


def production_env(secret_key: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secret_key or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",  # loopback: no TLS proxy in front
            "EMAIL_HOST": "localhost",
            "GUNICORN_ACCESS_LOG": "",
            "AXES_FAILURE_LIMIT": "1000",  # many sign-ins from 127.0.0.1 on purpose
            **database_env(),
            **extra,
        }
    )
    return env


@contextmanager
def gunicorn(
    env: dict[str, str], log: Path | None = None, app: str = "planner.wsgi"
) -> Iterator[tuple[int, subprocess.Popen]]:
    """Collect static files (for the planner), start gunicorn with gunicorn.conf.py,
    yield (port, process)."""
    if app == "planner.wsgi":
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR, env=env, check=True,
        )  # fmt: skip
    port = free_port()
    output = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", app],
        cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError as exc:
                if server.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start (see {log})") from exc
                time.sleep(0.1)
        yield port, server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        if log:
            output.close()
