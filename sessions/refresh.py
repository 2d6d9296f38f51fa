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
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Min
from django.template.defaultfilters import pluralize
from django.utils import timezone

from sessions import fetch, schedule
from sessions.catalog import CatalogError
from sessions.models import Checked, Conference, Feed, Source
from sessions.readers import read_bytes
from sessions.writer import report, write_catalog

# A refresh task queued this long ago and never run was lost (its worker's database
# was restored, say): the clock queues another.
QUEUED_FOR = datetime.timedelta(hours=1)
SHRINK_FROM = 10  # a conference with at least this many talks ...
SHRINK_TO = 0.1  # ... is not refreshed from a source listing under this share of them
LISTS_THE_LATEST = {"youtube-feed"}  # formats that only ever list the newest few


@dataclass
class Outcome:
    conference: Conference
    ok: bool
    changed: bool = False
    lines: list[str] = field(default_factory=list)


def days_of(conference: Conference) -> tuple[datetime.date | None, datetime.date | None]:
    """The conference's first and last day, as far as its talks say."""
    days = conference.talks.aggregate(first=Min("held_on"), last=Max("held_on"))
    return days["first"], days["last"]


def dates_of(conference: Conference, state: Checked, days: tuple | None = None) -> schedule.Dates:
    return schedule.Dates(*(days or days_of(conference)), state.imported_at)


def source_of(conference: Conference) -> Source:
    return Source.objects.get_or_create(conference=conference)[0]


def next_due(
    conference: Conference, state: Checked, now: datetime.datetime, days: tuple | None = None
) -> datetime.datetime:
    """When the address should be read next (one never read: a pace after its import)."""
    if state.next_at is not None:
        return state.next_at
    return state.imported_at + schedule.pace(now, dates_of(conference, state, days))


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


def due_feeds(now: datetime.datetime | None = None) -> list[Feed]:
    """YouTube feeds that should be read now, on their conference's schedule."""
    now = now or timezone.now()
    feeds = Feed.objects.filter(paused="").select_related("conference").order_by("pk")
    return [f for f in feeds if next_due(f.conference, f, now) <= now]


def enqueue_due(now: datetime.datetime | None = None) -> list[Conference | Feed]:
    """Queue one refresh task for each due source or feed that has none waiting."""
    from sessions import tasks  # the task module imports this one

    now = now or timezone.now()
    waiting = [
        *((Source, c.pk, tasks.refresh_conference, c) for c in due(now)),
        *((Feed, f.pk, tasks.refresh_feed, f) for f in due_feeds(now)),
    ]
    queued = []
    for model, pk, task, item in waiting:
        with transaction.atomic():
            # The marker and the task row commit together: one waiting task an address.
            claimed = (
                model.objects.filter(pk=pk, paused="")
                .exclude(queued_at__gt=now - QUEUED_FOR)
                .update(queued_at=now)
            )
            if claimed:
                task.enqueue(pk)
                queued.append(item)
    return queued


def refresh(conference: Conference, now: datetime.datetime | None = None) -> Outcome:
    """Read the conference's source again and apply what changed."""
    now = now or timezone.now()
    if not conference.source_url:
        return Outcome(conference, False, lines=["imported from a file: upload it again"])
    source = source_of(conference)

    def apply(body: bytes) -> tuple[bool, list[str]]:
        parsed = read_bytes(body, conference.source_format)
        if parsed.format not in LISTS_THE_LATEST:
            _check_not_shrunk(conference, len(parsed.talks))
        result = write_catalog(parsed, source_url=conference.source_url)
        return bool(result.created or result.updated), report(result)

    return read_again(conference, source, conference.source_url, conference.name, apply, now)


def read_again(
    conference: Conference,
    state: Checked,
    url: str,
    name: str,
    apply: Callable[[bytes], tuple[bool, list[str]]],
    now: datetime.datetime | None = None,
) -> Outcome:
    """Read an address again (conditional GET, then the digest), apply what it says with
    `apply` (body -> (changed, lines); CatalogError refuses it) and record the try."""
    now = now or timezone.now()
    try:
        fetched = fetch.fetch(url, etag=state.etag, last_modified=state.last_modified)
        if fetched.not_modified:
            return _succeeded(conference, state, name, now, "unchanged (the source said so)")
        digest = hashlib.sha256(fetched.body).hexdigest()
        if digest == state.digest:
            return _succeeded(conference, state, name, now, "unchanged (the same file as before)")
        changed, lines = apply(fetched.body)
    except (fetch.FetchError, CatalogError) as exc:
        return _failed(conference, state, name, now, str(exc))
    state.etag, state.last_modified, state.digest = fetched.etag, fetched.last_modified, digest
    return _succeeded(conference, state, name, now, "; ".join(lines), changed, lines)


def _check_not_shrunk(conference: Conference, listed: int) -> None:
    have = conference.talks.count()
    if have and (listed == 0 or (have >= SHRINK_FROM and listed < have * SHRINK_TO)):
        raise CatalogError(
            None,
            f"the source lists {listed} talk{pluralize(listed)} where we have {have}: not applied "
            "(a source that suddenly lists so few is more likely broken than shrunk)",
        )


_TRY_FIELDS = ["checked_at", "failures", "failing_since", "error", "next_at", "queued_at"]


def _succeeded(
    conference, source, name, now, summary: str, changed: bool = False, lines: list | None = None
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
    return Outcome(conference, True, changed, lines or [f"{name}: {summary}"])


def _failed(conference, source, name, now, error: str) -> Outcome:
    every = schedule.pace(now, dates_of(conference, source))
    source.checked_at = now
    source.failures += 1
    source.failing_since = source.failing_since or now
    source.error = error
    source.next_at = schedule.next_try(now, every, source.failures)
    source.queued_at = None
    gives_up = schedule.gives_up(now, source.failing_since)
    if gives_up:
        source.paused = Checked.Paused.FAILURES
    source.save(update_fields=[*_TRY_FIELDS, *(["paused"] if gives_up else [])])
    return Outcome(conference, False, lines=[f"{name}: not refreshed: {error}"])


def pause(state: Checked, paused: bool) -> Checked:
    """Staff's switch: pause, or start again (one paused after failures too: its next
    read is now)."""
    state.paused = Checked.Paused.STAFF if paused else Checked.Paused.NO
    if not paused:
        state.next_at = timezone.now()
    state.save(update_fields=["paused", "next_at"])
    return state
