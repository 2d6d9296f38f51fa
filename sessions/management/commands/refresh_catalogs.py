from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions import refresh
from sessions.models import Conference


class Command(BaseCommand):
    help = (
        "Read the sources of the conferences that are due (or of every conference imported "
        "from an address, with --all, or of the ones named) now, in the foreground, and "
        "say what each gave. The worker does the same by itself on a schedule."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("conferences", nargs="*", metavar="CONFERENCE", help="A slug")
        parser.add_argument("--all", action="store_true", help="Every source, due or not")

    def handle(self, *args, conferences: list[str], all: bool, **options) -> None:
        if conferences:
            found = {c.slug: c for c in Conference.objects.filter(slug__in=conferences)}
            if missing := [slug for slug in conferences if slug not in found]:
                raise CommandError(f"no conference {', '.join(missing)}")
            chosen = [found[slug] for slug in conferences]
        elif all:
            chosen = list(Conference.objects.exclude(source_url="").order_by("pk"))
        else:
            chosen = refresh.due()
        if not chosen:
            self.stdout.write("Nothing is due: every source was read recently enough.")
            return
        failed = 0
        for conference in chosen:
            outcome = refresh.refresh(conference)
            failed += not outcome.ok
            for line in outcome.lines:
                self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} of {len(chosen)} sources failed")
