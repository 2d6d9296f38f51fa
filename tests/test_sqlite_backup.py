"""The documented backup command makes a consistent copy of a live SQLite database."""

import os
import sqlite3
import subprocess
import sys

from tests.conftest import ROOT


def manage(db, *args):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SQLITE_PATH"] = str(db)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_backup_and_restore_keep_every_row(tmp_path):
    live, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    assert manage(live, "migrate", "-v0").returncode == 0
    assert manage(live, "load_catalog").returncode == 0
    script = (
        "from django.contrib.auth.models import User; from planner import queue;"
        "from sessions.models import Talk;"
        "u = User.objects.create_user('ann', 'a@example.com', 'x');"
        "[queue.track(u, t) for t in Talk.objects.all()[:5]]"
    )
    assert manage(live, "shell", "-c", script).returncode == 0
    result = manage(live, "sqlite_backup", str(copy))
    assert result.returncode == 0, result.stderr
    assert "integrity ok" in result.stdout
    before = counts(live)
    assert before["talk_sessions_talk"] == 13 and before["planner_entry"] == 5
    assert counts(copy) == before

    # Lose data, then restore it.
    assert (
        manage(
            live, "shell", "-c", "from planner.models import Entry; Entry.objects.all().delete()"
        ).returncode
        == 0
    )
    assert counts(live)["planner_entry"] == 0
    result = manage(live, "sqlite_restore", str(copy), "--yes")
    assert result.returncode == 0, result.stderr
    assert counts(live) == before


def test_backup_refuses_to_overwrite(tmp_path):
    live = tmp_path / "live.sqlite3"
    manage(live, "migrate", "-v0")
    (tmp_path / "exists.sqlite3").write_text("x")
    result = manage(live, "sqlite_backup", str(tmp_path / "exists.sqlite3"))
    assert result.returncode != 0
    assert "exists already" in result.stderr
