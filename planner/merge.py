"""Fold a talk someone added by its link into the catalog's own talk, keeping everything
people wrote: records, viewings, notes and their earlier versions, tags, list places.

A person with a record of both keeps one record: in the queue if either was (the
target's place, else the added talk's), watched if either was, the target's rating and
length where it has them; notes are joined, or the added talk's note is kept under
Earlier versions where both will not fit in one.
"""

from dataclasses import dataclass

from django.db import transaction

from planner import queue
from planner.models import NOTE_MAX_CHARS, Entry, ListItem, NoteRevision, Viewing
from sessions.models import Recording, Talk

RANK = {
    Entry.Status.NONE: 0,
    Entry.Status.SKIPPED: 1,
    Entry.Status.QUEUED: 2,
    Entry.Status.WATCHING: 3,
    Entry.Status.WATCHED: 4,
}


@dataclass(frozen=True)
class Merged:
    moved: int  # records that moved to the target as they were
    joined: int  # records joined with the person's record of the target
    list_items: int


def _join(source: Entry, target: Entry) -> None:
    """Everything of source into target (both the same person's; rows locked)."""
    in_queue = [e for e in (target, source) if e.in_queue]
    if in_queue:
        keep = in_queue[0]
        target.status = max((e.status for e in in_queue), key=RANK.__getitem__)
        position = keep.position
        if keep is source:
            Entry.objects.filter(pk=source.pk).update(position=None)  # free its place
        target.position = position
    else:
        target.status = max(target.status, source.status, key=RANK.__getitem__)
    target.rating = target.rating or source.rating
    target.personal_seconds = target.personal_seconds or source.personal_seconds
    if target.status == Entry.Status.WATCHING:
        target.resume_seconds = target.resume_seconds or source.resume_seconds
    note = source.note.strip()
    if note and note != target.note.strip():
        joined = f"{target.note.rstrip()}\n\n{note}" if target.note.strip() else note
        if len(joined) <= NOTE_MAX_CHARS:
            target.note = joined
        else:
            NoteRevision.objects.create(entry=target, text=source.note)
    NoteRevision.objects.filter(entry=source).update(entry=target)
    Viewing.objects.filter(entry=source).update(entry=target)
    target.tags.add(*source.tags.names())
    target.save()
    source.delete()


@transaction.atomic
def merge_talk(source: Talk, target: Talk) -> Merged:
    """Move every person's record of source to target, and source's recordings; then
    delete source. Nothing a person wrote is dropped."""
    if source.pk == target.pk:
        raise ValueError("A talk cannot be merged into itself.")
    moved = joined = 0
    users = sorted(set(Entry.objects.filter(talk=source).values_list("user_id", flat=True)))
    for user_id in users:  # in id order: two merges lock people in the same order
        queue.lock(user_id)
        source_entry = Entry.objects.select_for_update().get(user_id=user_id, talk=source)
        target_entry = (
            Entry.objects.select_for_update().filter(user_id=user_id, talk=target).first()
        )
        if target_entry is None:
            source_entry.talk = target
            source_entry.save()  # the note is drawn again with the target's video links
            moved += 1
        else:
            _join(source_entry, target_entry)
            joined += 1
    items = 0
    for item in ListItem.objects.filter(talk=source).select_related("recommended_list"):
        if ListItem.objects.filter(recommended_list=item.recommended_list, talk=target).exists():
            item.delete()  # the list has the talk already, in its own place
        else:
            item.talk = target
            item.save(update_fields=["talk"])
        items += 1
    have = set(target.recordings.values_list("provider", "reference"))
    extra = target.recordings.count()
    for recording in Recording.objects.filter(talk=source).order_by("position"):
        if (recording.provider, recording.reference) not in have:
            Recording.objects.create(talk=target, provider=recording.provider,
                                     reference=recording.reference,
                                     language=recording.language, position=extra)  # fmt: skip
            extra += 1
    if not target.video_ref and source.video_ref:
        target.video_provider, target.video_ref = source.video_provider, source.video_ref
        target.video_since = source.video_since
        target.save()
    source.delete()
    return Merged(moved=moved, joined=joined, list_items=items)
