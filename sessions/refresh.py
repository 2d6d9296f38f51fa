"""Keeping conferences imported from an address current, by themselves.

refresh() reads one conference's source again and applies it through the one writer:
a conditional GET first (an unchanged source costs one small request), a digest of the
body next (a server without validators sends the same bytes: nothing is parsed), and a
source that suddenly lists nothing, or a tenth of what we have, is not applied. Every try
is recorded on the conference's Source: what it did, or why it failed, and when the next
is due (sessions.schedule). enqueue_due() is the clock's half: it queues a refresh task
(sessions.tasks) for every source that is due, once.

Running a refresh twice changes nothing the second time; two at once are each atomic.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from sessions import fetch, schedule
from sessions.catalog import CatalogError
from sessions.models import Conference, Source
from sessions.readers import read_bytes
from sessions.writer import report, write_catalog

# A refresh task queued this long ago and never run was lost (its worker's database
# was restored, say): the clock queues another.
QUEUED_FOR = datetime.timedelta(hours=1)
SHRINK_FROM = 10  # a conference with at least this many talks ...
SHRINK_TO = 0.1  # ... is not refreshed from a source listing under this share of them


@dataclass
class Outcome:
    conference: Conference
    ok: bool
    changed: bool = False
    lines: list[str] = field(default_factory=list)


def dates_of(conference: Conference, source: Source) -> schedule.Dates:
    days = conference.talks.aggregate(first=Min("held_on"), last=Max("held_on"))
    return schedule.Dates(days["first"], days["last"], source.imported_at)


def source_of(conference: Conference) -> Source:
    return Source.objects.get_or_create(conference=conference)[0]


def next_due(conference: Conference, source: Source, now: datetime.datetime) -> datetime.datetime:
    """When the source should be read next (a source never read: a pace after import)."""
    if source.next_at is not None:
        return source.next_at
    return source.imported_at + schedule.pace(now, dates_of(conference, source))


def due(now: datetime.datetime | None = None) -> list[Conference]:
    """Conferences whose source should be read now (paused ones never are)."""
    now = now or timezone.now()
    conferences = (
        Conference.objects.exclude(source_url="")
        .filter(source__paused="")
        .select_related("source")
        .order_by("pk")
    )
    return [c for c in conferences if next_due(c, c.source, now) <= now]


def enqueue_due(now: datetime.datetime | None = None) -> list[Conference]:
    """Queue one refresh task for each due conference that has none waiting."""
    from sessions import tasks  # the task module imports this one

    now = now or timezone.now()
    queued = []
    for conference in due(now):
        with transaction.atomic():
            # The marker and the task row commit together: one waiting task a source.
            claimed = (
                Source.objects.filter(pk=conference.pk, paused="")
                .exclude(queued_at__gt=now - QUEUED_FOR)
                .update(queued_at=now)
            )
            if claimed:
                tasks.refresh_conference.enqueue(conference.pk)
                queued.append(conference)
    return queued


def refresh(conference: Conference, now: datetime.datetime | None = None) -> Outcome:
    """Read the conference's source again and apply what changed."""
    now = now or timezone.now()
    if not conference.source_url:
        return Outcome(conference, False, lines=["imported from a file: upload it again"])
    source = source_of(conference)
    try:
        fetched = fetch.fetch(
            conference.source_url, etag=source.etag, last_modified=source.last_modified
        )
        if fetched.not_modified:
            return _succeeded(conference, source, now, "unchanged (the source said so)")
        digest = hashlib.sha256(fetched.body).hexdigest()
        if digest == source.digest:
            return _succeeded(conference, source, now, "unchanged (the same file as before)")
        parsed = read_bytes(fetched.body, conference.source_format)
        _check_not_shrunk(conference, len(parsed.talks))
        result = write_catalog(parsed, source_url=conference.source_url)
    except (fetch.FetchError, CatalogError) as exc:
        return _failed(conference, source, now, str(exc))
    lines = report(result)
    changed = bool(result.created or result.updated)
    source.etag, source.last_modified, source.digest = (
        fetched.etag,
        fetched.last_modified,
        digest,
    )
    return _succeeded(conference, source, now, "; ".join(lines), changed=changed, lines=lines)


def _check_not_shrunk(conference: Conference, listed: int) -> None:
    have = conference.talks.count()
    if have and (listed == 0 or (have >= SHRINK_FROM and listed < have * SHRINK_TO)):
        raise CatalogError(
            None,
            f"the source lists {listed} talks where we have {have}: not applied "
            "(a source that suddenly lists so few is more likely broken than shrunk)",
        )


_TRY_FIELDS = ["checked_at", "failures", "failing_since", "error", "next_at", "queued_at"]


def _succeeded(
    conference, source, now, summary: str, changed: bool = False, lines: list | None = None
) -> Outcome:
    every = schedule.pace(now, dates_of(conference, source))
    source.checked_at = source.succeeded_at = now
    if changed:
        source.changed_at = now
    source.result = summary
    source.failures, source.failing_since, source.error = 0, None, ""
    source.next_at = schedule.next_try(now, every, 0)
    source.queued_at = None
    # Named fields only: a staff pause saved meanwhile stays.
    source.save(update_fields=[*_TRY_FIELDS, "succeeded_at", "changed_at", "result",
                               "etag", "last_modified", "digest"])  # fmt: skip
    return Outcome(conference, True, changed, lines or [f"{conference.name}: {summary}"])


def _failed(conference, source, now, error: str) -> Outcome:
    every = schedule.pace(now, dates_of(conference, source))
    source.checked_at = now
    source.failures += 1
    source.failing_since = source.failing_since or now
    source.error = error
    source.next_at = schedule.next_try(now, every, source.failures)
    source.queued_at = None
    gives_up = schedule.gives_up(now, source.failing_since)
    if gives_up:
        source.paused = Source.Paused.FAILURES
    source.save(update_fields=[*_TRY_FIELDS, *(["paused"] if gives_up else [])])
    return Outcome(conference, False, lines=[f"{conference.name}: not refreshed: {error}"])


def pause(conference: Conference, paused: bool) -> Source:
    """Staff's switch: pause, or start again (a source paused after failures too: its
    next read is now)."""
    source = source_of(conference)
    source.paused = Source.Paused.STAFF if paused else Source.Paused.NO
    if not paused:
        source.next_at = timezone.now()
    source.save(update_fields=["paused", "next_at"])
    return source
