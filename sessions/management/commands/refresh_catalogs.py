from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions import details, feeds, refresh
from sessions.models import Conference, Feed


class Command(BaseCommand):
    help = (
        "Read the sources and YouTube feeds that are due (or, with --all, every one; or "
        "those of the conferences named) now, in the foreground, then the talk pages they "
        "name that changed (media.ccc.de's video and subtitle files), and say what each gave. "
        "The worker does the same by itself on a schedule."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("conferences", nargs="*", metavar="CONFERENCE", help="A slug")
        parser.add_argument("--all", action="store_true", help="Every source, due or not")

    def handle(self, *args, conferences: list[str], all: bool, **options) -> None:
        if conferences:
            found = {c.slug: c for c in Conference.objects.filter(slug__in=conferences)}
            if missing := [slug for slug in conferences if slug not in found]:
                raise CommandError(f"no conference {', '.join(missing)}")
            chosen = [found[slug] for slug in conferences if found[slug].source_url]
            chosen_feeds = list(Feed.objects.filter(conference__slug__in=conferences))
        elif all:
            chosen = list(Conference.objects.exclude(source_url="").order_by("pk"))
            chosen_feeds = list(Feed.objects.order_by("pk"))
        else:
            chosen, chosen_feeds = refresh.due(), refresh.due_feeds()
        outcomes = [refresh.refresh(c) for c in chosen]
        outcomes += [feeds.refresh_feed(f) for f in chosen_feeds]
        if not outcomes:
            self.stdout.write("Nothing is due: every source was read recently enough.")
            return
        for outcome in outcomes:
            for line in outcome.lines:
                self.stdout.write(line)
        for conference in chosen:  # then the talks' own pages (media.ccc.de's files)
            while lines := details.read_due(conference):
                self.stdout.write("\n".join(lines))
        if failed := sum(not o.ok for o in outcomes):
            raise CommandError(f"{failed} of {len(outcomes)} sources failed")
