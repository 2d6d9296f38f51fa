"""A talk's own page at its source, read after the conference's listing: media.ccc.de's
event documents name each talk's video files (mp4/webm, qualities, languages) and its
subtitles. With them a talk plays in our own <video> player at the person's speed, and
its subtitles become its transcript.

The listing names each page's version (the event's `updated_at`, kept on Details by the
writer); a page is read again only when that changed, politely: a few requests at a
time, a batch per task (the rest wait for the next beat), a conditional GET. Reading
fetches and parses in threads and never touches the database; applying is one
transaction per talk, through sessions.writer and sessions.transcripts.
"""

import datetime
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from sessions import transcripts, writer
from sessions.catalog import CatalogError
from sessions.fetch import Fetched, FetchError, fetch
from sessions.languages import two_letters
from sessions.models import Conference, Details, Transcript
from sessions.readers import mediaccc
from sessions.readers import transcripts as transcript_reader

logger = logging.getLogger(__name__)

BATCH = 60  # pages a task reads; the rest wait for the next
AT_ONCE = 3  # requests in flight at once
QUEUED_FOR = datetime.timedelta(hours=1)  # queued this long ago and not read: lost
RETRY_FIRST = datetime.timedelta(minutes=10)
RETRY_MOST = datetime.timedelta(days=1)


def choose_file(files: list, original: str, wanted: str = ""):
    """The file to play first, of files with a `language` ("deu", "eng", "deu-eng"): in
    the language asked for (`wanted`: a person's choice or their browser's) where there
    is one, else in the talk's own language (`original`), else the first."""
    if not files:
        return None
    if wanted:
        wanted = two_letters(wanted)
        found = [f for f in files if two_letters(f.language) == wanted]
        # A file in that language alone before a two-track file that starts with it.
        found.sort(key=lambda f: "-" in f.language)
        if found:
            return found[0]
    for f in files:
        if f.language == original:
            return f
    original = two_letters(original)
    return next((f for f in files if two_letters(f.language) == original), files[0])


def summary(conference: Conference) -> dict | None:
    """For staff: how many of the conference's talk pages are read, waiting, failing, and
    the last error (None when its source names none)."""
    rows = Details.objects.filter(talk__conference=conference)
    counts = rows.aggregate(
        total=Count("pk"),
        read=Count("pk", filter=Q(read=F("listed")) & ~Q(read="")),
        failing=Count("pk", filter=Q(failures__gt=0)),
        playing=Count("talk", filter=~Q(talk__play_file="")),
    )
    if not counts["total"]:
        return None
    last = rows.filter(failures__gt=0).order_by("-checked_at").values_list("error", flat=True)
    return {**counts, "waiting": counts["total"] - counts["read"], "error": last.first() or ""}


def due(now: datetime.datetime | None = None):
    """Pages whose listed version we have not read, not failing too recently."""
    now = now or timezone.now()
    waited = Q(checked_at__isnull=True) | Q(failures=0)
    for tries in range(1, 9):  # after n failures in a row, wait 10 min * 2^(n-1), up to a day
        wait = min(RETRY_FIRST * 2 ** (tries - 1), RETRY_MOST)
        waited |= Q(failures=tries, checked_at__lte=now - wait)
    waited |= Q(failures__gt=8, checked_at__lte=now - RETRY_MOST)
    return Details.objects.filter(Q(read="") | ~Q(read=F("listed"))).filter(waited)


def enqueue_due(now: datetime.datetime | None = None) -> list[Conference]:
    """Queue a reading task for each conference with pages due and none waiting."""
    from sessions.tasks import read_details

    now = now or timezone.now()
    waiting = Q(queued_at__isnull=True) | Q(queued_at__lte=now - QUEUED_FOR)
    ids = set(due(now).filter(waiting).values_list("talk__conference", flat=True))
    queued = []
    for conference in Conference.objects.filter(pk__in=ids).order_by("pk"):
        with transaction.atomic():  # the marker and the task row commit together
            due(now).filter(waiting, talk__conference=conference).update(queued_at=now)
            read_details.enqueue(conference.pk)
        queued.append(conference)
    return queued


@dataclass
class Read:
    """What one page gave, worked out away from the database."""

    details: Details
    fetched: Fetched | None = None
    files: mediaccc.EventFiles | None = None
    subtitles: list[tuple[str, str, transcript_reader.ParsedTranscript]] = field(
        default_factory=list
    )  # (url, language, transcript) of the subtitles not stored yet
    error: str = ""


def _read(details: Details, stored: set[str]) -> Read:
    """Fetch and parse one page, and the subtitles it names that are not `stored`."""
    found = Read(details)
    try:
        found.fetched = fetch(details.url, etag=details.etag, last_modified=details.last_modified)
        if found.fetched.not_modified:
            return found
        found.files = mediaccc.read_event(json.loads(found.fetched.body))
        for sub in found.files.subtitles:
            if sub.url in stored:
                continue
            suffix = mediaccc.SUBTITLE_TYPES[sub.mime]
            parsed = transcript_reader.read(fetch(sub.url).body, suffix, sub.url)
            found.subtitles.append((sub.url, two_letters(sub.language), parsed))
    except (FetchError, CatalogError, ValueError) as exc:
        found.error = str(exc)[:1000]
    return found


def read_due(conference: Conference, now: datetime.datetime | None = None,
             limit: int = BATCH) -> list[str]:  # fmt: skip
    """Read the conference's pages that are due (at most `limit`); what it did, in words."""
    now = now or timezone.now()
    rows = list(due(now).filter(talk__conference=conference).select_related("talk")[:limit])
    if not rows:
        return []
    stored: dict[int, set[str]] = {}
    for talk, source in Transcript.objects.filter(talk__in=[r.talk_id for r in rows]).values_list(
        "talk", "source"
    ):
        stored.setdefault(talk, set()).add(source)
    with ThreadPoolExecutor(AT_ONCE) as pool:
        found = list(pool.map(lambda r: _read(r, stored.get(r.talk_id, set())), rows))
    played = subtitled = failed = 0
    for item in found:
        changed, subs = _apply(item, now)
        played += changed
        subtitled += subs
        failed += bool(item.error)
    pages = f"{len(rows)} talk page{'s' * (len(rows) != 1)}"
    lines = [f"{conference.name}: read {pages}: {played} with new video files, "
             f"{subtitled} transcripts from subtitles, {failed} failed"]  # fmt: skip
    lines += [f"  {item.details.url}: {item.error}" for item in found if item.error][:10]
    return lines


@transaction.atomic
def _apply(item: Read, now: datetime.datetime) -> tuple[bool, int]:
    row, talk = item.details, item.details.talk
    row.checked_at, row.queued_at = now, None
    fields = ["checked_at", "queued_at", "read", "etag", "last_modified", "failures", "error"]
    if item.error:
        row.failures, row.error = row.failures + 1, item.error
        Details.objects.filter(pk=row.pk).update(**{f: getattr(row, f) for f in fields})
        return False, 0
    changed = False
    if item.files is not None:
        videos = item.files.videos
        first = choose_file(videos, talk.language)
        changed = writer.write_files(talk, [(v.url, v.language) for v in videos],
                                     first.url if first else "")  # fmt: skip
        for url, language, parsed in item.subtitles:
            transcripts.write(talk, parsed, language or two_letters(talk.language), source=url)
    row.read, row.failures, row.error = row.listed, 0, ""
    row.etag, row.last_modified = item.fetched.etag, item.fetched.last_modified
    Details.objects.filter(pk=row.pk).update(**{f: getattr(row, f) for f in fields})
    return changed, len(item.subtitles)
