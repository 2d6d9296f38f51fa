"""media.ccc.de: the public API's conference, GET /public/conferences/{acronym}.

    {"acronym": "38c3", "title": "...", "events": [{"guid", "title", "subtitle",
     "slug", "description", "original_language", "persons": [...], "tags": [...],
     "date", "length" (seconds), "frontend_link", "thumb_url",
     "url" (the event's own document), "updated_at"}, ...]}

Events carry the schedule's guid and slug, so importing this after the schedule
gives its talks their recordings, real lengths and thumbnails.

An event's own document, GET /public/events/{guid} (`read_event`), adds its files:

    {"guid", ..., "recordings": [{"recording_url", "mime_type", "language" ("deu",
     "deu-eng" for a file with two audio tracks), "high_quality", "width", "height",
     "folder", "state", "length", "size"}, ...]}

Videos in several formats, qualities and languages, and subtitles (application/x-subrip,
text/vtt). We keep one video per language (the browser plays it in our <video> player)
and the finished subtitles.
"""

from dataclasses import dataclass

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
                details_url=web_url(text(event, "url")),
                details_version=one_line(event.get("updated_at"), 100),
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


# An event's files ----------------------------------------------------------------------

VIDEO_TYPES = ("video/mp4", "video/webm")  # what browsers play; in this order of preference
SUBTITLE_TYPES = {"application/x-subrip": ".srt", "text/vtt": ".vtt"}
FINISHED = ("", "done")  # a file in another state is still being made


@dataclass(frozen=True)
class MediaFile:
    url: str
    mime: str
    language: str  # as the source says it: "deu", "deu-eng"
    high_quality: bool = False
    height: int = 0


@dataclass(frozen=True)
class EventFiles:
    videos: list[MediaFile]  # one per language, the one to play first
    subtitles: list[MediaFile]  # one per language


def web_url(value: str) -> str:
    value = value.strip()
    return value if value.startswith(("https://", "http://")) and len(value) <= 500 else ""


def read_event(data) -> EventFiles:
    """The playable files of one event: for each language the video a browser plays best
    (mp4, then webm; high quality, then the tallest), and each language's subtitles."""
    if not isinstance(data, dict):
        raise CatalogError("event", "expected an object")
    recordings = data.get("recordings") or []
    if not isinstance(recordings, list):
        raise CatalogError("recordings", "must be a list")
    videos: dict[str, MediaFile] = {}
    subtitles: dict[str, MediaFile] = {}
    for _where, item in objects(recordings, "recordings"):
        url = web_url(text(item, "recording_url"))
        mime = one_line(item.get("mime_type"), 100).lower()
        state = one_line(item.get("state"), 20).lower()
        if not url or state not in FINISHED:
            continue
        height = item.get("height") if isinstance(item.get("height"), int) else 0
        found = MediaFile(url, mime, one_line(item.get("language"), 20).lower(),
                          item.get("high_quality") is True, height)  # fmt: skip
        if mime in SUBTITLE_TYPES:
            subtitles.setdefault(found.language, found)
        elif mime in VIDEO_TYPES:
            best = videos.get(found.language)
            if best is None or _rank(found) < _rank(best):
                videos[found.language] = found
    return EventFiles(list(videos.values()), list(subtitles.values()))


def _rank(file: MediaFile) -> tuple:
    return (VIDEO_TYPES.index(file.mime), not file.high_quality, -file.height)
