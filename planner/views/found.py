"""Add a talk found anywhere: a link in (typed, shared from a phone, a bookmarklet), the
host asked for its title, the person corrects it, and it is in the catalog and their queue.

A GET only looks (the link, the host's answer); the POST adds and queues. A link to a
video the catalog already has is that talk, never a second one.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from planner import merge, queue, ratelimit
from planner.forms import AddLinkForm, AddTalkForm, MergeForm, link_in
from planner.markup import format_clock
from planner.models import Entry
from planner.views.conferences import staff_only
from sessions import lookup, video, writer
from sessions.catalog import CatalogError
from sessions.models import Talk

TEMPLATE = "planner/add_talk.html"
# Only navigates: the current tab goes to our Add page with its own address.
BOOKMARKLET = "javascript:location.href='{}?url='+encodeURIComponent(location.href)"


@login_required
@require_http_methods(["GET", "POST"])
def add_talk(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _add(request)
    shared = request.GET.get("url") or link_in(request.GET.get("text", ""))
    if not shared:
        return page(request, {"link_form": AddLinkForm(), "step": "link"})
    link_form = AddLinkForm({"url": shared})
    if not link_form.is_valid():
        return page(request, {"link_form": link_form, "step": "link"}, status=400)
    recording = link_form.cleaned_data["url"]
    if (talk := writer.talk_with_recording(recording)) is not None:
        return _known(request, talk, link_form)
    return _details(request, recording, link_form.link)


def page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    bookmarklet = BOOKMARKLET.format(request.build_absolute_uri(reverse("add_talk")))
    return render(request, TEMPLATE, {**context, "bookmarklet": bookmarklet}, status=status)


def _known(request: HttpRequest, talk, link_form: AddLinkForm) -> HttpResponse:
    """The catalog has this video: that talk, queued or ready to queue."""
    entry = Entry.objects.filter(user=request.user, talk=talk).first()
    context = {"link_form": link_form, "step": "known", "talk": talk, "entry": entry}
    return page(request, context)


def _details(request: HttpRequest, recording: video.Recording, link: str) -> HttpResponse:
    """Ask the host about the video; the person sees it and corrects it."""
    try:
        found = lookup.lookup(recording)
        problem = ""
    except lookup.LookupFailed as exc:
        found = lookup.blank(recording)
        problem = str(exc)
    initial = {
        "url": link,
        "title": found.title,
        "speaker": found.speaker_name,
        "minutes": round(found.duration_seconds / 60) if found.duration_seconds else None,
    }
    context = {
        "link_form": AddLinkForm(initial={"url": link}),
        "form": AddTalkForm(initial=initial),
        "step": "details",
        "recording": recording,
        "problem": problem,
    }
    return page(request, context)


def _add(request: HttpRequest) -> HttpResponse:
    form = AddTalkForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "step": "details", "link_form": AddLinkForm()}
        return page(request, context, status=400)
    data = form.cleaned_data
    recording = data["url"]
    key = f"rate:added-talks:{request.user.pk}"
    known, limit = writer.talk_with_recording(recording), settings.ADDED_TALKS_PER_HOUR
    if known is None and not ratelimit.allow_key(key, limit, 3600):
        form.add_error(
            None, f"You added {limit} talk{pluralize(limit)} this hour: try again later."
        )
        return page(request, {"form": form, "step": "details"}, status=429)
    item = lookup.blank(recording)
    item.title, item.speaker_name = data["title"], data["speaker"]
    item.duration_seconds = data["minutes"] * 60 if data["minutes"] else None
    try:
        talk, new = writer.add_found_talk(
            item, data["conference"], request.user.pk, credited=data["credit"]
        )
    except CatalogError as exc:
        form.add_error(None, str(exc))
        return page(request, {"form": form, "step": "details"}, status=400)
    entry = Entry.objects.filter(user=request.user, talk=talk).first()
    if entry is not None and entry.in_queue:
        messages.info(request, f"“{talk.title}” is already in your queue.")
        return redirect(talk.get_absolute_url())
    entry = queue.track(request.user, talk)
    added = "Added" if new else "It was in the catalog already:"
    if start := video.start_from_url(form.data.get("url", "")):
        # The link was shared at a moment: Play here starts there.
        queue.set_status(entry, Entry.Status.WATCHING, resume_seconds=start, watched_on=None)
        added = f"{added} “{talk.title}”, queued it to start at {format_clock(start)}"
        messages.success(request, f"{added}.")
    else:
        messages.success(request, f"{added} “{talk.title}”, and queued it.")
    return redirect(talk.get_absolute_url())


@staff_only
@require_POST
def merge_talk(request: HttpRequest, talk_id: int) -> HttpResponse:
    """Staff: a talk someone added is a conference talk the catalog has; fold it in."""
    source = get_object_or_404(Talk.objects.select_related("conference"), pk=talk_id)
    form = MergeForm(request.POST, source=source)
    if not form.is_valid():
        messages.error(request, f"Not merged: {form.errors['target'][0]}")
        return redirect(source.get_absolute_url())
    target = form.cleaned_data["target"]
    done = merge.merge_talk(source, target)
    messages.success(
        request,
        f"Merged “{source.title}” into this talk: {done.moved + done.joined} people's records "
        f"({done.joined} joined with their record of it), {done.list_items} list places.",
    )
    return redirect(target.get_absolute_url())
