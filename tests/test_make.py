"""`make test` without Chromium says what to do in one line (and honours CHROMIUM)."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.serving import free_port
from tests.conftest import ROOT


def test_make_names_what_to_install_in_one_line():
    result = subprocess.run(
        ["make", "--no-print-directory", "chromium-check", "CHROMIUM=/nonexistent/chromium"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    # make's own "make: ***" (or "make[1]: ***" under another make) is not ours.
    said = [
        line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)
    ]
    assert len(said) == 1
    assert "/nonexistent/chromium" in said[0] and "apt-get install -y chromium" in said[0]


def test_make_accepts_a_chromium_elsewhere(tmp_path):
    chromium = tmp_path / "my-chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    result = subprocess.run(
        ["make", "--no-print-directory", "chromium-check", f"CHROMIUM={chromium}"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_pytest_says_it_once_without_a_traceback(tmp_path):
    # A database of its own: never this run's test database, which it would make and drop.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SQLITE_PATH"] = str(tmp_path / "child.sqlite3")
    env["CHROMIUM"] = "/nonexistent/chromium"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/browser/test_accessibility.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert result.stdout.count("No Chromium at /nonexistent/chromium") == 1
    assert "apt-get install -y chromium" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def make_dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args], cwd=ROOT, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return result.stdout


def test_make_run_serves_as_people_run_it_at_home(tmp_path):
    """DEBUG off, plain HTTP, a key of its own; `make dev` keeps DEBUG and autoreload."""
    said = make_dry_run("run", f"SECRET_FILE={tmp_path}/key")
    serve = next(line for line in said.splitlines() if "honcho" in line)
    assert "DEBUG=false" in serve and "HTTPS=false" in serve
    assert f'SECRET_KEY="$(cat {tmp_path}/key)"' in serve
    assert 'ALLOWED_HOSTS="127.0.0.1,localhost,[::1],127.0.0.1"' in serve
    assert "GUNICORN_BIND=127.0.0.1:8000" in serve
    dev = make_dry_run("dev", "PORT=9001")
    assert "manage.py runserver 127.0.0.1:9001" in dev and "DEBUG=false" not in dev


def test_make_run_on_the_home_network_allows_this_machines_names():
    serve = next(
        line for line in make_dry_run("run", "HOST=0.0.0.0").splitlines() if "honcho" in line
    )
    assert "GUNICORN_BIND=0.0.0.0:8000" in serve
    assert "$(hostname).local" in serve and "$(hostname -I" in serve


def test_the_secret_key_is_made_once_and_kept_private(tmp_path):
    key = tmp_path / "data" / "secret_key"
    run = ["make", "--no-print-directory", str(key), f"SECRET_FILE={key}"]
    subprocess.run(run, cwd=ROOT, capture_output=True, check=True)
    first = key.read_text()
    subprocess.run(run, cwd=ROOT, capture_output=True, check=True)

    assert key.read_text() == first and len(first.strip()) >= 50
    assert key.stat().st_mode & 0o077 == 0


def test_make_run_starts_the_web_server_and_the_worker_and_ctrl_c_stops_both(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env["SQLITE_PATH"] = str(tmp_path / "run.sqlite3")
    port = free_port()
    run = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}", f"SECRET_FILE={tmp_path}/key"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )  # fmt: skip
    said: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not (
            any("Starting worker" in line for line in said) and answers(port)
        ):
            said.append(run.stdout.readline())
        assert answers(port), "".join(said)
        assert any(re.match(r"\S+ worker\.1 +\| Starting worker", line) for line in said)
        assert len(using(env["SQLITE_PATH"])) >= 4  # make, honcho, gunicorn (2+), the worker
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        rest, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert not answers(port)
    with pytest.raises(ProcessLookupError):
        os.killpg(run.pid, 0)
    # honcho starts each process in a group of its own: look for them by their database.
    assert using(env["SQLITE_PATH"]) == []  # nothing of it is left running
    assert "worker.1 stopped" in rest and "web.1 stopped" in rest


def using(sqlite_path: str) -> list[int]:
    """The processes whose environment names this database."""
    marker = f"SQLITE_PATH={sqlite_path}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # ended meanwhile, or not ours to read
            continue
    return found


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False
