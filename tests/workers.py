"""`manage.py run_worker` in a process of its own, as a site runs it, on the test's
database: killed with SIGKILL once a test sees it busy, and run again to the end."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from django.conf import settings

from benchmarks.serving import database_env

COMMAND = [sys.executable, "manage.py", "run_worker", "--interval", "0.1"]


def environment(**extra: str) -> dict:
    env = {**os.environ, **database_env(), **extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def kill_when_busy(env: dict, busy: Callable[[], bool], what: str) -> None:
    """Start a worker, wait until `busy()` says it is in the middle of its task, SIGKILL it."""
    worker = subprocess.Popen(COMMAND, cwd=settings.BASE_DIR, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not busy() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert busy(), f"the worker never {what}"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()


def run_to_the_end(env: dict) -> str:
    """A worker that runs what is queued and exits; what it printed."""
    done = subprocess.run([*COMMAND, "--batch"], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout
