from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions.catalog import CatalogError
from sessions.writer import write_catalog
from sessions.writeup import decode, parse_writeup


class Command(BaseCommand):
    help = "Import (or update) a conference from a Markdown writeup. Atomic and idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--source-url", default="", help="Where the writeup was published")

    def handle(self, *args, path: Path, source_url: str, **options) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror})") from exc
        try:
            result = write_catalog(parse_writeup(decode(data)), source_url=source_url)
        except CatalogError as exc:
            raise CommandError(f"{path}: {exc}. Nothing was imported.") from exc
        self.stdout.write(
            f"{result.conference.name}: {result.created} talks created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        if result.not_in_file:
            self.stdout.write(
                f"{result.not_in_file} talks of this conference are not in the file; "
                "left as they are."
            )
