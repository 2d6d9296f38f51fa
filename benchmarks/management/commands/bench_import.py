"""How fast each outside format imports: generated sources of 1,000 and 10,000 talks in
every format, timing the read (parse) and the write apart, then a re-import (which must
change nothing) and one of the source without its first talk, as a schedule that drops a
talk is refreshed (every other talk moves up a place; reported, not judged). The Markdown
writeup (with the words real talks use, so most talks get topics) runs first; every
format must import 10,000 talks in 2 s and 1,000 well within it. Timed with DEBUG off,
as a deployment imports (no query log)."""

import dataclasses
import json
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings

from benchmarks.management.commands.bench import writeup
from sessions import readers
from sessions.models import Conference
from sessions.readers import pyvideo
from sessions.writer import write_catalog

TARGETS = {1000: 2.0, 10000: 2.0}  # issue 25: every format at 10,000 in 2 s
ABSTRACT = (
    "<p>How we moved {i} services to <b>queues</b> &amp; caches, and what broke.</p>"
    "<p>Second paragraph with a <a href='https://example.com/{i}'>link</a>.</p>"
)


def guid(i: int) -> str:
    return str(uuid.UUID(int=i + 1))


def frab_xml(n: int) -> bytes:
    events = []
    for i in range(n):
        events.append(
            f'<event guid="{guid(i)}" id="{i}"><date>2024-12-27T11:00:00+01:00</date>'
            f"<start>11:00</start><duration>00:{30 + i % 30:02d}</duration>"
            f"<room>Saal {i % 4}</room>"
            f"<slug>bench-{i}-talk</slug><title>Talk number {i}: queues and caches</title>"
            f"<subtitle>Part {i % 3}</subtitle><track>Track {i % 12}</track><type>Talk</type>"
            f"<language>en</language><abstract>{escape(ABSTRACT.format(i=i))}</abstract>"
            f"<description>More words about talk {i}.</description><persons>"
            f'<person id="{i}">Speaker {i}</person><person id="{i + n}">Co {i}</person>'
            "</persons><links/></event>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><schedule><conference><acronym>bench-xml</acronym>'
        "<title>Bench XML 2024</title><start>2024-12-27</start></conference>"
        '<day index="1" date="2024-12-27"><room name="Saal 0">'
        + "".join(events)
        + "</room></day></schedule>"
    ).encode()


def schedule_json(n: int) -> bytes:
    events = [
        {"guid": guid(i), "id": i, "date": "2025-06-02T09:30:00+02:00", "duration": "PT45M",
         "slug": f"bench-json-{i}", "title": f"Talk number {i}", "track": f"Track {i % 12}",
         "type": "Talk", "language": "en", "abstract": ABSTRACT.format(i=i), "description": "",
         "persons": [{"name": f"Speaker {i}", "public_name": f"Speaker {i}"}],
         "links": [{"url": f"https://youtu.be/j{i:010d}", "title": "Video"}]}
        for i in range(n)
    ]  # fmt: skip
    day = {"index": 0, "date": "2025-06-02", "rooms": {"Main": events}}
    conference = {"acronym": "bench-json", "title": "Bench JSON 2025", "start": "2025-06-02",
                  "days": [day]}  # fmt: skip
    return json.dumps({"schedule": {"conference": conference}}).encode()


def mediaccc(n: int) -> bytes:
    events = [
        {"guid": guid(i), "title": f"Talk number {i}", "subtitle": None, "slug": f"bench-m-{i}",
         "description": ABSTRACT.format(i=i), "original_language": "eng",
         "persons": [f"Speaker {i}"], "tags": ["bench", str(i), f"Track {i % 12}"],
         "date": "2024-12-27T11:00:00.000+01:00", "length": 1800 + i % 1800,
         "thumb_url": f"https://static.media.ccc.de/media/bench/{i}.jpg",
         "frontend_link": f"https://media.ccc.de/v/bench-m-{i}"}
        for i in range(n)
    ]  # fmt: skip
    return json.dumps(
        {"acronym": "bench-m", "title": "Bench media 2024", "events": events}
    ).encode()


def sessionize(n: int) -> bytes:
    sessions = [
        {"id": str(100000 + i), "title": f"Talk number {i}", "description": ABSTRACT.format(i=i),
         "startsAt": "2025-03-14T10:00:00", "endsAt": "2025-03-14T10:45:00",
         "isServiceSession": i % 50 == 0, "speakers": [f"s{i % 500}"], "categoryItems": [i % 12],
         "questionAnswers": [], "recordingUrl": f"https://youtu.be/s{i:010d}"}
        for i in range(n)
    ]  # fmt: skip
    speakers = [{"id": f"s{i}", "fullName": f"Speaker {i}"} for i in range(500)]
    categories = [{"id": 1, "title": "Track",
                   "items": [{"id": i, "name": f"Track {i}"} for i in range(12)]}]  # fmt: skip
    return json.dumps({"sessions": sessions, "speakers": speakers, "categories": categories,
                       "questions": [], "rooms": []}).encode()  # fmt: skip


def ytdlp(n: int) -> bytes:
    entries = [
        {"_type": "url", "ie_key": "Youtube", "id": f"y{i:010d}", "title": f"Talk number {i}",
         "duration": None if i % 100 == 0 else 1800.0 + i % 900, "description": None}
        for i in range(n)
    ]  # fmt: skip
    return json.dumps({"_type": "playlist", "id": "PLbench", "title": "Bench playlist 2023",
                       "entries": entries}).encode()  # fmt: skip


def pyvideo_folder(n: int, root: Path) -> Path:
    (root / "videos").mkdir(parents=True)
    (root / "category.json").write_text(json.dumps({"title": "Bench PyCon 2019"}))
    for i in range(n):
        data = {"title": f"Talk number {i}", "speakers": [f"Speaker {i}"], "duration": 1800 + i,
                "description": "Words.", "recorded": "2019-05-04", "language": "eng",
                "videos": [{"type": "youtube", "url": f"https://youtu.be/p{i:010d}"}]}  # fmt: skip
        (root / "videos" / f"talk-{i}.json").write_text(json.dumps(data))
    return root


SOURCES: dict[str, Callable[[int], bytes]] = {
    "writeup": lambda n: writeup(n).encode(),
    "frab-xml": frab_xml,
    "schedule-json": schedule_json,
    "mediaccc": mediaccc,
    "sessionize": sessionize,
    "ytdlp": ytdlp,
}


class Command(BaseCommand):
    help = "Time every import format at 1,000 and 10,000 talks (parse and write apart)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sizes", default="1000,10000")
        parser.add_argument("--formats", default="", help="comma-separated; default: all")

    @override_settings(DEBUG=False)
    def handle(self, *args, sizes: str, formats: str, **options) -> None:
        rows, failed = [], []
        chosen = set(formats.split(",")) if formats else None
        for n in (int(s) for s in sizes.split(",")):
            for fmt, make in [*SOURCES.items(), ("pyvideo", None)]:
                if chosen and fmt not in chosen:
                    continue
                with tempfile.TemporaryDirectory() as tmp:
                    if make is None:
                        folder = pyvideo_folder(n, Path(tmp) / "conf")
                        started = time.monotonic()
                        parsed = pyvideo.read_folder(folder)
                    else:
                        data = make(n)
                        started = time.monotonic()
                        parsed = readers.read_bytes(data, fmt)
                    read_s = time.monotonic() - started
                    started = time.monotonic()
                    result = write_catalog(parsed)
                    write_s = time.monotonic() - started
                    started = time.monotonic()
                    again = write_catalog(parsed)
                    again_s = time.monotonic() - started
                    started = time.monotonic()
                    moved = write_catalog(dataclasses.replace(parsed, talks=parsed.talks[1:]))
                    moved_s = time.monotonic() - started
                if moved.updated != result.created - 1:
                    failed.append(f"{fmt} {n}: {moved.updated} talks moved up a place")
                if again.created or again.updated:
                    failed.append(f"{fmt} {n}: a re-import changed {again.updated} talks")
                total = read_s + write_s
                target = TARGETS.get(n)
                ok = target is None or total <= target
                if not ok:
                    failed.append(f"{fmt} {n}: {total:.2f} s > {target} s")
                rows.append((fmt, n, result.created, len(result.skipped), read_s, write_s,
                             total, again_s, moved_s, target, ok))  # fmt: skip
                Conference.objects.filter(pk=result.conference.pk).delete()
        self.stdout.write(f"\nimport speed on {connection.vendor}")
        self.stdout.write(
            f"{'format':14} {'talks':>6} {'made':>6} {'skip':>5} {'read s':>7} {'write s':>8} "
            f"{'total':>6} {'ms/talk':>8} {'again s':>8} {'moved s':>8}  target"
        )
        for fmt, n, made, skip, r, w, t, a, m, target, ok in rows:
            self.stdout.write(
                f"{fmt:14} {n:>6} {made:>6} {skip:>5} {r:>7.2f} {w:>8.2f} {t:>6.2f} "
                f"{t / max(made, 1) * 1000:>8.3f} {a:>8.2f} {m:>8.2f}  "
                + (f"{'PASS' if ok else 'FAIL'} <= {target} s" if target else "")
            )
        if failed:
            raise CommandError("; ".join(failed))
