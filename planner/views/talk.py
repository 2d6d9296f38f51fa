"""A talk's page and the parts of pages an action on a talk answers with."""

from itertools import groupby

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from planner import news, queue, resume
from planner.forms import LengthForm, NoteForm, RatingForm, StatusForm, TagForm, TranscriptForm
from planner.markup import format_clock
from planner.models import Entry, note_fingerprint
from planner.serving import kept
from planner.views.common import fragment, item_for, live, profile_of, speed_of
from planner.views.queue import queue_fragment
from sessions import details, languages, video
from sessions.models import Passage, Talk, Transcript


def talk_context(request: HttpRequest, talk: Talk, entry: Entry | None, **forms) -> dict:
    profile = profile_of(request)
    context = {
        "talk": talk,
        "entry": entry,
        "item": item_for(talk, entry, speed_of(profile)),
        "speed": speed_of(profile),
        "playable": talk.plays_here,  # our player, on the page
        "resume_at": live(talk, entry, resume.seconds),
    }
    if entry is not None:
        latest = entry.viewings.all()[:1]
        context.update(
            status_form=StatusForm(
                initial={
                    "status": entry.status or Entry.Status.QUEUED,
                    "resume": live(talk, entry, resume.clock),
                    "watched_on": latest[0].watched_on if latest else None,
                },
                auto_id="id_status_%s",
            ),
            rating_form=RatingForm(initial={"rating": entry.rating}),
            note_form=NoteForm(initial={"note": entry.note, "base": note_fingerprint(entry.note)}),
            note_base=note_fingerprint(entry.note),
            revisions=entry.revisions.all()[:10],
            tag_form=TagForm(),
            length_form=LengthForm(initial={"length": format_clock(entry.personal_seconds)}),
        )
    context.update(forms)
    return context


@require_GET
@kept.page(live=True)
def talk_detail(request: HttpRequest, conference_slug: str, slug: str) -> HttpResponse:
    talk = get_object_or_404(
        Talk.objects.select_related("conference", "found__added_by").with_topics(),
        conference__slug=conference_slug,
        slug=slug,
    )
    entry = None
    if request.user.is_authenticated:
        mine = Entry.objects.filter(user=request.user, talk=talk)
        entry = mine.with_tags().with_viewings().first()
        if entry is not None:
            entry.talk = talk  # resume links and notes need it: spare a query
    context = talk_context(
        request,
        talk,
        entry,
        recordings=list(talk.recordings.all()),
        transcripts=transcripts_of(talk),
    )
    if request.user.is_authenticated and not talk.video_ref:
        context["waiting"] = news.waits(request.user, talk)
    if request.user.is_staff:  # staff attach a transcript from the page
        context["transcript_form"] = TranscriptForm(auto_id="transcript-%s")
    provider, source, files = playing(request, talk, context)
    if provider:
        context.update(player_context(request, talk, entry, provider, source))
    response = render(request, "planner/talk_detail.html", context)
    if provider:
        # Only a page that plays a video lets its host in (Django's per-view override).
        response._csp_config = video.page_policy(
            settings.SECURE_CSP, provider, source, *(f.reference for f in files)
        )
    return response


def playing(request: HttpRequest, talk: Talk, context: dict) -> tuple[str, str, list]:
    """What our player plays: the recording itself (YouTube, a file), or one of the video
    files read from its page (media.ccc.de: in the language asked for with ?audio=, else
    the talk's own; the player switches to the browser's language where it is offered).
    ("", "", []) when it plays nothing here."""
    recordings = context["recordings"]
    files = [r for r in recordings if r.from_details and r.provider == video.FILE]
    context["recordings"] = [r for r in recordings if not r.from_details]
    if talk.video_provider in video.PLAYABLE:
        return talk.video_provider, talk.video_ref, []
    asked = request.GET.get("audio", "")[:20]
    chosen = details.choose_file(files, talk.language, asked)
    if chosen is None:
        context["playable"] = False
        return "", "", []
    context.update(
        playable=True,
        audio_asked=bool(asked),
        audio_files=[(f, languages.language_name(f.language), f == chosen) for f in files],
        audio_data=[{"src": f.reference, "lang": languages.two_letters(f.language),
                     "both": "-" in f.language} for f in files],
    )  # fmt: skip
    return video.FILE, chosen.reference, files


def transcripts_of(talk: Talk) -> list[tuple[Transcript, list[Passage]]]:
    """Each transcript of the talk with its passages in order: one query."""
    rows = Passage.objects.filter(transcript__talk=talk).select_related("transcript")
    rows = rows.order_by("transcript__language", "start_seconds", "pk")
    return [(t, list(ps)) for t, ps in groupby(rows, key=lambda p: p.transcript)]


HOST_SECOND = 999999999  # player.js puts the second in its place


def player_context(
    request: HttpRequest, talk: Talk, entry: Entry | None, provider: str, reference: str
) -> dict:
    """The player's settings, and the talk after this one in the person's queue."""
    watching = entry is not None and entry.status == Entry.Status.WATCHING
    resuming = entry if watching else None  # a talk not being watched starts at 0
    next_up = None
    if entry is not None and entry.in_queue and entry.position is not None:
        later = Entry.objects.for_user(request.user).queued().filter(position__gt=entry.position)
        next_up = later.select_related("talk__conference").first()
    if provider == video.YOUTUBE:
        origin = request.build_absolute_uri("/")
        source = live(talk, resuming, resume.embed, reference, origin)
    else:
        source = reference
    return {
        "player_provider": provider,
        "player_start": live(talk, resuming, resume.seconds),
        "player_resumes": bool(resuming and resuming.resume_seconds),
        "player_start_clock": live(talk, resuming, resume.clock),
        "player_source": source,
        "next_up": next_up,
        # The host's page at a second the script fills in ("Open the video on YouTube at
        # 12:34" when the player cannot play): sessions.video keeps the one rule.
        "host_link": talk.link_at(HOST_SECOND),
        "host_url": talk.link_at(None),
    }


def refused(request: HttpRequest, template: str, entry: Entry, **forms) -> HttpResponse:
    """Invalid input: the control again with its error next to it; nothing was saved.

    htmx gets the one fragment (422); without JavaScript, the whole talk page (400).
    """
    context = talk_context(request, entry.talk, entry, **forms)
    if request.htmx:
        return fragment(
            request, template, context, "Not saved: please correct the error shown.", 422
        )
    return render(request, "planner/talk_detail.html", context, status=400)


def card_context(request: HttpRequest, talk: Talk, entry: Entry | None) -> dict:
    return {"item": item_for(talk, entry, speed_of(profile_of(request))), "user": request.user}


FRAGMENTS = {  # the form's "fragment": which part of which page the answer replaces
    "card": ("planner/catalog.html#card", "#talk-{pk}"),
    "queue": ("planner/queue.html#queue", "#queue"),
    "status": ("planner/talk_detail.html#status", "#status"),
    "panel": ("planner/talk_detail.html#panel", "#panel"),
}


def fragment_for(request: HttpRequest, talk: Talk, entry: Entry | None, *,
                 read_here: bool = False) -> tuple[str, dict]:  # fmt: skip
    """Which part of which page an action answers with, from the form's "fragment".
    The record is read again with its tags and viewings, unless `read_here`: read by
    this request and changed only through this very object (a rating), when only its
    tags and viewings are read (one query less)."""
    where = request.POST.get("fragment")
    if where == "card":
        return FRAGMENTS["card"][0], card_context(request, talk, entry)
    if where == "queue":
        return queue_fragment(request)
    if entry is not None and read_here:
        entry.read_tags_and_viewings()
    elif entry is not None:
        entry = Entry.objects.filter(pk=entry.pk).with_tags().with_viewings().first()
        entry.talk = talk  # its resume link needs it: spare a query
    if where == "status" and entry is not None:
        return FRAGMENTS["status"][0], talk_context(request, talk, entry)
    # The panel was first asked for with no record: the notes section appears with it.
    return FRAGMENTS["panel"][0], {**talk_context(request, talk, entry), "panel_more": True}


def undo_offer(request: HttpRequest, entry: Entry, before: queue.Before) -> dict:
    where = request.POST.get("fragment")
    target = FRAGMENTS[where][1].format(pk=entry.talk_id) if where in FRAGMENTS else ""
    return {
        "token": queue.undo_token(entry, before),
        "title": entry.talk.title,
        "talk_id": entry.talk_id,
        "fragment": where if where in FRAGMENTS else "",
        "target": target,
    }
