"""Changes to a person's watch list.

Every change runs in one transaction that first locks the person's profile
row: two tabs (or two gunicorn workers) changing the same queue take turns,
so positions are never duplicated or lost. On SQLite the IMMEDIATE
transaction mode already serialises writers; the lock matters on PostgreSQL.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from planner import positions
from planner.models import Entry, Profile, Viewing
from sessions.models import Talk


def lock(user) -> Profile:
    """The person's profile, locked until the transaction ends: changes to their
    plan take turns (two tabs, two workers)."""
    try:
        return Profile.objects.select_for_update().get(user=user)
    except Profile.DoesNotExist:
        Profile.objects.get_or_create(user=user)
        return Profile.objects.select_for_update().get(user=user)


def _next_position(user) -> int:
    top = Entry.objects.filter(user=user, position__isnull=False).aggregate(m=Max("position"))
    return (top["m"] or 0) + 1


def _renumber(user_id: int, queue: list[Entry]) -> None:
    positions.renumber(queue, Entry.objects.filter(user_id=user_id))


def _queue(user) -> list[Entry]:
    return list(Entry.objects.for_user(user).queued())


def _watched(entry: Entry, day: date | None) -> Viewing | None:
    """Record a viewing, unless the record already says watched (then only its date
    may change). A rewatch on another day is a new viewing: the diary keeps every one; a
    talk marked watched again on a day it already has a viewing for keeps that one.
    Returns the viewing it added, if it did."""
    if entry.status == Entry.Status.WATCHED:
        if day is not None:
            latest = entry.viewings.first()
            if latest is None:
                return Viewing.objects.create(entry=entry, watched_on=day, rating=entry.rating)
            if latest.watched_on != day:
                latest.watched_on = day
                latest.save(update_fields=["watched_on"])
        return None
    day = day or timezone.localdate()
    entry.resume_seconds = None  # finished: nothing to resume
    if entry.pk and entry.viewings.filter(watched_on=day).exists():
        return None
    return Viewing.objects.create(entry=entry, watched_on=day, rating=entry.rating)


def _apply(entry: Entry, status: str, watched_on: date | None = None) -> Viewing | None:
    """Give the (locked) record a new status, keeping queue places and viewings right.
    Returns the viewing a change to watched added, if it added one."""
    if status in Entry.QUEUE_STATUSES:
        if not entry.in_queue:
            entry.position = _next_position(entry.user_id)
    else:
        entry.position = None
    added = _watched(entry, watched_on) if status == Entry.Status.WATCHED else None
    entry.status = status
    return added


@transaction.atomic
def track(user, talk: Talk, status: str = Entry.Status.QUEUED) -> Entry:
    """Put a talk in the queue (at the end), or record it as watched/skipped.

    Queueing a watched talk is a rewatch: its viewings stay in the diary.
    """
    lock(user)
    try:
        entry = Entry.objects.get(user=user, talk=talk)
    except Entry.DoesNotExist:
        # Every path that adds a record holds the person's lock, so nobody adds this one
        # meanwhile: it is made whole and inserted once (get_or_create's savepoint,
        # insert and release, then an update, were four round trips).
        entry = Entry(user=user, talk=talk)
        if status == Entry.Status.WATCHED:
            entry.save()  # the viewing _apply adds refers to it
    entry.talk = talk  # save() renders the note with it: spare fetching it again
    _apply(entry, status)
    entry.save()
    return entry


@transaction.atomic
def unqueue(entry: Entry) -> Entry | None:
    """Take a talk off the queue; the record goes only if it holds nothing else."""
    lock(entry.user)
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
    lock(entry.user)
    entry = Entry.objects.select_related("talk").get(pk=entry.pk)
    _apply(entry, status, watched_on)
    if status == Entry.Status.WATCHING:
        entry.resume_seconds = resume_seconds
    entry.save()
    return entry


@dataclass(frozen=True)
class Before:
    """What a one-click "Watched" replaced, carried by its Undo button."""

    status: str
    rank: int | None  # 1-based place in the queue
    resume_seconds: int | None
    viewing_id: int | None  # the viewing the click added


def before_watched(entry: Entry) -> Before:
    rank = None
    if entry.in_queue:
        rank = 1 + Entry.objects.filter(user_id=entry.user_id, position__lt=entry.position).count()
    return Before(entry.status, rank, entry.resume_seconds, None)


@transaction.atomic
def mark_watched(user, talk: Talk) -> tuple[Entry, Before]:
    """One click: watched today. Returns what to put back if the person undoes it."""
    lock(user)
    entry, _ = Entry.objects.get_or_create(user=user, talk=talk)
    entry.talk = talk
    before = before_watched(entry)
    if entry.status == Entry.Status.WATCHED:
        return entry, before
    added = _apply(entry, Entry.Status.WATCHED)
    entry.save()
    return entry, replace(before, viewing_id=added.pk if added else None)


@transaction.atomic
def undo_watched(entry: Entry, before: Before) -> Entry:
    """Put back what mark_watched replaced: status, queue place, resume time; drop the
    viewing it added. Nothing else the person did since is touched."""
    lock(entry.user)
    entry = Entry.objects.select_related("talk").get(pk=entry.pk)
    if entry.status != Entry.Status.WATCHED or before.status == Entry.Status.WATCHED:
        return entry  # changed since, or it was watched already: nothing to put back
    if before.viewing_id:  # none when that day's viewing was there already: it stays
        entry.viewings.filter(pk=before.viewing_id).delete()
    entry.status = before.status
    entry.resume_seconds = before.resume_seconds
    if not entry.status and entry.is_empty():  # it was not in the plan before the click
        entry.delete()
        return entry
    entry.position = _next_position(entry.user_id) if entry.in_queue else None
    entry.save()
    if entry.in_queue:  # back to the place it had
        queue = [e for e in _queue(entry.user_id) if e.pk != entry.pk]
        queue.insert(min(max((before.rank or 1) - 1, 0), len(queue)), entry)
        _renumber(entry.user_id, queue)
    return entry


@transaction.atomic
def move(entry: Entry, direction: str) -> None:
    """Move a queued talk one place up or down, or to the top or bottom."""
    lock(entry.user)
    order = positions.moved(_queue(entry.user), entry.pk, direction)
    if order is not None:
        _renumber(entry.user_id, order)


@transaction.atomic
def reorder(user, entry_ids: list[int]) -> None:
    """Put the named queued entries in the given order, in the places they hold now.

    A tab may show a stale or filtered part of the queue: talks it does not
    name keep their places, and ids no longer in the queue are ignored.
    """
    lock(user)
    queue = _queue(user)
    by_id = {e.pk: e for e in queue}
    wanted = [by_id[i] for i in dict.fromkeys(entry_ids) if i in by_id]
    slots = sorted(e.position for e in wanted)
    positions.write(wanted, slots, Entry.objects.filter(user_id=user.pk))


UNDO_MAX_AGE = 24 * 3600  # an Undo offered today still works after lunch; not next week


def undo_token(entry: Entry, before: Before) -> str:
    """Before, signed for this person and record: the Undo form carries nothing else."""
    payload = [entry.pk, before.status, before.rank, before.resume_seconds, before.viewing_id]
    return signing.dumps(payload, salt=f"undo-watched:{entry.user_id}", compress=True)


def read_undo_token(user, token: str) -> tuple[int, Before] | None:
    """(entry id, Before) from a token this person was given, or None."""
    try:
        pk, status, rank, resume, viewing = signing.loads(
            token, salt=f"undo-watched:{user.pk}", max_age=UNDO_MAX_AGE
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return pk, Before(status, rank, resume, viewing)


# One save a second per record at most: a player saves every 15 s, on pause and when
# the page is hidden; anything faster is a flood, refused inside the UPDATE itself.
MIN_SAVE_INTERVAL = timedelta(seconds=1)


def _progress(talk: Talk, position: int, duration: int | None, now) -> dict:
    changes = {"resume_seconds": position, "status": Entry.Status.WATCHING, "updated_at": now}
    if duration and (not talk.duration_seconds or talk.length_is_slot):
        changes["personal_seconds"] = Coalesce("personal_seconds", Value(duration))
    return changes


def save_progress(user, talk: Talk, position: int, duration: int | None) -> str:
    """Where the player is: one UPDATE on the common path. A queued talk becomes
    "watching"; a length the player reports fills in the person's own length while the
    catalog's is only an estimate (never written into the catalog: its version token
    would empty every worker's cache). Says what happened: "saved", "too soon" (the
    record was saved less than MIN_SAVE_INTERVAL ago), "kept" (watched: a rewatch in the
    player does not undo it) or "new" (no record in the plan yet: see start_progress)."""
    now = timezone.now()
    mine = Entry.objects.filter(user=user, talk=talk)
    due = mine.filter(status__in=Entry.QUEUE_STATUSES, updated_at__lte=now - MIN_SAVE_INTERVAL)
    if due.update(**_progress(talk, position, duration, now)):
        return "saved"
    status = mine.values_list("status", flat=True).first()
    if status in Entry.QUEUE_STATUSES:
        return "too soon"
    return "kept" if status == Entry.Status.WATCHED else "new"


@transaction.atomic
def start_progress(user, talk: Talk, position: int, duration: int | None) -> None:
    """The first play of a talk not in the plan (or skipped): it becomes "watching"."""
    track(user, talk, Entry.Status.WATCHING)
    Entry.objects.filter(user=user, talk=talk).update(
        **_progress(talk, position, duration, timezone.now())
    )
