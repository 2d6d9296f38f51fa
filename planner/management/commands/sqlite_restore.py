import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = (
        "Replace the live SQLite database with a copy made by sqlite_backup. "
        "Stop the web server first: everything written since the copy is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args, path: Path, yes: bool, **options) -> None:
        if connection.vendor != "sqlite":
            raise CommandError("This database is not SQLite: restore it with pg_restore.")
        if not path.is_file():
            raise CommandError(f"{path}: no such backup file.")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise CommandError(f"{path} failed its integrity check: {check}")
            if not yes and input(f"Replace {connection.settings_dict['NAME']}? [y/N] ") != "y":
                raise CommandError("Nothing restored.")
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
        self.stdout.write(f"Restored {connection.settings_dict['NAME']} from {path}.")
