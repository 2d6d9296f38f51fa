from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions.catalog import CatalogError
from sessions.readers import FORMATS, read_source
from sessions.writer import report, write_catalog


class Command(BaseCommand):
    help = (
        "Import (or refresh) a conference from a file, a pyvideo folder or an http(s) URL: "
        "a writeup, frab/pretalx schedule.xml or .json, a media.ccc.de conference, a pyvideo "
        "folder, Sessionize All Data or a yt-dlp playlist. Atomic and idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="A file, a pyvideo folder or an http(s) URL")
        parser.add_argument(
            "--format", default="", choices=list(FORMATS), help="Skip detection from the content"
        )
        parser.add_argument(
            "--title", default="", help="The conference's name (Sessionize has none)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; write nothing"
        )

    def handle(self, *args, source: str, format: str, title: str, dry_run: bool, **options):
        try:
            parsed = read_source(source, format, title)
            url = source if source.startswith(("http://", "https://")) else ""
            result = write_catalog(parsed, source_url=url, dry_run=dry_run)
        except CatalogError as exc:
            raise CommandError(f"{source}: {exc}. Nothing was imported.") from exc
        for line in report(result):
            self.stdout.write(line)
