"""The one writer of transcripts: a talk's transcript in a language, replaced whole and
atomically (its passages with it); nothing else of the talk is touched."""

import json

from django.db import connection, transaction

from sessions import bulk, search
from sessions.models import Passage, SpokenText, Talk, Transcript
from sessions.readers.transcripts import ParsedTranscript

# What a search reads of one transcript (about eight hours of speech): PostgreSQL's
# tsvector of a longer text can pass its 1 MB limit. The passages keep every word.
SEARCH_CHARS = 500_000


@transaction.atomic
def write(
    talk: Talk,
    parsed: ParsedTranscript,
    language: str,
    source: str = "",
    words: str | None = None,
) -> Transcript:
    """Replace `talk`'s transcript in `language` with `parsed`'s passages. Run twice with
    the same file, the second run leaves the same rows' words and times. `words`: what
    words_of() gave for these passages, worked out ahead (in import_transcripts' workers)."""
    Transcript.objects.filter(talk=talk, language=language).delete()
    transcript = Transcript.objects.create(talk=talk, language=language, source=source[:300])
    bulk.insert_rows(  # plain rows (COPY on PostgreSQL): no model object a passage
        Passage,
        ["transcript_id", "start_seconds", "end_seconds", "text"],
        ((transcript.pk, p.start, p.end, p.text) for p in parsed.passages),
    )
    if Transcript.objects.filter(talk=talk).exclude(pk=transcript.pk).exists():
        spoken(talk)  # in several languages: all of them, read back
    else:
        spoken(talk, [(p.start, p.text) for p in parsed.passages], words)
    return transcript


@transaction.atomic
def remove(talk: Talk, language: str | None = None) -> None:
    """Take away `talk`'s transcript in `language` (every one, without a language)."""
    gone = Transcript.objects.filter(talk=talk)
    if language is not None:
        gone = gone.filter(language=language)
    gone.delete()
    spoken(talk)


def analyze() -> None:
    """Fresh planner statistics after many transcripts (sessions.bulk.analyze): right
    after 10,000 on PostgreSQL, a talk page's passages were read by a full scan of a
    million (420 ms)."""
    bulk.analyze([Transcript, Passage, SpokenText])


def joined(passages: list[tuple[int, str]]) -> tuple[str, list[list[int]]]:
    """Passages (start second, text) as one text, and where each starts in it: [[its
    first character, its start second], ...]. The first SEARCH_CHARS characters."""
    starts, at = [], 0
    for start, text in passages:
        if at >= SEARCH_CHARS:
            break
        starts.append([at, start])
        at += len(text) + 1
    return " ".join(text for _, text in passages)[:SEARCH_CHARS], starts


def words_of(passages: list[tuple[int, str]]) -> str | None:
    """The search's words of these passages where the database takes them from us
    (PostgreSQL: sessions.search.lexemes of the joined text); None elsewhere. Needs no
    database connection, so a worker process can work it out."""
    if connection.vendor != "postgresql":
        return None
    return search.lexemes(joined(passages)[0])


def spoken(
    talk: Talk, passages: list[tuple[int, str]] | None = None, words: str | None = None
) -> None:
    """What the search reads of `talk`: its transcripts' `passages` (start, text), by
    default read back, joined (none: no row), with their `words` if worked out ahead
    (words_of). One statement writes it."""
    if passages is None:
        rows = Passage.objects.filter(transcript__talk=talk).order_by(
            "transcript__language", "start_seconds", "pk"
        )
        passages = list(rows.values_list("start_seconds", "text"))
    text, starts = joined(passages)
    if not text:
        SpokenText.objects.filter(talk=talk).delete()
        return
    sql, extra = search.store_spoken_sql(connection.vendor), []
    if connection.vendor == "postgresql":
        extra = [words if words is not None else search.lexemes(text)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [talk.pk, text, json.dumps(starts), *extra])
