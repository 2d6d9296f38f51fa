"""The conferences in the catalog, and the staff's door for adding and refreshing them."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from planner import previews
from planner.forms import FeedForm, ImportForm, PlaceForm, SourceForm
from planner.views.common import item_for, profile_of, speed_of
from sessions import details, feeds, refresh, schedule
from sessions.catalog import CatalogError
from sessions.models import Checked, Conference, Feed, FeedVideo, Talk
from sessions.readers import FORMATS, fetch, read_bytes
from sessions.writer import report, write_catalog

PREVIEW_TALKS = 8
UPLOAD_FORMATS = {k: v for k, v in FORMATS.items() if k != "pyvideo"}


def staff_only(view):
    """Staff pages: signed-out people are asked to sign in; everyone else gets a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def with_counts(conferences):
    """Talks and hours of video per conference, in the same query."""
    return conferences.annotate(
        talk_count=Count("talks"),
        video_count=Count("talks", filter=~Q(talks__video_ref="")),
        # Real lengths only: a schedule's slot is not video.
        video_seconds=Sum(
            "talks__duration_seconds",
            filter=~Q(talks__video_ref="") & Q(talks__length_is_slot=False),
        ),
    )


@require_GET
def conference_list(request: HttpRequest) -> HttpResponse:
    conferences = with_counts(Conference.objects.order_by("-year", "name"))
    return render(request, "planner/conferences.html", {"conferences": conferences})


@require_GET
def conference_detail(request: HttpRequest, slug: str) -> HttpResponse:
    conference = get_object_or_404(with_counts(Conference.objects.all()), slug=slug)
    tracks = (
        Talk.objects.filter(conference=conference)
        .exclude(track="")
        .values("track")
        .annotate(n=Count("pk"))
        .order_by("track")
    )
    fmt = FORMATS.get(conference.source_format, conference.source_format)
    context = {"conference": conference, "tracks": tracks, "format_label": fmt}
    if request.user.is_staff:
        context.update(_staff_facts(conference))
    return render(request, "planner/conference_detail.html", context)


def _staff_facts(conference: Conference) -> dict:
    """How the conference and its YouTube feeds are kept current, and the uploads no talk
    was found for, with the talks they could be."""
    now, days = timezone.now(), refresh.days_of(conference)

    def facts(state: Checked) -> dict:
        every = schedule.pace(now, refresh.dates_of(conference, state, days))
        next_at = None if state.paused else max(now, refresh.next_due(conference, state, now, days))
        return {"state": state, "pace": schedule.in_words(every), "next_at": next_at}

    feeds = list(conference.feeds.order_by("pk"))
    to_place = list(
        FeedVideo.objects.filter(
            feed__conference=conference, state=FeedVideo.State.UNMATCHED
        ).order_by("-published", "pk")
    )
    open_talks = list(conference.talks.filter(video_ref="").order_by("position").only("title"))
    return {
        "source": facts(refresh.source_of(conference)) if conference.source_url else None,
        "feeds": [{**facts(feed), "feed": feed} for feed in feeds],
        "to_place": [
            (upload, PlaceForm(talks=open_talks, prefix=f"u{upload.pk}")) for upload in to_place
        ],  # fmt: skip
        "feed_form": FeedForm(),
        # Only media.ccc.de's listing names talk pages: other conferences spare the query.
        "pages": details.summary(conference) if conference.source_format == "mediaccc" else None,
    }


def _source_name(form: ImportForm) -> str:
    upload = form.cleaned_data.get("file")
    return upload.name if upload else form.cleaned_data["url"]


def _preview(request: HttpRequest, form: ImportForm) -> HttpResponse:
    """Read the source, work the import out in a rolled-back transaction, and keep the
    bytes for the Import button, so what is imported is what was previewed."""
    data = form.cleaned_data
    name = _source_name(form)
    try:
        raw = data["file"].read() if data.get("file") else fetch.fetch(data["url"]).body
        parsed = read_bytes(raw, data["format"], data["title"])
        result = write_catalog(parsed, source_url=data["url"] or "", dry_run=True)
    except (CatalogError, fetch.FetchError) as exc:
        form.add_error(None, f"{name}: {exc}")
        return render(request, "planner/conference_add.html", {"form": form}, status=400)
    meta = {"format": parsed.format, "title": data["title"], "url": data["url"] or "",
            "name": name}  # fmt: skip
    token = previews.keep(request.user.pk, raw, meta)
    speed = speed_of(profile_of(request))
    context = {
        "form": form,
        "parsed": parsed,
        "result": result,
        "report": report(result),
        "token": token,
        "name": name,
        "format_label": FORMATS[parsed.format],
        "items": [item_for(_unsaved(t), None, speed) for t in parsed.talks[:PREVIEW_TALKS]],
        "more": max(0, len(parsed.talks) - PREVIEW_TALKS),
    }
    return render(request, "planner/conference_add.html", context)


def _unsaved(parsed_talk) -> Talk:
    """A talk as it will look, for the preview (never saved)."""
    first = parsed_talk.recordings[0] if parsed_talk.recordings else None
    return Talk(
        kind=parsed_talk.kind,
        title=parsed_talk.title,
        speaker_name=parsed_talk.speaker_name,
        track=parsed_talk.track,
        duration_seconds=parsed_talk.duration_seconds,
        length_is_slot=parsed_talk.length_is_slot,
        video_provider=first.provider if first else "",
        video_ref=first.reference if first else "",
    )


@staff_only
@require_http_methods(["GET", "POST"])
def conference_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "token" in request.POST:
        return _import_previewed(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, formats=UPLOAD_FORMATS)
        if form.is_valid():
            return _preview(request, form)
        return render(request, "planner/conference_add.html", {"form": form}, status=400)
    form = ImportForm(formats=UPLOAD_FORMATS)
    return render(request, "planner/conference_add.html", {"form": form})


def _refused(request: HttpRequest, error: str) -> HttpResponse:
    context = {"form": ImportForm(formats=UPLOAD_FORMATS), "error": error}
    return render(request, "planner/conference_add.html", context, status=400)


def _import_previewed(request: HttpRequest) -> HttpResponse:
    token = request.POST["token"]
    kept = previews.take(request.user.pk, token)
    if kept is None:
        return _refused(request, "That preview has expired. Give the file or address again.")
    raw, stash = kept
    try:
        parsed = read_bytes(raw, stash["format"], stash["title"])
        result = write_catalog(parsed, source_url=stash["url"])
    except CatalogError as exc:  # the catalog changed under the preview in a way it refuses
        return _refused(request, f"{stash['name']}: {exc}")
    previews.forget(request.user.pk, token)
    for line in report(result)[:20]:
        messages.success(request, line)
    return redirect("conference_detail", result.conference.slug)


@staff_only
@require_POST
def conference_refresh(request: HttpRequest, slug: str) -> HttpResponse:
    conference = get_object_or_404(Conference, slug=slug)
    if not conference.source_url:
        messages.error(request, "This conference was imported from a file: upload it again.")
        return redirect("conference_detail", slug)
    outcome = refresh.refresh(conference)
    if not outcome.ok:
        messages.error(request, f"Not refreshed: {refresh.source_of(conference).error}. "
                                "Nothing was changed.")  # fmt: skip
        return redirect("conference_detail", slug)
    for line in outcome.lines[:20]:
        messages.success(request, line)
    return redirect("conference_detail", outcome.conference.slug)


@staff_only
@require_POST
def conference_source(request: HttpRequest, slug: str) -> HttpResponse:
    conference = get_object_or_404(Conference.objects.exclude(source_url=""), slug=slug)
    form = SourceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing changed: choose Pause or Resume.")
        return redirect("conference_detail", slug)
    paused = form.cleaned_data["refresh"] == "pause"
    refresh.pause(refresh.source_of(conference), paused)
    messages.success(request, _paused_message(paused, "the source"))
    return redirect("conference_detail", slug)


def _paused_message(paused: bool, what: str) -> str:
    if paused:
        return f"Automatic refresh paused: {what} is read only when you press Refresh now."
    return f"Automatic refresh is on again: {what} is read within a minute."


def _told(request: HttpRequest, outcome: refresh.Outcome) -> HttpResponse:
    """Back to the conference's feeds, saying what a feed's read gave."""
    for line in outcome.lines:
        (messages.success if outcome.ok else messages.error)(request, line)
    return redirect(f"{reverse('conference_detail', args=[outcome.conference.slug])}#feeds-heading")


def _feed_of(slug: str, pk: int) -> Feed:
    return get_object_or_404(Feed.objects.select_related("conference"), pk=pk,
                             conference__slug=slug)  # fmt: skip


@staff_only
@require_POST
def feed_add(request: HttpRequest, slug: str) -> HttpResponse:
    conference = get_object_or_404(Conference, slug=slug)
    form = FeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not added: {form.errors['url'][0]}")
        return redirect("conference_detail", slug)
    try:
        feed = feeds.add(conference, form.cleaned_data["url"], check=True)
    except CatalogError as exc:
        messages.error(request, f"Not added: {exc}")
        return redirect("conference_detail", slug)
    return _told(request, feeds.refresh_feed(feed))


@staff_only
@require_POST
def feed_refresh(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _told(request, feeds.refresh_feed(_feed_of(slug, pk)))


@staff_only
@require_POST
def feed_source(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    feed = _feed_of(slug, pk)
    form = SourceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing changed: choose Pause or Resume.")
    else:
        paused = form.cleaned_data["refresh"] == "pause"
        refresh.pause(feed, paused)
        messages.success(request, _paused_message(paused, "the feed"))
    return redirect(f"{reverse('conference_detail', args=[slug])}#feeds-heading")


@staff_only
@require_POST
def feed_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    feed = _feed_of(slug, pk)
    feed.delete()  # its uploads' list with it; the recordings it brought stay
    messages.success(request, f"Removed the feed “{feed}”. The recordings it brought stay.")
    return redirect(f"{reverse('conference_detail', args=[slug])}#feeds-heading")


@staff_only
@require_POST
def feed_video_place(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    waiting = FeedVideo.objects.filter(state=FeedVideo.State.UNMATCHED)
    upload = get_object_or_404(waiting.select_related("feed__conference"), pk=pk,
                               feed__conference__slug=slug)  # fmt: skip
    open_talks = upload.feed.conference.talks.filter(video_ref="")
    form = PlaceForm(request.POST, talks=open_talks, prefix=f"u{upload.pk}")
    if not form.is_valid():
        messages.error(request, f"“{upload.title}” not placed: choose the talk it is.")
    elif form.cleaned_data["action"] == "add":
        talk = feeds.add_as_talk(upload)
        messages.success(request, f"Added “{talk.title}” as a new talk.")
    elif feeds.attach(upload, form.cleaned_data["talk"]):
        messages.success(request, f"“{upload.title}” is now the recording of "
                                  f"“{form.cleaned_data['talk'].title}”.")  # fmt: skip
    else:
        messages.error(request, f"“{upload.title}” is already a recording in the catalog.")
    return redirect(f"{reverse('conference_detail', args=[slug])}#place-heading")
