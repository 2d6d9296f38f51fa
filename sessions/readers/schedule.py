"""frab and pretalx schedules: schedule.xml and schedule.json (c3voc's schema).

    <schedule><conference><acronym/><title/>...</conference>
      <day index="1" date="2024-12-27"><room name="Saal 1">
        <event guid="..." id="123"><date/><start/><duration>00:40</duration>
          <slug/><title/><subtitle/><track/><type/><language/><abstract/>
          <description/><persons><person id="1">Name</person></persons>
          <links><link href="https://...">Video</link></links></event>

The JSON has the same events under schedule.conference.days[].rooms{name: [...]}.
A schedule knows talks before their videos exist: its slot lengths are estimates,
and its talks wait for a video catalog (media.ccc.de) to bring recordings, matched
on the guid, then the slug.
"""

import re
from xml.etree.ElementTree import Element

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
    parse_xml,
    speakers,
    text,
    year_of,
)

# A schedule's links are the speakers' related material (slides, an earlier talk on
# YouTube: 31C3's schedule.xml has many); only a link that says it is this talk's
# recording counts as one. The recordings themselves come with the video catalog.
RECORDING_LINK = re.compile(r"^\s*(video|recording|aufzeichnung|mitschnitt)\s*$", re.IGNORECASE)


def _recording_links(links: list[tuple[str, str]]) -> list[str]:
    return [href for href, title in links if RECORDING_LINK.match(title or "")]


def _talk(fields: dict, persons: list[str], links: list[str], where: str) -> ParsedTalk | str:
    """One event as a talk, or the reason to skip it."""
    title = one_line(fields.get("title"), 300)
    if not title:
        return f"{where}: an event without a title"
    if fields.get("do_not_record"):
        return f"{where}: {title[:80]!r} will not be recorded (do_not_record)"
    key = (fields.get("guid") or "").strip() or str(fields.get("id") or "").strip()
    if not key:
        return f"{where}: {title[:80]!r} has neither a guid nor an id"
    seconds = duration(fields.get("duration"), f"{where}.duration")
    recordings = [r for r in map(video.recording_from_url, links) if r]
    abstract = paragraphs(fields.get("abstract"))
    description = paragraphs(fields.get("description"))
    if description[:1] == abstract[:1]:
        description = description[1:] if len(description) > 1 else []
    return ParsedTalk(
        line=where,
        kind=kind_of(fields.get("type") or ""),
        title=title,
        key=key[:200],
        slug=(fields.get("slug") or "").strip()[:200],
        speaker_name=speakers(persons),
        tagline=one_line(fields.get("subtitle"), 300),
        verdict=abstract + description,
        recordings=recordings,
        duration_seconds=seconds,
        length_is_slot=True,
        track=one_line(fields.get("track"), 100),
        language=one_line(fields.get("language"), 20),
        held_on=day_of(fields.get("date")),
        tags=[one_line(fields["track"], 100)] if fields.get("track") else [],
    )


def _catalog(conference: dict, talks: list, skipped: list, fmt: str) -> ParsedCatalog:
    title = one_line(conference.get("title"), 200) or one_line(conference.get("acronym"), 200)
    if not title:
        raise CatalogError("schedule.conference.title", "the conference has no title")
    found = [t for t in talks if isinstance(t, ParsedTalk)]
    skipped = skipped + [t for t in talks if isinstance(t, str)]
    if not found:
        raise CatalogError("schedule", "no talks found in this schedule")
    return ParsedCatalog(
        title=title,
        intro="",
        talks=found,
        format=fmt,
        slug=one_line(conference.get("acronym"), 100),
        year=year_of(conference.get("start"), title),
        skipped=skipped,
    )


def _child_text(element: Element, name: str) -> str:
    child = element.find(name)
    return (child.text or "").strip() if child is not None else ""


def read_xml(data: bytes) -> ParsedCatalog:
    root = parse_xml(data)
    if root.tag != "schedule":
        raise CatalogError(1, f"expected a frab <schedule>, found <{root.tag}>")
    conf_el = root.find("conference")
    if conf_el is None:
        raise CatalogError("schedule", "<conference> is missing")
    conference = {name: _child_text(conf_el, name) for name in ("acronym", "title", "start")}
    talks = []
    for day in root.iter("day"):
        for room in day.iter("room"):
            for n, event in enumerate(room.iter("event"), start=1):
                where = (
                    f"day {day.get('index', '?')}, room {room.get('name', '?')!r}, "
                    f"event {event.get('id') or n}"
                )
                fields = {
                    name: _child_text(event, name)
                    for name in (
                        "title", "subtitle", "track", "type", "language", "abstract",
                        "description", "date", "duration", "slug",
                    )
                }  # fmt: skip
                fields["do_not_record"] = _child_text(event, "recording/optout") == "true"
                fields["guid"] = event.get("guid", "")
                fields["id"] = event.get("id", "")
                persons = [(p.text or "").strip() for p in event.iter("person")]
                links = _recording_links(
                    [(link.get("href", ""), link.text or "") for link in event.iter("link")]
                )
                talks.append(_talk(fields, persons, links, where))
    return _catalog(conference, talks, [], "frab-xml")


def read_json(data) -> ParsedCatalog:
    schedule = need(data, "schedule", dict, "")
    conference = need(schedule, "conference", dict, "schedule")
    days = need(conference, "days", list, "schedule.conference")
    talks = []
    for d, day in enumerate(days):
        rooms = need(day, "rooms", dict, f"schedule.conference.days[{d}]")
        for room, events in rooms.items():
            base = f"schedule.conference.days[{d}].rooms[{room!r}]"
            if not isinstance(events, list):
                raise CatalogError(base, "must be a list of events")
            for where, event in objects(events, base):
                persons = []
                for p in event.get("persons") or []:
                    if isinstance(p, dict):
                        persons.append(p.get("public_name") or p.get("name") or "")
                    elif isinstance(p, str):
                        persons.append(p)
                links = _recording_links(
                    [(text(link, "url"), text(link, "title"))
                     for link in event.get("links") or [] if isinstance(link, dict)]
                )  # fmt: skip
                fields = {k: v for k, v in event.items() if isinstance(v, str | int | float)}
                fields["do_not_record"] = event.get("do_not_record") is True
                talks.append(_talk(fields, persons, links, where))
    meta = {k: text(conference, k) for k in ("acronym", "title", "start")}
    return _catalog(meta, talks, [], "schedule-json")
