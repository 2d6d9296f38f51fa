"""Apply a parsed catalog (sessions.catalog) to the database: the one writer every
reader shares. Atomic, idempotent, in bulk, and it never deletes a talk.

Talks are matched on the source's key (a guid, a slug, an id), then on its second
name (a pretalx code or a media.ccc.de slug), so a schedule imported before the
videos exist and the video catalog imported later meet on the same talks: the
later source attaches its recordings, real lengths and thumbnails. What a source
does not have (a schedule has no recordings) never erases what another gave.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from sessions import bulk, video
from sessions.catalog import CatalogError, ParsedCatalog, ParsedTalk
from sessions.models import Conference, Recording, TaggedTalk, Talk
from sessions.topics import topics_for

YEAR = re.compile(r"\b(19|20)\d{2}\b")


@dataclass
class ImportResult:
    conference: Conference
    created: int
    updated: int
    unchanged: int
    not_in_file: int
    skipped: list[str] = field(default_factory=list)
    videos_added: int = 0  # talks that had no recording and now have one
    dry_run: bool = False


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
    "source_slug",
    "track",
    "language",
    "held_on",
    "duration_seconds",
    "length_is_slot",
    "thumbnail_url",
    "video_provider",
    "video_ref",
    "video_since",
]
RENDERED = ["verdict_html", "outline_html", "summary_html", "outline_text"]
# The order _values() and Talk.rendered() give their fields in.
NEW_TALK_COLUMNS = ["conference_id", "source_key", *TALK_FIELDS, *RENDERED]
LIMITS = {
    "title": 300,
    "speaker_name": 200,
    "speaker_role": 200,
    "tagline": 300,
    "key": 200,
    "slug": 200,
    "track": 100,
    "language": 20,
}


def _check(item: ParsedTalk) -> None:
    if not item.key:
        raise CatalogError(item.line, f"talk {item.title[:80]!r} has no id to match it on")
    for name, limit in LIMITS.items():
        if len(getattr(item, name)) > limit:
            raise CatalogError(
                item.line, f"talk {item.title[:80]!r}: {name} is longer than {limit} characters"
            )


def _values(item: ParsedTalk, talk: Talk | None, position: int, taken: set[str], now) -> dict:
    """The talk's fields from this source; what the source lacks, another may have given."""
    recordings = item.recordings
    duration, is_slot = item.duration_seconds, item.length_is_slot
    if (
        talk is not None
        and talk.duration_seconds
        and not talk.length_is_slot
        and (duration is None or is_slot)
    ):
        duration, is_slot = talk.duration_seconds, False  # a real length beats a slot
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
        "source_slug": item.slug or (talk.source_slug if talk else ""),
        "track": item.track or (talk.track if talk else ""),
        "language": item.language or (talk.language if talk else ""),
        "held_on": item.held_on or (talk.held_on if talk else None),
        "duration_seconds": duration,
        "length_is_slot": bool(duration) and is_slot,
        "thumbnail_url": video.allowed_thumbnail(item.thumbnail_url)
        or (talk.thumbnail_url if talk else ""),
    }
    if recordings:
        values["video_provider"] = recordings[0].provider
        values["video_ref"] = recordings[0].reference
        values["video_since"] = talk.video_since if talk and talk.video_since else now
    elif talk is not None:
        values.update(
            video_provider=talk.video_provider,
            video_ref=talk.video_ref,
            video_since=talk.video_since,
        )
    else:
        values.update(video_provider="", video_ref="", video_since=None)
    return values


def _new_row(conference: Conference, item: ParsedTalk, values: dict) -> tuple:
    rendered = Talk.rendered(values["verdict"], values["outline"])
    return (
        conference.pk,
        item.key,
        *[values[name] for name in TALK_FIELDS],
        *[rendered[name] for name in RENDERED],
    )


def _conference(parsed: ParsedCatalog, source_url: str, now) -> Conference:
    year_match = YEAR.search(parsed.title)
    year = parsed.year or (int(year_match.group(0)) if year_match else None)
    defaults = {
        "name": parsed.title,
        "year": year,
        "source_format": parsed.format,
        "refreshed_at": now,
        **({"intro": parsed.intro} if parsed.intro else {}),
        **({"source_url": source_url} if source_url else {}),
    }
    slug = slugify(parsed.slug or parsed.title)[:100] or "conference"
    return Conference.objects.update_or_create(slug=slug, defaults=defaults)[0]


def write_catalog(parsed: ParsedCatalog, source_url: str = "", dry_run: bool = False):
    """Create or update the conference and its talks. With dry_run, everything is
    worked out and counted in a transaction that is then rolled back."""
    with transaction.atomic():
        result = _write(parsed, source_url)
        result.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return result


def _write(parsed: ParsedCatalog, source_url: str) -> ImportResult:
    now = timezone.now()
    skipped = list(parsed.skipped)
    items: list[ParsedTalk] = []
    keys: set[str] = set()
    for item in parsed.talks:
        _check(item)
        if item.key in keys:
            skipped.append(f"{item.line}: {item.title[:80]!r} appears twice ({item.key})")
            continue
        keys.add(item.key)
        items.append(item)

    conference = _conference(parsed, source_url, now)
    existing = list(conference.talks.all())
    by_key = {t.source_key: t for t in existing}
    by_slug = {t.source_slug: t for t in existing if t.source_slug}
    matched: dict[int, Talk] = {}  # index in items -> talk
    touched: set[int] = set()
    for index, item in enumerate(items):
        talk = by_key.get(item.key)
        if talk is None and item.slug:
            talk = by_slug.get(item.slug) or by_key.get(item.slug)
        if talk is not None and talk.pk not in touched:
            matched[index] = talk
            touched.add(talk.pk)
    # Slugs of talks we keep but do not touch stay reserved.
    taken = {t.slug for t in existing if t.pk not in touched}

    # Slugs may move between talks on re-import: park the affected rows first.
    moving = list(matched.values())
    original = {t.pk: {name: getattr(t, name) for name in TALK_FIELDS} for t in moving}
    for talk in moving:
        talk.slug = f"tmp-{talk.pk}"
    Talk.objects.bulk_update(moving, ["slug"], batch_size=1000)

    new: list[int] = []  # indexes of talks to create
    changed, parked_back = [], []
    topics: dict[int, list[str]] = {}  # index -> topic names
    values_of: dict[int, dict] = {}
    videos_added = 0
    for index, item in enumerate(items):
        talk = matched.get(index)
        values = _values(item, talk, index + 1, taken, now)
        topics[index] = [t[:100] for t in item.tags] or topics_for(
            item.title, item.tagline, values["verdict"]
        )
        if talk is None:
            new.append(index)
            values_of[index] = values
            continue
        if values["video_ref"] and not original[talk.pk]["video_ref"]:
            videos_added += 1
        rendered_before = [getattr(talk, name) for name in RENDERED]
        for name, value in values.items():
            setattr(talk, name, value)
        talk.render()
        if original[talk.pk] == values and rendered_before == [
            getattr(talk, name) for name in RENDERED
        ]:
            parked_back.append(talk)  # only its parked slug needs restoring
        else:
            changed.append(talk)

    known = {index: talk.pk for index, talk in matched.items()}  # talks there before
    pks = dict(known)
    if new:
        # Rendered while the rows stream in: PostgreSQL indexes the first ones
        # while the next are rendered.
        bulk.insert_rows(Talk, NEW_TALK_COLUMNS, (_new_row(conference, items[i], values_of[i])
                                                  for i in new))  # fmt: skip
        by_key = dict(conference.talks.values_list("source_key", "pk"))
        pks.update((i, by_key[items[i].key]) for i in new)
    Talk.objects.bulk_update(changed, [*TALK_FIELDS, *RENDERED], batch_size=500)
    Talk.objects.bulk_update(parked_back, ["slug"], batch_size=1000)
    _write_topics(pks, topics, known)
    recordings_changed = _write_recordings(pks, items, known)
    unchanged = [t for t in parked_back if t.pk not in recordings_changed]

    return ImportResult(
        conference=conference,
        created=len(new),
        updated=len(changed) + len(parked_back) - len(unchanged),
        unchanged=len(unchanged),
        not_in_file=len(existing) - len(touched),
        skipped=skipped,
        videos_added=videos_added,
    )


def _tags_for(names: set[str]) -> dict[str, Tag]:
    """The tag each topic name stands for. Names that differ only in case or punctuation
    ("Data Structures", "Data-Structures") share one slug, so they share one tag; a name
    with no letters or digits has no slug and no tag."""
    by_slug = {}
    for name in sorted(names):
        slug = slugify(name)[:100]
        if slug:
            by_slug.setdefault(slug, name)
    found = {t.slug: t for t in Tag.objects.filter(slug__in=by_slug)}
    found |= {slugify(t.name): t for t in Tag.objects.filter(name__in=by_slug.values())}
    tags = {}
    for slug, name in by_slug.items():
        tags[slug] = found.get(slug) or Tag.objects.create(name=name, slug=slug)
    return {name: tags[slugify(name)[:100]] for name in names if slugify(name)[:100] in tags}


def _write_topics(
    talks: dict[int, int], topics: dict[int, list[str]], known: dict[int, int]
) -> None:
    """Set each talk's topics where they differ from what it has: two statements."""
    tags = _tags_for({name for names in topics.values() for name in names})
    wanted = {i: {tags[n].pk: tags[n] for n in names if n in tags} for i, names in topics.items()}
    have = defaultdict(set)
    links = TaggedTalk.objects.filter(content_object__in=list(known.values()))
    for talk_id, tag_id in links.values_list("content_object", "tag"):
        have[talk_id].add(tag_id)
    stale = [i for i, pk in talks.items() if have[pk] != set(wanted[i])]
    if not stale:
        return
    if gone := [known[i] for i in stale if i in known]:
        TaggedTalk.objects.filter(content_object__in=gone).delete()
    bulk.insert_rows(
        TaggedTalk,
        ["content_object_id", "tag_id"],
        [(talks[i], tag_pk) for i in stale for tag_pk in wanted[i]],
    )


def _write_recordings(
    talks: dict[int, int], items: list[ParsedTalk], known: dict[int, int]
) -> set[int]:
    """Replace the recordings of talks whose source lists others; a source that lists
    none leaves a talk's recordings alone. The pks of talks whose recordings changed."""
    have = defaultdict(list)
    rows = Recording.objects.filter(talk__in=list(known.values())).order_by("position")
    for talk_id, provider, reference, language in rows.values_list(
        "talk", "provider", "reference", "language"
    ):
        have[talk_id].append((provider, reference, language))
    stale, new = set(), []
    for index, pk in talks.items():
        item = items[index]
        pairs = dict.fromkeys((r.provider, r.reference) for r in item.recordings)
        want = [(p, r, item.language) for p, r in pairs]
        if want and have[pk] != want:
            stale.add(pk)
            new += [(pk, p, r, lang, n) for n, (p, r, lang) in enumerate(want)]
    if had := [pk for pk in stale if have[pk]]:
        Recording.objects.filter(talk__in=had).delete()
    bulk.insert_rows(Recording, ["talk_id", "provider", "reference", "language", "position"], new)
    return stale
