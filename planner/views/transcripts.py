"""Staff: a transcript file attached to a talk from its page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from planner.forms import TranscriptForm
from planner.views.conferences import staff_only
from sessions import transcripts
from sessions.catalog import CatalogError
from sessions.models import Talk
from sessions.readers.transcripts import read


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
