"""A PostgreSQL backup, as the README advises (`pg_dump`), restores whole into an empty
database and its search works there: pg_restore fills the talks' generated search column
again through talk_sessions_fold(), with the empty search_path it sets."""

import os
import shutil
import subprocess

import psycopg
import pytest
from django.db import connection

from sessions import search
from sessions.models import Talk

pytestmark = pytest.mark.django_db(transaction=True)


def server_args(settings: dict, name: str) -> list[str]:
    return [
        f"--host={settings['HOST'] or 'localhost'}",
        f"--port={settings['PORT'] or 5432}",
        f"--username={settings['USER']}",
        f"--dbname={name}",
    ]


def test_a_pg_dump_restores_into_an_empty_database_and_finds_as_before(catalog):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite is copied by manage.py sqlite_backup (tests/test_sqlite_backup.py)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed here")
    Talk.objects.filter(pk=catalog[0].pk).update(title="Ein Café in Zürich")
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""}
    dump = subprocess.run(
        ["pg_dump", "--format=custom", *server_args(settings, settings["NAME"])],
        capture_output=True, check=True, env=env,
    ).stdout  # fmt: skip
    copy = f"{settings['NAME']}_restored"
    server = {
        "host": settings["HOST"] or "localhost",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        admin.execute(f'CREATE DATABASE "{copy}"')
    try:
        restore = subprocess.run(
            ["pg_restore", "--exit-on-error", *server_args(settings, copy)],
            input=dump, capture_output=True, env=env,
        )  # fmt: skip
        assert restore.returncode == 0, restore.stderr.decode()
        with psycopg.connect(dbname=copy, **server) as restored:
            found = restored.execute(
                "SELECT title FROM talk_sessions_talk WHERE search_document @@ "
                f"{search.TSQUERY.format(repr('zürich & cafe'))}"
            ).fetchall()
            (count,) = restored.execute("SELECT count(*) FROM talk_sessions_talk").fetchone()
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
    assert found == [("Ein Café in Zürich",)]
    assert count == len(catalog)
