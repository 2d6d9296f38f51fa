from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions.catalog import CatalogError
from sessions.readers import read_source
from sessions.writer import report, write_catalog


class Command(BaseCommand):
    help = "Import (or update) a conference from a Markdown writeup. Atomic and idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--source-url", default="", help="Where the writeup was published")

    def handle(self, *args, path: Path, source_url: str, **options) -> None:
        try:
            result = write_catalog(read_source(str(path), "writeup"), source_url=source_url)
        except CatalogError as exc:
            raise CommandError(f"{path}: {exc}. Nothing was imported.") from exc
        for line in report(result):
            self.stdout.write(line)
