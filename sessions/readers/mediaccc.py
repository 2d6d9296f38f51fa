"""media.ccc.de: the public API's conference, GET /public/conferences/{acronym}.

    {"acronym": "38c3", "title": "...", "events": [{"guid", "title", "subtitle",
     "slug", "description", "original_language", "persons": [...], "tags": [...],
     "date", "length" (seconds), "frontend_link", "thumb_url"}, ...]}

Events carry the schedule's guid and slug, so importing this after the schedule
gives its talks their recordings, real lengths and thumbnails.
"""

from sessions import video
from sessions.catalog import CatalogError, ParsedCatalog, ParsedTalk
from sessions.readers.common import (
    day_of,
    duration,
    kind_of,
    need,
    objects,
    one_line,
    paragraphs,
    speakers,
    text,
    year_of,
)
from sessions.source_tags import source_topics


def read(data) -> ParsedCatalog:
    events = need(data, "events", list, "")
    acronym = one_line(data.get("acronym"), 100)
    title = one_line(data.get("title"), 200) or acronym
    if not title:
        raise CatalogError("title", "the conference has no title")
    talks, skipped = [], []
    ignored_tags = {acronym.lower(), title.lower()}
    for where, event in objects(events, "events"):
        name = one_line(event.get("title"), 300)
        key = text(event, "guid").strip()
        if not name or not key:
            skipped.append(f"{where}: an event without a {'title' if not name else 'guid'}")
            continue
        recording = video.recording_from_url(text(event, "frontend_link"))
        if recording is None and text(event, "slug"):
            recording = video.recording_from_url(f"https://media.ccc.de/v/{event['slug']}")
        # The tags repeat the acronym, the event number, the room and the languages:
        # sessions.topics.source_topics keeps the words.
        tags = source_topics([one_line(t, 100) for t in event.get("tags") or []], ignored_tags)
        talks.append(
            ParsedTalk(
                line=where,
                kind=kind_of("", name),
                title=name,
                key=key[:200],
                slug=text(event, "slug")[:200],
                speaker_name=speakers(event.get("persons")),
                tagline=one_line(event.get("subtitle"), 300),
                verdict=paragraphs(event.get("description")),
                recordings=[recording] if recording else [],
                duration_seconds=duration(event.get("length") or event.get("duration"),
                                          f"{where}.length"),
                language=one_line(event.get("original_language"), 20),
                thumbnail_url=text(event, "thumb_url"),
                held_on=day_of(event.get("date")),
                tags=tags[:5],
            )
        )  # fmt: skip
    if not talks:
        raise CatalogError("events", "no talks found in this conference")
    return ParsedCatalog(
        title=title,
        intro="\n\n".join(paragraphs(data.get("description"))),
        talks=talks,
        format="mediaccc",
        slug=acronym,
        year=year_of(title, text(data, "slug"))
        or next((t.held_on.year for t in talks if t.held_on), None),
        skipped=skipped,
    )
