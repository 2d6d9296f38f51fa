"""Changes to a person's watch list.

Every change runs in one transaction that first locks the person's profile
row: two tabs (or two gunicorn workers) changing the same queue take turns,
so positions are never duplicated or lost. On SQLite the IMMEDIATE
transaction mode already serialises writers; the lock matters on PostgreSQL.
"""

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from planner.models import Entry, Profile
from sessions.models import Talk


def _lock(user) -> Profile:
    try:
        return Profile.objects.select_for_update().get(user=user)
    except Profile.DoesNotExist:
        Profile.objects.get_or_create(user=user)
        return Profile.objects.select_for_update().get(user=user)


def _next_position(user) -> int:
    top = Entry.objects.filter(user=user, position__isnull=False).aggregate(m=Max("position"))
    return (top["m"] or 0) + 1


def _write_positions(entries: list[Entry], positions: list[int]) -> None:
    """Give entries[i] positions[i], changing only the rows that move.

    The unique (user, position) constraint is checked row by row, so moved
    rows first go above every current position, then to their places.
    """
    moved = [(e, p) for e, p in zip(entries, positions, strict=True) if e.position != p]
    if not moved:
        return
    user_id = moved[0][0].user_id
    top = Entry.objects.filter(user_id=user_id).aggregate(m=Max("position"))["m"] or 0
    for offset, (entry, _) in enumerate(moved, start=1):
        entry.position = top + offset
    Entry.objects.bulk_update([e for e, _ in moved], ["position"])
    for entry, position in moved:
        entry.position = position
    Entry.objects.bulk_update([e for e, _ in moved], ["position"])


def _queue(user) -> list[Entry]:
    return list(Entry.objects.for_user(user).queued())


@transaction.atomic
def track(user, talk: Talk, status: str = Entry.Status.QUEUED) -> Entry:
    """Put a talk in the queue (at the end), or record it as watched/skipped."""
    _lock(user)
    entry, _ = Entry.objects.get_or_create(user=user, talk=talk)
    entry.talk = talk  # save() renders the note with it: spare fetching it again
    if status in Entry.QUEUE_STATUSES:
        if not entry.in_queue:
            entry.position = _next_position(user)
    else:
        entry.position = None
    entry.status = status
    if status == Entry.Status.WATCHED and entry.watched_on is None:
        entry.watched_on = timezone.localdate()
    entry.save()
    return entry


@transaction.atomic
def unqueue(entry: Entry) -> Entry | None:
    """Take a talk off the queue; the record goes only if it holds nothing else."""
    _lock(entry.user)
    entry = Entry.objects.get(pk=entry.pk)
    if not entry.in_queue:
        return entry
    if entry.is_empty():
        entry.delete()
        return None
    entry.status = Entry.Status.NONE
    entry.position = None
    entry.save(update_fields=["status", "position", "updated_at"])
    return entry


@transaction.atomic
def set_status(
    entry: Entry, status: str, resume_seconds: int | None, watched_on: date | None
) -> Entry:
    _lock(entry.user)
    entry = Entry.objects.select_related("talk").get(pk=entry.pk)
    if status in Entry.QUEUE_STATUSES and not entry.in_queue:
        entry.position = _next_position(entry.user)
    elif status not in Entry.QUEUE_STATUSES:
        entry.position = None
    entry.status = status
    if status == Entry.Status.WATCHING:
        entry.resume_seconds = resume_seconds
    if status == Entry.Status.WATCHED:
        entry.watched_on = watched_on or entry.watched_on or timezone.localdate()
    entry.save()
    return entry


@transaction.atomic
def move(entry: Entry, direction: str) -> None:
    """Move a queued talk one place up or down, or to the top or bottom."""
    _lock(entry.user)
    queue = _queue(entry.user)
    index = next((i for i, e in enumerate(queue) if e.pk == entry.pk), None)
    if index is None:
        return
    item = queue.pop(index)
    target = {
        "up": max(index - 1, 0),
        "down": min(index + 1, len(queue)),
        "top": 0,
        "bottom": len(queue),
    }[direction]
    queue.insert(target, item)
    _write_positions(queue, list(range(1, len(queue) + 1)))


@transaction.atomic
def reorder(user, entry_ids: list[int]) -> None:
    """Put the named queued entries in the given order, in the places they hold now.

    A tab may show a stale or filtered part of the queue: talks it does not
    name keep their places, and ids no longer in the queue are ignored.
    """
    _lock(user)
    queue = _queue(user)
    by_id = {e.pk: e for e in queue}
    wanted = [by_id[i] for i in dict.fromkeys(entry_ids) if i in by_id]
    slots = sorted(e.position for e in wanted)
    _write_positions(wanted, slots)
