"""Settings come from the environment; the local database is tuned for several workers."""

import os
import secrets
import subprocess
import sys

from tests.conftest import ROOT


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    full_env.update(env, DJANGO_SETTINGS_MODULE="planner.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sqlite_file_uses_wal_immediate_and_busy_timeout(tmp_path):
    result = run_python(
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0])\n"
        "print(c.execute('PRAGMA busy_timeout').fetchone()[0])\n"
        "print(connection.transaction_mode)\n",
        SQLITE_PATH=str(tmp_path / "x.sqlite3"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"]


def test_database_url_switches_to_postgresql():
    result = run_python(
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(db['ENGINE'], db['NAME'], db['HOST'], db['PORT'])",
        DATABASE_URL="postgres://someone@db.internal:5433/planner",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "planner.serving.postgresql",  # Django's, its health check cheaper
        "planner",
        "db.internal",
        "5433",
    ]


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment when DEBUG is off." in result.stderr


def test_bad_boolean_in_environment_is_reported():
    result = run_python("", DEBUG="maybe")
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_smtp_from_environment():
    result = run_python(
        "from django.core import mail\n"
        "m = mail.mailers['default']\n"
        "print(type(m).__module__, m.host, m.port)",
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="2525",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.smtp", "smtp.example.com", "2525"]


def test_benchmark_tools_are_not_installed_in_a_deployment():
    code = "from django.conf import settings; print('benchmarks' in settings.INSTALLED_APPS)"
    production = run_python(
        code, DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="x"
    )
    assert production.stdout.strip() == "False", production.stderr
    asked = run_python(
        code, DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), PLANNER_TOOLS="true"
    )
    assert asked.stdout.strip() == "True", asked.stderr
