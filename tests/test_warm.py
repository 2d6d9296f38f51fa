"""Workers start warm (gunicorn's preload_app and planner.serving.warm), and nothing of the
master's database connection reaches them."""

import os
import secrets
from pathlib import Path

import pytest
from django.db import connection, connections

from benchmarks.httpclient import Tab
from benchmarks.serving import gunicorn, production_env
from planner import queue
from planner.models import Entry
from planner.serving import backends, warm


def test_warming_compiles_templates_draws_the_catalog_and_closes_connections(
    transactional_db, catalog
):
    for alias in connections:
        if hasattr(connections[alias], backends.SESSION_ATTRIBUTE):
            delattr(connections[alias], backends.SESSION_ATTRIBUTE)
    assert warm.warm() < 60
    for alias in connections:
        assert connections[alias].connection is None
        # Compiled for the workers to inherit: their first signed-in request needn't.
        assert hasattr(connections[alias], backends.SESSION_ATTRIBUTE)


def _database_handles(pid: int) -> list[str]:
    """Open files or sockets of the process that lead to the test database."""
    found = []
    fds = Path(f"/proc/{pid}/fd")
    targets = [os.readlink(fd) for fd in fds.iterdir() if fd.is_symlink()]
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return [t for t in targets if t.startswith(name)]
    inodes = {t[8:-1] for t in targets if t.startswith("socket:[")}
    port = f":{int(connection.settings_dict.get('PORT') or 5432):04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[2].endswith(port) and fields[9] in inodes:
                found.append(fields[2])
    return found


@pytest.fixture
def preloaded(transactional_db, tmp_path, catalog):
    env = production_env(secrets.token_urlsafe(50), STATIC_ROOT=str(tmp_path / "static"),
                         WEB_CONCURRENCY="2")  # fmt: skip
    with gunicorn(env) as (port, server):
        yield port, server


def test_the_master_holds_no_database_connection_after_warming(preloaded):
    port, server = preloaded
    status, _ = Tab("127.0.0.1", port).get("/")
    assert status == 200
    assert _database_handles(server.pid) == []


def test_each_worker_answers_a_request_of_its_own_before_it_takes_any(preloaded):
    """gunicorn's post_worker_init (planner.serving.warm.first_request): a new worker has
    its database open before anyone asks it anything, so nobody's request pays for that."""
    import time

    port, server = preloaded
    for _ in range(200):
        workers = _workers(server.pid)
        if len(workers) == 2 and all(_database_handles(pid) for pid in workers):
            break
        time.sleep(0.05)
    assert len(workers) == 2
    assert all(_database_handles(pid) for pid in workers)
    assert Tab("127.0.0.1", port).get("/")[0] == 200


def test_a_page_drawn_after_a_write_in_another_worker_is_fresh(preloaded, alice, catalog):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from tests.conftest import PASSWORD

    hasher = PBKDF2PasswordHasher()  # the servers use the real hasher list
    alice.password = hasher.encode(PASSWORD, hasher.salt())
    alice.save()
    port, _ = preloaded
    queue.track(alice, catalog[0])
    tab = Tab("127.0.0.1", port)
    tab.sign_in("alice", PASSWORD)
    page = catalog[0].get_absolute_url()
    for _ in range(6):  # each worker draws and keeps the talk page
        assert tab.get(page)[0] == 200
    entry = Entry.objects.get(user=alice, talk=catalog[0])
    status, _ = tab.post(f"/entries/{entry.pk}/note/", {"note": "fresh words", "base": ""})
    assert status == 302
    for _ in range(6):  # whichever worker answers
        status, html = tab.get(page)
        assert status == 200 and "fresh words" in html


def test_the_master_hides_what_it_built_from_the_collector_before_forking(monkeypatch):
    """A worker's first full collection would walk (and copy) the master's whole heap:
    gc.freeze() in on_starting moves it out of sight (p99 of the catalog with recycling
    217 -> 15 ms at 10,000 talks, docs/performance.md)."""
    import gc
    import importlib.util

    from planner.serving import warm

    monkeypatch.setattr(warm, "warm", lambda: 0.0)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    gc.unfreeze()
    try:
        conf.on_starting(None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def test_new_workers_answer_from_the_pages_the_old_ones_kept(
    transactional_db, tmp_path, alice, catalog
):
    """Kept pages are in files every worker shares (planner.serving.store): a worker
    gunicorn starts in place of another finds the person's page drawn before it."""
    import http.client
    import signal
    import time

    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from tests.conftest import PASSWORD

    hasher = PBKDF2PasswordHasher()  # the servers use the real hasher list
    alice.password = hasher.encode(PASSWORD, hasher.salt())
    alice.save()
    queue.track(alice, catalog[0])
    env = production_env(
        STATIC_ROOT=str(tmp_path / "static"),
        WEB_CONCURRENCY="2",
        QUERY_COUNT_HEADER="true",
        KEPT_PAGES_DIR=str(tmp_path / "kept"),
    )
    with gunicorn(env) as (port, server):
        tab = Tab("127.0.0.1", port)
        tab.sign_in("alice", PASSWORD)

        def queries() -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            cookies = "; ".join(f"{k}={v}" for k, v in tab.cookies.items())
            conn.request("GET", "/queue/", headers={"Cookie": cookies})
            response = conn.getresponse()
            assert response.status == 200 and catalog[0].title in response.read().decode()
            return int(response.getheader("X-Query-Count"))

        assert queries() > 4  # drawn
        old = _workers(server.pid)
        for pid in old:
            os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            new = _workers(server.pid)
            if len(new) == 2 and not new & old:
                break
            time.sleep(0.05)
        assert len(new) == 2 and not new & old
        # Kept: the session with its person, their stamps and the catalog's version.
        assert queries() == 1
    assert any((tmp_path / "kept").iterdir())


def test_the_benchmarks_bare_view_starts_under_the_production_config(tmp_path):
    # The same gunicorn.conf.py serves the benchmark's baseline, which has no planner:
    # warming must leave it alone (it once stopped it from starting at all).
    env = production_env(secrets.token_urlsafe(50), DJANGO_SETTINGS_MODULE="benchmarks.bare")
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log, app="benchmarks.bare:application") as (port, _):
        status, text = Tab("127.0.0.1", port).get("/")
    assert (status, text) == (200, "ok")


def test_a_failing_first_request_leaves_the_worker_to_serve(caplog):
    def broken(environ, start_response):
        raise RuntimeError("the database is away")

    assert warm.first_request(broken) >= 0
    assert "first request failed" in caplog.text


RETIRING = """
import atexit, importlib.util, sys
import django
django.setup()
spec = importlib.util.spec_from_file_location("gunicorn_conf", "gunicorn.conf.py")
conf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conf)
atexit.register(lambda: print("torn down", flush=True))
print("serving", flush=True)
try:
    {ending}
finally:
    conf.worker_exit(None, None)  # as gunicorn calls it, the worker's SystemExit raised
"""


@pytest.mark.parametrize(
    ("ending", "status", "torn_down"),
    [
        ("sys.exit(0)", 0, False),  # recycled, or stopped
        ("sys.exit(3)", 3, False),  # gunicorn's "the worker failed to boot": the master halts
        ("sys.exit('cannot serve')", 1, False),
        ("raise RuntimeError", 1, True),  # not a way gunicorn ends a worker: left to Python
    ],
)
def test_a_retiring_worker_skips_the_interpreters_teardown_and_keeps_its_exit_status(
    tmp_path, ending, status, torn_down
):
    """gunicorn's worker_exit (planner.serving.warm.leave): freeing the objects a worker
    shares with the master copied them, page by page, at every recycle."""
    import subprocess
    import sys

    env = production_env(secrets.token_urlsafe(50), DJANGO_SETTINGS_MODULE="planner.settings")
    done = subprocess.run(
        [sys.executable, "-c", RETIRING.format(ending=ending)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == status, done.stderr
    assert done.stdout.startswith("serving")
    assert ("torn down" in done.stdout) is torn_down
    assert ("cannot serve" in done.stderr) is (ending == "sys.exit('cannot serve')")


def test_recycled_workers_leave_and_new_ones_serve(transactional_db, tmp_path, catalog):
    """With gunicorn recycling after a few requests, every request is answered and each
    retired worker ends with status 0 (the master logs any other)."""
    env = production_env(
        secrets.token_urlsafe(50),
        STATIC_ROOT=str(tmp_path / "static"),
        WEB_CONCURRENCY="2",
        GUNICORN_MAX_REQUESTS="3",
        GUNICORN_MAX_REQUESTS_JITTER="0",
    )
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as (port, server):
        first = _workers(server.pid)
        for _ in range(20):
            status, html = Tab("127.0.0.1", port).get("/")
            assert status == 200 and catalog[0].title in html
        assert not first & _workers(server.pid)
    text = log.read_text()
    assert text.count("Autorestarting worker after current request") >= 4
    assert "exited with code" not in text and "Exception during worker exit" not in text
