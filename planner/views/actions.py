"""What a person does to a talk: queue, watched (and its Undo), status, rating, note,
tags, length. Each answers htmx with the part of the page that changed, and a plain
form with a redirect back (common.back / common.fragment)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from planner import notes, queue
from planner.forms import LengthForm, NoteForm, RatingForm, StatusForm, TagForm, TrackForm, UndoForm
from planner.markup import format_clock
from planner.models import NOTE_MAX_CHARS, Entry, note_fingerprint
from planner.views.common import back, entry_for_user, fragment
from planner.views.talk import fragment_for, refused, talk_context, undo_offer
from sessions.models import Passage, Talk

TRACKED = {
    Entry.Status.QUEUED: "Added “{}” to your queue.",
    Entry.Status.WATCHING: "Watching “{}”.",
    Entry.Status.WATCHED: "Marked “{}” as watched today.",
    Entry.Status.SKIPPED: "Skipped “{}”.",
}


def _answer(request: HttpRequest, message: str, talk: Talk, entry: Entry | None,
            read_here: bool = False, **extra):  # fmt: skip
    """The part of the page the form named (its "fragment"), or back to the page."""
    if not request.htmx:
        return back(request, message, talk.get_absolute_url())
    template, context = fragment_for(request, talk, entry, read_here=read_here)
    return fragment(request, template, {**context, **extra}, message)


def _talk_part(request: HttpRequest, template: str, entry: Entry, message: str):
    """One part of the talk page, with the record fresh from the database."""
    if not request.htmx:
        return back(request, message, entry.talk.get_absolute_url())
    fresh = Entry.objects.select_related("talk__conference").with_tags().with_viewings()
    entry = fresh.get(pk=entry.pk)
    return fragment(request, template, talk_context(request, entry.talk, entry), message)


def _bound(request: HttpRequest, entry_id: int, form_class, template: str, name: str):
    """The person's record and its form bound to the POST; plus, when the input is
    invalid, the answer that shows the error beside the control (else None)."""
    entry = entry_for_user(request, entry_id)
    form = form_class(request.POST)
    if form.is_valid():
        return entry, form, None
    return entry, form, refused(request, template, entry, **{name: form})


@require_POST
@login_required
def track(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = get_object_or_404(Talk.objects.select_related("conference"), pk=talk_id)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown status.", status=400, content_type="text/plain")
    status = form.cleaned_data["status"]
    undo = None
    if status == Entry.Status.WATCHED:
        entry, before = queue.mark_watched(request.user, talk)
        if before.status != Entry.Status.WATCHED:  # it changed: an Undo puts it back
            # The Undo comes with the announcement (htmx) or the message (no JS).
            undo = undo_offer(request, entry, before)
            if not request.htmx:
                request.session["undo"] = undo
    else:
        entry = queue.track(request.user, talk, status)
    return _answer(request, TRACKED[entry.status].format(talk.title), talk, entry, undo=undo)


@require_POST
@login_required
def undo_watched(request: HttpRequest) -> HttpResponse:
    form = UndoForm(request.POST, user=request.user)
    if not form.is_valid():
        return HttpResponse(form.errors["token"][0], status=400, content_type="text/plain")
    entry_id, before = form.cleaned_data["token"]
    entry = entry_for_user(request, entry_id)
    talk = entry.talk
    restored = queue.undo_watched(entry, before)
    entry = restored if restored.pk else None
    where = "back in your queue" if entry and entry.in_queue else "no longer marked watched"
    return _answer(request, f"Undone: “{talk.title}” is {where}.", talk, entry)


@require_POST
@login_required
def unqueue(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_for_user(request, entry_id)
    talk = entry.talk
    entry = queue.unqueue(entry)
    return _answer(request, f"Removed “{talk.title}” from your queue.", talk, entry)


@require_POST
@login_required
def set_status(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_for_user(request, entry_id)
    form = StatusForm(request.POST, auto_id="id_status_%s")
    if not form.is_valid():
        return refused(request, "planner/talk_detail.html#status", entry, status_form=form)
    data = form.cleaned_data
    entry = queue.set_status(entry, data["status"], data["resume"], data["watched_on"])
    message = f"“{entry.talk.title}”: {entry.get_status_display().lower()}."
    return _answer(request, message, entry.talk, entry, status_open=True)


@require_POST
@login_required
def rate(request: HttpRequest, entry_id: int) -> HttpResponse:
    template = "planner/talk_detail.html#status"
    entry, form, refusal = _bound(request, entry_id, RatingForm, template, "rating_form")
    if refusal:
        return refusal
    entry.set_rating(form.cleaned_data["rating"])
    message = f"Rated {entry.rating} of 5." if entry.rating else "Rating cleared."
    return _answer(request, message, entry.talk, entry, read_here=True)


@require_POST
@login_required
def save_note(request: HttpRequest, entry_id: int) -> HttpResponse:
    template = "planner/talk_detail.html#note_status"
    entry, form, refusal = _bound(request, entry_id, NoteForm, template, "note_form")
    if refusal:
        return refusal
    text = form.cleaned_data["note"]
    quoted = form.cleaned_data["quote"] and (
        Passage.objects.filter(pk=form.cleaned_data["quote"], transcript__talk=entry.talk_id)
        .values_list("start_seconds", "text")
        .first()
    )
    if quoted:  # a passage's Quote button, without JavaScript: the note as typed, and it
        text = notes.quoted(text, format_clock(quoted[0]), quoted[1])[:NOTE_MAX_CHARS]
    if entry.note == text:  # as this request read it: nothing to write, nothing to keep
        conflict = False
    else:
        entry, conflict = notes.save(entry, text, form.cleaned_data["base"])
    message = (
        "Note saved. It had changed in another tab: that text is kept under Earlier versions."
        if conflict
        else "Quote added to your note."
        if quoted
        else "Note saved."
    )
    if not request.htmx:
        return back(request, message, entry.talk.get_absolute_url())
    context = {
        "entry": entry,
        "note_form": form,
        "note_base": note_fingerprint(entry.note),
        "note_conflict": conflict,
        "revisions": entry.revisions.all()[:10],
    }
    return fragment(request, template, context, message)


@require_POST
@login_required
def add_tag(request: HttpRequest, entry_id: int) -> HttpResponse:
    template = "planner/talk_detail.html#tags"
    entry, form, refusal = _bound(request, entry_id, TagForm, template, "tag_form")
    if refusal:
        return refusal
    entry.tags.add(form.cleaned_data["name"])
    return _talk_part(request, template, entry, f"Tagged “{form.cleaned_data['name']}”.")


@require_POST
@login_required
def remove_tag(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_for_user(request, entry_id)
    name = request.POST.get("name", "")
    entry.tags.remove(name)
    return _talk_part(request, "planner/talk_detail.html#tags", entry, f"Removed tag “{name}”.")


@require_POST
@login_required
def set_length(request: HttpRequest, entry_id: int) -> HttpResponse:
    template = "planner/talk_detail.html#length"
    entry, form, refusal = _bound(request, entry_id, LengthForm, template, "length_form")
    if refusal:
        return refusal
    entry.personal_seconds = form.cleaned_data["length"]
    entry.save(update_fields=["personal_seconds", "updated_at"])
    message = (
        f"Length set to {format_clock(entry.personal_seconds)}."
        if entry.personal_seconds
        else "Length cleared: using the estimate."
    )
    return _talk_part(request, template, entry, message)
