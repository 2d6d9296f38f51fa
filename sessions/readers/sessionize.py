"""Sessionize's "All Data" JSON (API/Embed, the "All Data" endpoint).

    {"sessions": [{"id": "123", "title", "description", "startsAt", "endsAt",
      "isServiceSession", "speakers": ["uuid"], "categoryItems": [7],
      "questionAnswers": [{"questionId": 3, "answerValue": "..."}],
      "recordingUrl": "..."}],
     "speakers": [{"id": "uuid", "fullName"}],
     "categories": [{"id", "title": "Track", "items": [{"id": 7, "name"}]}],
     "questions": [{"id": 3, "question": "Video"}]}

Service sessions (breaks, lunch) are not talks: skipped and reported. The video
is recordingUrl, or else a custom question's answer that is a video link.
"""

import datetime

from sessions import video
from sessions.catalog import CatalogError, ParsedCatalog, ParsedTalk
from sessions.readers.common import (
    day_of,
    kind_of,
    need,
    objects,
    one_line,
    paragraphs,
    speakers,
    text,
)


def _seconds_between(start, end) -> int | None:
    try:
        a = datetime.datetime.fromisoformat(start)
        b = datetime.datetime.fromisoformat(end)
    except (TypeError, ValueError):
        return None
    seconds = int((b - a).total_seconds())
    return seconds if seconds > 0 else None


def read(data, title: str = "") -> ParsedCatalog:
    sessions = need(data, "sessions", list, "")
    people = {}
    for p in need(data, "speakers", list, ""):
        if isinstance(p, dict):
            name = p.get("fullName") or f"{text(p, 'firstName')} {text(p, 'lastName')}"
            people[str(p.get("id"))] = name.strip()
    items = {}  # category item id -> (category title, item name)
    for category in data.get("categories") or []:
        if isinstance(category, dict):
            for item in category.get("items") or []:
                if isinstance(item, dict):
                    items[item.get("id")] = (text(category, "title").lower(), text(item, "name"))
    talks, skipped = [], []
    for where, session in objects(sessions, "sessions"):
        name = one_line(session.get("title"), 300)
        if session.get("isServiceSession"):
            skipped.append(f"{where}: {name!r} is a service session (a break, not a talk)")
            continue
        key = str(session.get("id") or "").strip()
        if not name or not key:
            skipped.append(f"{where}: a session without a {'title' if not name else 'id'}")
            continue
        cats = [items[i] for i in session.get("categoryItems") or [] if i in items]
        track = next((v for c, v in cats if "track" in c or "topic" in c), "")
        fmt = next((v for c, v in cats if "format" in c or "type" in c), "")
        language = next((v for c, v in cats if "language" in c), "")
        links = [text(session, "recordingUrl")] + [
            a.get("answerValue") or "" for a in session.get("questionAnswers") or []
            if isinstance(a, dict) and isinstance(a.get("answerValue"), str)
        ]  # fmt: skip
        recordings = [r for r in map(video.recording_from_url, links) if r][:1]
        who = [people.get(str(s), "") for s in session.get("speakers") or []]
        talks.append(
            ParsedTalk(
                line=where,
                kind=kind_of(fmt, name),
                title=name,
                key=key[:200],
                speaker_name=speakers(who),
                verdict=paragraphs(session.get("description")),
                recordings=recordings,
                duration_seconds=_seconds_between(session.get("startsAt"), session.get("endsAt")),
                length_is_slot=True,
                track=one_line(track, 100),
                language=one_line(language, 20),
                held_on=day_of(session.get("startsAt")),
                tags=[one_line(v, 100) for c, v in cats if ("track" in c or "topic" in c) and v],
            )
        )  # fmt: skip
    if not talks:
        raise CatalogError("sessions", "no talks found (only service sessions, or none)")
    days = sorted(t.held_on for t in talks if t.held_on)
    year = days[0].year if days else None
    return ParsedCatalog(
        title=title or f"Sessionize event {year or ''}".strip(),
        intro="",
        talks=talks,
        format="sessionize",
        year=year,
        skipped=skipped,
    )
