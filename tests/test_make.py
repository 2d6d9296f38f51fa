"""`make test` without Chromium says what to do in one line (and honours CHROMIUM)."""

import os
import re
import subprocess
import sys

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
