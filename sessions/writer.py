"""Apply a parsed catalog (sessions.catalog) to the database: the one writer every
reader shares. Atomic, idempotent (talks are matched by video id), in bulk."""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify
from taggit.models import Tag

from sessions.catalog import CatalogError, ParsedCatalog, ParsedTalk
from sessions.models import Conference, TaggedTalk, Talk
from sessions.topics import topics_for

YEAR = re.compile(r"\b(19|20)\d{2}\b")


@dataclass
class ImportResult:
    conference: Conference
    created: int
    updated: int
    unchanged: int
    not_in_file: int


def _unique_slug(title: str, taken: set[str]) -> str:
    base = slugify(title)[:110] or "talk"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


TALK_FIELDS = [
    "kind",
    "title",
    "slug",
    "speaker_name",
    "speaker_role",
    "tagline",
    "verdict",
    "outline",
    "position",
]


RENDERED = ["verdict_html", "outline_html", "summary_html", "outline_text"]
LIMITS = {"title": 300, "speaker_name": 200, "speaker_role": 200, "tagline": 300}


def _check(item: ParsedTalk) -> None:
    for name, limit in LIMITS.items():
        if len(getattr(item, name)) > limit:
            raise CatalogError(
                item.line, f"talk {item.title[:80]!r}: {name} is longer than {limit} characters"
            )


@transaction.atomic
def write_catalog(parsed: ParsedCatalog, source_url: str = "") -> ImportResult:
    """Create or update the conference and its talks; talks are matched by video id.

    Talks already in the catalog but missing from the file are left alone:
    people may have them in their plans. Rows are written in bulk, so a
    writeup of ten thousand talks imports in seconds.
    """
    for item in parsed.talks:
        _check(item)
    year_match = YEAR.search(parsed.title)
    conference, _ = Conference.objects.update_or_create(
        slug=slugify(parsed.title),
        defaults={
            "name": parsed.title,
            "year": int(year_match.group(0)) if year_match else None,
            "intro": parsed.intro,
            **({"source_url": source_url} if source_url else {}),
        },
    )
    existing = {t.video_id: t for t in conference.talks.all()}
    file_ids = {t.video_id for t in parsed.talks}
    # Slugs of talks we keep but do not touch stay reserved.
    taken = {t.slug for vid, t in existing.items() if vid not in file_ids}

    # Slugs may move between talks on re-import: park the affected rows first.
    moving = [t for t in existing.values() if t.video_id in file_ids]
    original = {t.pk: {name: getattr(t, name) for name in TALK_FIELDS} for t in moving}
    for talk in moving:
        talk.slug = f"tmp-{talk.pk}-{talk.video_id.lower()}"
    Talk.objects.bulk_update(moving, ["slug"], batch_size=1000)

    new, changed, parked_back, topics = [], [], [], {}
    unchanged = 0
    for position, item in enumerate(parsed.talks, start=1):
        values = {
            "kind": item.kind,
            "title": item.title,
            "slug": _unique_slug(item.title, taken),
            "speaker_name": item.speaker_name,
            "speaker_role": item.speaker_role,
            "tagline": item.tagline,
            "verdict": "\n\n".join(item.verdict),
            "outline": item.outline,
            "position": position,
        }
        topics[item.video_id] = topics_for(item.title, item.tagline, values["verdict"])
        talk = existing.get(item.video_id)
        if talk is None:
            talk = Talk(conference=conference, video_id=item.video_id, **values)
            new.append(talk)
            talk.render()
        else:
            rendered_before = [getattr(talk, name) for name in RENDERED]
            for name, value in values.items():
                setattr(talk, name, value)
            talk.render()
            if original[talk.pk] == values and rendered_before == [
                getattr(talk, name) for name in RENDERED
            ]:
                unchanged += 1
                parked_back.append(talk)  # only its parked slug needs restoring
            else:
                changed.append(talk)

    Talk.objects.bulk_create(new, batch_size=1000)
    Talk.objects.bulk_update(changed, [*TALK_FIELDS, *RENDERED], batch_size=500)
    Talk.objects.bulk_update(parked_back, ["slug"], batch_size=1000)

    # Topics: set them again from the text, in two statements.
    talks = {t.video_id: t for t in new + changed + parked_back}
    tags = {}
    for name in sorted({name for names in topics.values() for name in names}):
        tags[name] = Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
    TaggedTalk.objects.filter(content_object__in=[t.pk for t in talks.values()]).delete()
    TaggedTalk.objects.bulk_create(
        [TaggedTalk(content_object=talks[vid], tag=tags[name]) for vid, names in topics.items()
         for name in names],
        batch_size=1000,
    )  # fmt: skip

    return ImportResult(
        conference=conference,
        created=len(new),
        updated=len(changed),
        unchanged=unchanged,
        not_in_file=len(existing.keys() - file_ids),
    )
