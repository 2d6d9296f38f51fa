"""The one writer of transcripts: a talk's transcript in a language, replaced whole and
atomically (its passages with it); nothing else of the talk is touched."""

from django.db import transaction

from sessions.models import Passage, Talk, Transcript
from sessions.readers.transcripts import ParsedTranscript


@transaction.atomic
def write(talk: Talk, parsed: ParsedTranscript, language: str, source: str = "") -> Transcript:
    """Replace `talk`'s transcript in `language` with `parsed`'s passages. Run twice with
    the same file, the second run leaves the same rows' words and times."""
    Transcript.objects.filter(talk=talk, language=language).delete()
    transcript = Transcript.objects.create(talk=talk, language=language, source=source[:300])
    Passage.objects.bulk_create(
        Passage(transcript=transcript, start_seconds=p.start, end_seconds=p.end, text=p.text)
        for p in parsed.passages
    )
    return transcript
