import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = (
        "Copy the live SQLite database to PATH with SQLite's online backup API: a consistent "
        "snapshot, taken while the site keeps serving. (On PostgreSQL use pg_dump.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if connection.vendor != "sqlite":
            raise CommandError("This database is not SQLite: back it up with pg_dump.")
        if path.exists():
            raise CommandError(f"{path} exists already; choose a new file name.")
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            with target:
                connection.connection.backup(target)
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
        if check != "ok":
            raise CommandError(f"The copy failed its integrity check: {check}")
        self.stdout.write(f"Backed up to {path} ({path.stat().st_size} bytes, integrity ok).")
