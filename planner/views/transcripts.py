"""A talk's transcript read whole and searched; staff attach one from the talk page."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from planner.forms import TranscriptForm
from planner.views.conferences import staff_only
from planner.views.talk import transcripts_of
from sessions import search, transcripts
from sessions.catalog import CatalogError
from sessions.models import Talk
from sessions.readers.transcripts import read

MAX_QUERY = 200


@require_GET
def transcript_page(request: HttpRequest, conference_slug: str, slug: str) -> HttpResponse:
    """The whole transcript as text with its times, for people who read faster than 2x,
    and the passages with every word asked for (each word, or the start of one)."""
    talk = get_object_or_404(
        Talk.objects.select_related("conference"), conference__slug=conference_slug, slug=slug
    )
    transcripts = transcripts_of(talk)
    if not transcripts:
        raise Http404("This talk has no transcript yet.")
    query = request.GET.get("q", "")[:MAX_QUERY]
    found = search.patterns(query)  # the catalog search's rule for a word
    sections = []
    for transcript, passages in transcripts:
        rows = [
            (p, mark_safe(search.marked(p.text, found)))
            for p in passages
            if search.has_every(p.text, found)
        ]
        sections.append((transcript, rows))
    hits = sum(len(rows) for _, rows in sections)
    context = {"talk": talk, "sections": sections, "query": query, "found": found, "hits": hits}
    return render(request, "planner/transcript.html", context)


@staff_only
@require_POST
def talk_transcript(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = get_object_or_404(Talk.objects.select_related("conference"), pk=talk_id)
    form = TranscriptForm(request.POST, request.FILES)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, f"No transcript attached: {first}")
        return redirect(talk.get_absolute_url())
    upload = form.cleaned_data["file"]
    name = upload.name.rsplit("/", 1)[-1]
    try:
        parsed = read(upload.read(), "." + name.rsplit(".", 1)[-1], name)
    except CatalogError as exc:
        messages.error(request, f"No transcript attached: {exc}")
        return redirect(talk.get_absolute_url())
    language = form.cleaned_data["language"] or parsed.language
    transcripts.write(talk, parsed, language, name)
    messages.success(request, f"Transcript attached: {len(parsed.passages)} passages from {name}.")
    return redirect(talk.get_absolute_url() + "#transcript-heading-1")
