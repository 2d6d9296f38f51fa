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
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from sessions import bulk, listing, signals, video
from sessions.catalog import CatalogError, ParsedCatalog, ParsedTalk
from sessions.models import (
    Conference,
    Details,
    FoundTalk,
    Recording,
    Source,
    TaggedTalk,
    Talk,
)
from sessions.source_tags import source_topics
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


FILES_FROM = 100  # a page's files come after the listing's recordings


def report(result: ImportResult) -> list[str]:
    """What an import did, in lines a person reads (the command and the staff page)."""
    created, added, missing = result.created, result.videos_added, result.not_in_file
    lines = [
        f"{result.conference.name}: {created} talk{pluralize(created)} created, "
        f"{result.updated} updated, {result.unchanged} unchanged, {len(result.skipped)} skipped"
        + (" (dry run: nothing was written)" if result.dry_run else "")
    ]
    if added:
        has = pluralize(added, "has,have")
        lines.append(f"{added} talk{pluralize(added)} now {has} a recording.")
    if missing:
        lines.append(
            f"{missing} talk{pluralize(missing)} of this conference {pluralize(missing, 'is,are')} "
            f"not in the file; left as {pluralize(missing, 'it is,they are')}."
        )
    lines += [f"skipped {reason}" for reason in result.skipped]
    return lines


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
RENDERED = list(Talk.RENDERED_FIELDS)
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
    named = (values["title"], values["speaker_name"], values["tagline"])
    rendered = Talk.rendered(values["verdict"], values["outline"], named)
    return (
        conference.pk,
        item.key,
        *[values[name] for name in TALK_FIELDS],
        *[rendered[name] for name in RENDERED],
    )


def _conference_fields(parsed: ParsedCatalog, source_url: str, now) -> tuple[str, dict]:
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
    return slugify(parsed.slug or parsed.title)[:100] or "conference", defaults


@bulk.no_cycle_collection()
def write_catalog(parsed: ParsedCatalog, source_url: str = "", dry_run: bool = False):
    """Create or update the conference and its talks, atomically. With dry_run, nothing
    is written: the same plan is worked out by reading alone (no write transaction, so
    on SQLite nobody's writes wait for a preview) and counted."""
    if dry_run:
        plan = _plan(parsed, source_url)
        return plan.result(dry_run=True)
    with transaction.atomic():
        plan = _plan(parsed, source_url)
        with listing.bulk_change():
            result = _apply(plan)
    if result.created or result.updated:
        bulk.analyze([Conference, Talk, TaggedTalk, Recording, Tag])
    return result


@dataclass
class _Plan:
    """What applying a catalog will do, worked out from reads alone."""

    conference: Conference  # unsaved when it is new, or as it will be after the import
    conference_defaults: dict
    items: list[ParsedTalk]
    skipped: list[str]
    existing: int
    matched: dict[int, Talk]  # index in items -> talk
    new: list[int]  # indexes of talks to create
    values_of: dict[int, dict]
    changed: dict[tuple[str, ...], list[Talk]]  # by the columns that change
    unchanged: list[Talk]  # talks the source leaves as they are: nothing is written
    moving: list[int]  # changed talks whose slug changes: parked first
    topics: dict[int, list[str]]
    arrived: list[int]
    recordings: dict[int, list[tuple]]  # known talk pk -> its recordings, as stored

    def stale_recordings(self, talks: dict[int, int]) -> tuple[set[int], list[tuple]]:
        """The talks whose recordings the source replaces, and the rows to insert."""
        stale, rows = set(), []
        for index, pk in talks.items():
            item = self.items[index]
            pairs = dict.fromkeys((r.provider, r.reference) for r in item.recordings)
            want = [(p, r, item.language) for p, r in pairs]
            if want and self.recordings.get(pk, []) != want:
                stale.add(pk)
                rows += [(pk, p, r, lang, n) for n, (p, r, lang) in enumerate(want)]
        return stale, rows

    def result(self, dry_run: bool = False, recordings_changed: set[int] | None = None):
        if recordings_changed is None:
            known = {i: t.pk for i, t in self.matched.items()}
            recordings_changed = self.stale_recordings(known)[0]
        unchanged = [t for t in self.unchanged if t.pk not in recordings_changed]
        return ImportResult(
            conference=self.conference,
            created=len(self.new),
            updated=sum(map(len, self.changed.values())) + len(self.unchanged) - len(unchanged),
            unchanged=len(unchanged),
            not_in_file=self.existing - len(self.matched),
            skipped=self.skipped,
            videos_added=len(self.arrived),
            dry_run=dry_run,
        )


def _plan(parsed: ParsedCatalog, source_url: str) -> _Plan:
    now = timezone.now()
    not_topics = {parsed.title, parsed.slug}  # a source's tags often repeat its own name
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

    slug, defaults = _conference_fields(parsed, source_url, now)
    conference = Conference.objects.filter(slug=slug).first() or Conference(slug=slug)
    for name, value in defaults.items():
        setattr(conference, name, value)
    existing = list(conference.talks.all()) if conference.pk else []
    by_key = {t.source_key: t for t in existing}
    by_slug = {t.source_slug: t for t in existing if t.source_slug}
    matched: dict[int, Talk] = {}
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
    original = {t.pk: {name: getattr(t, name) for name in TALK_FIELDS} for t in matched.values()}

    new: list[int] = []
    changed: dict[tuple[str, ...], list[Talk]] = defaultdict(list)
    unchanged, moving = [], []
    topics: dict[int, list[str]] = {}
    values_of: dict[int, dict] = {}
    arrived: list[int] = []  # talks that had no recording and will have one
    # The talks already here choose their slugs first: a new talk of the same title is
    # the one that gets "-2", and nobody's link to a talk they know breaks.
    for index in sorted(range(len(items)), key=lambda i: i not in matched):
        item, talk = items[index], matched.get(index)
        values = _values(item, talk, index + 1, taken, now)
        given = source_topics(item.tags, not_topics)
        topics[index] = [t[:100] for t in given] or topics_for(
            item.title, item.tagline, values["verdict"]
        )
        if talk is None:
            new.append(index)
            values_of[index] = values
            continue
        if values["video_ref"] and not original[talk.pk]["video_ref"]:
            arrived.append(talk.pk)
        before = {**original[talk.pk], **{name: getattr(talk, name) for name in RENDERED}}
        for name, value in values.items():
            setattr(talk, name, value)
        talk.render()
        if columns := tuple(n for n, value in before.items() if getattr(talk, n) != value):
            changed[columns].append(talk)
            if "slug" in columns:
                moving.append(talk.pk)
        else:
            unchanged.append(talk)

    recordings = defaultdict(list)
    rows = Recording.objects.filter(talk__in=list(touched), from_details=False)
    rows = rows.order_by("position")
    for talk_id, provider, reference, language in rows.values_list(
        "talk", "provider", "reference", "language"
    ):
        recordings[talk_id].append((provider, reference, language))
    return _Plan(
        conference=conference,
        conference_defaults=defaults,
        items=items,
        skipped=skipped,
        existing=len(existing),
        matched=matched,
        new=sorted(new),
        values_of=values_of,
        changed=changed,
        unchanged=unchanged,
        moving=moving,
        topics=topics,
        arrived=arrived,
        recordings=dict(recordings),
    )


def _apply(plan: _Plan) -> ImportResult:
    """Write what the plan says; inside the caller's transaction."""
    conference = Conference.objects.update_or_create(
        slug=plan.conference.slug, defaults=plan.conference_defaults
    )[0]
    plan.conference = conference
    if conference.source_url:  # imported from an address: kept current (sessions.refresh)
        Source.objects.get_or_create(conference=conference)
    # Slugs may move between talks on re-import: the rows whose slug changes are parked
    # first. The rest keep theirs, which no other talk is given, so a file that changes
    # nothing writes no talk (parking and restoring every one took 2.9 s of 10,000).
    if plan.moving:
        Talk.objects.filter(pk__in=plan.moving).update(
            slug=Concat(Value("tmp-"), Cast("pk", output_field=CharField()))
        )
    known = {index: talk.pk for index, talk in plan.matched.items()}  # talks there before
    pks = dict(known)
    if plan.new:
        # Rendered while the rows stream in: PostgreSQL indexes the first ones
        # while the next are rendered. (A thread rendering ahead of SQLite was slower:
        # the two fought over Python's lock.)
        rows = (_new_row(conference, plan.items[i], plan.values_of[i]) for i in plan.new)
        bulk.insert_rows(Talk, NEW_TALK_COLUMNS, rows)
        by_key = dict(conference.talks.values_list("source_key", "pk"))
        pks.update((i, by_key[plan.items[i].key]) for i in plan.new)
    # Only the columns that change: a talk added at the top moves every other one down
    # a place, and rewriting their whole rows (the search words too) cost seconds.
    for columns, talks in plan.changed.items():
        rows = ((t.pk, *(getattr(t, name) for name in columns)) for t in talks)
        bulk.update_rows(Talk, list(columns), rows)
    _write_topics(pks, plan.topics, known)
    stale, rows = plan.stale_recordings(pks)
    if had := [pk for pk in stale if plan.recordings.get(pk)]:
        Recording.objects.filter(talk__in=had, from_details=False).delete()
    bulk.insert_rows(Recording, ["talk_id", "provider", "reference", "language", "position"], rows)
    _write_details(pks, plan.items)
    if plan.arrived:
        signals.recordings_arrived.send(sender=Talk, talk_ids=plan.arrived)
    return plan.result(recordings_changed=stale)


def _write_details(pks: dict[int, int], items: list[ParsedTalk]) -> None:
    """Where each talk's own page is and the version the listing names (sessions.details
    reads the pages whose version changed)."""
    wanted = {pks[i]: (item.details_url, item.details_version)
              for i, item in enumerate(items) if item.details_url and i in pks}  # fmt: skip
    if not wanted:
        return
    have = {d.talk_id: d for d in Details.objects.filter(talk__in=list(wanted))}
    changed = []
    for pk, (url, version) in wanted.items():
        row = have.get(pk)
        if row is not None and (row.url, row.listed) != (url, version):
            row.url, row.listed = url, version
            changed.append(row)
    Details.objects.bulk_update(changed, ["url", "listed"], batch_size=500)
    Details.objects.bulk_create(
        [
            Details(talk_id=pk, url=url, listed=v)
            for pk, (url, v) in wanted.items()
            if pk not in have
        ],
        batch_size=500,
    )


def write_files(talk: Talk, files: list[tuple[str, str]], play_file: str) -> bool:
    """A talk's files from its own page, (url, language) each: they replace the ones read
    before (the listing's recordings stay); `play_file` is the one our player plays first.
    A talk that had no recording gets its first here, with its news. Whether anything
    changed. Inside a transaction."""
    rows = talk.recordings.filter(from_details=True)
    if sorted(rows.values_list("reference", "language")) == sorted(files) and (
        talk.play_file == play_file
    ):
        return False
    rows.delete()
    taken = set(Recording.objects.filter(provider=video.FILE, reference__in=[u for u, _ in files])
                .exclude(talk=talk).values_list("reference", flat=True))  # fmt: skip
    Recording.objects.bulk_create(
        [Recording(talk=talk, provider=video.FILE, reference=url, language=language,
                   position=FILES_FROM + n, from_details=True)
         for n, (url, language) in enumerate(files) if url not in taken]
    )  # fmt: skip
    talk.play_file = play_file if play_file not in taken else ""
    fields = ["play_file"]
    arrived = not talk.video_ref and bool(talk.play_file)
    if arrived:
        talk.video_provider, talk.video_ref = video.FILE, talk.play_file
        talk.video_since = timezone.now()
        fields += ["video_provider", "video_ref", "video_since"]
    talk.save(update_fields=fields)
    if arrived:
        signals.recordings_arrived.send(sender=Talk, talk_ids=[talk.pk])
    return True


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


FOUND_SLUG, FOUND_NAME = "found-by-people", "Found by people"
FOUND_FORMAT = "found"  # a conference of talks people added, not an import


def found_conference() -> Conference:
    """The conference talks people add go to unless they pick another."""
    return Conference.objects.get_or_create(
        slug=FOUND_SLUG,
        defaults={"name": FOUND_NAME, "source_format": FOUND_FORMAT,
                  "intro": "Talks people here found elsewhere and added by their link."},
    )[0]  # fmt: skip


def talk_with_recording(recording: video.Recording) -> Talk | None:
    """The catalog talk that already has this video, if one does."""
    found = (
        Recording.objects.filter(provider=recording.provider, reference=recording.reference)
        .select_related("talk__conference")
        .order_by("talk_id")
        .first()
    )
    return found.talk if found is not None else None


@transaction.atomic
def add_found_talk(
    item: ParsedTalk, conference: Conference | None, added_by_id: int | None, credited: bool
) -> tuple[Talk, bool]:
    """Add one talk a person found (sessions.lookup's shape, as they corrected it) to a
    conference; (the talk, whether it is new). A talk that already has the video is that
    talk: nothing is added twice, whoever was first."""
    conference = conference or found_conference()
    talk, new = add_talk(item, conference)
    if new:
        FoundTalk.objects.create(talk=talk, added_by_id=added_by_id, credited=credited)
    return talk, new


def add_talk(item: ParsedTalk, conference: Conference) -> tuple[Talk, bool]:
    """Add one talk with its recording at the end of a conference; (the talk, whether it
    is new): a talk that already has the video is that talk. Inside a transaction."""
    _check(item)
    recording = item.recordings[0]
    if (existing := talk_with_recording(recording)) is not None:
        return existing, False
    # Taken inside the transaction: two people adding to one conference at once get
    # different slugs (the unique constraint stops the rest).
    Conference.objects.select_for_update().filter(pk=conference.pk).first()
    taken = set(conference.talks.values_list("slug", flat=True))
    last = conference.talks.order_by("-position").values_list("position", flat=True).first()
    values = _values(item, None, (last or 0) + 1, taken, timezone.now())
    talk = Talk(conference=conference, source_key=item.key, **values)
    talk.save()
    Recording.objects.create(talk=talk, provider=recording.provider,
                             reference=recording.reference, position=0)  # fmt: skip
    names = topics_for(item.title, item.tagline, values["verdict"])
    _write_topics({0: talk.pk}, {0: names}, {})
    return talk, True


def attach_recording(talk: Talk, recording: video.Recording) -> bool:
    """Give a talk this recording (a feed's upload, staff's choice); it becomes the talk's
    video when it had none. False when the catalog has that video already. Inside a
    transaction."""
    if talk_with_recording(recording) is not None:
        return False
    last = talk.recordings.order_by("-position").values_list("position", flat=True).first()
    Recording.objects.create(talk=talk, provider=recording.provider,
                             reference=recording.reference,
                             position=0 if last is None else last + 1)  # fmt: skip
    if not talk.video_ref:
        talk.video_provider, talk.video_ref = recording.provider, recording.reference
        talk.video_since = timezone.now()
        talk.save(update_fields=["video_provider", "video_ref", "video_since"])
        signals.recordings_arrived.send(sender=Talk, talk_ids=[talk.pk])
    return True
