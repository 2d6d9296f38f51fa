"""Saving a note without ever losing the text another tab saved."""

from django.db import transaction

from planner.models import Entry, NoteRevision, note_fingerprint

MAX_REVISIONS = 20


def quoted(text: str, clock: str, words: str) -> str:
    """The note with a passage quoted on a line of its own: `12:04 “…”`, which the note
    turns into a link to that moment (player.js writes the same line)."""
    lead = "" if text == "" or text.endswith("\n") else "\n"
    return f"{text}{lead}{clock} “{words}”\n"


@transaction.atomic
def save(entry: Entry, text: str, base: str) -> tuple[Entry, bool]:
    """Save text as the note; say whether it replaced a version the saving tab never saw.

    base names the text the tab started from. If the stored note is another
    one, a different tab saved in between: this later save wins, and the text
    it replaces is kept as a revision, so nothing is silently lost. A save that
    names no base (a stale page, a script) cannot show it saw the stored text,
    so whatever it replaces is kept too.
    """
    entry = Entry.objects.select_for_update().select_related("talk").get(pk=entry.pk)
    unseen = note_fingerprint(entry.note) != base
    conflict = unseen and bool(entry.note) and entry.note != text
    if conflict:
        NoteRevision.objects.create(entry=entry, text=entry.note)
        stale = list(entry.revisions.values_list("pk", flat=True)[MAX_REVISIONS:])
        NoteRevision.objects.filter(pk__in=stale).delete()
    if entry.note != text:
        entry.note = text
        entry.save(update_fields=["note", "note_html", "updated_at"])
    return entry, conflict
