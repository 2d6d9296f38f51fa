import json

from django.core import serializers
from django.core.management.base import BaseCommand, CommandParser
from taggit.models import Tag

from sessions.models import Conference, Recording, TaggedTalk, Talk

# When an import ran, not what it brought: left out so the same source gives the same file.
MOMENTS = ("refreshed_at", "video_since")


def catalog_json(conference_slug: str) -> str:
    """The conference, its talks and topics as a loaddata fixture.

    Natural keys instead of ids, and a fixed order, so the same writeup
    always gives the same file on any database.
    """
    talks = Talk.objects.filter(conference__slug=conference_slug)
    links = TaggedTalk.objects.filter(content_object__in=talks).select_related(
        "tag", "content_object__conference"
    )
    objects = [
        *Conference.objects.filter(slug=conference_slug),
        *Tag.objects.filter(talk_sessions_taggedtalk_items__in=links).distinct().order_by("name"),
        *talks.select_related("conference").order_by("position"),
        *links.order_by("content_object__position", "tag__name"),
        *Recording.objects.filter(talk__in=talks)
        .select_related("talk__conference")
        .order_by("talk__position", "position"),
    ]
    data = serializers.serialize(
        "python", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    for row in data:
        for name in MOMENTS:
            row["fields"].pop(name, None)
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


class Command(BaseCommand):
    help = "Print one conference of the catalog as a fixture (natural keys, stable order)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("conference_slug")

    def handle(self, *args, conference_slug: str, **options) -> None:
        self.stdout.write(catalog_json(conference_slug))
