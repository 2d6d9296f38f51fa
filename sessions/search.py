"""Full-text search over talks: every word of a query must be a word of the
title, speaker, tagline or outline, or name one of the talk's topics; the last may be
the start of one ("aws serverl" finds "AWS serverless"), and a word finds its other
forms ("security" finds "secure", "queue" finds "queues": see stem()).

A scan with LIKE read every talk's outline: 77 ms for a rare word at 20,000
talks. Each database has an index for this instead, made by migration 0003:
SQLite an FTS5 table kept in step with the talks by triggers, PostgreSQL a
generated tsvector column of the same text with a GIN index.
"""

import re

from django.db.models import F, Lookup, Q, Value
from django.db.models.expressions import RawSQL

FTS_TABLE = "talk_sessions_talk_search"
COLUMNS = ("title", "speaker_name", "tagline", "outline_text")
PG_COLUMN = '"search_document"'


def words(text: str) -> list[str]:
    """Letters and digits, as both indexes split text into words."""
    return re.findall(r"[^\W_]+", text.lower())


# English endings, longest first: what is left is the start every form of the word shares.
SUFFIXES = (
    "ations", "ation", "ities", "ity", "ies", "ing", "ers", "er", "es", "ed", "ly", "s", "e",
)  # fmt: skip
MIN_STEM = 4  # "uses" stays "uses": a shorter start would find too much


def stem(word: str) -> str:
    """The start a word's forms share, searched as a prefix: "security" → "secur"
    (secure, securing), "databases" → "databas", "queues" → "queu". Words of a
    double s keep it ("serverless", "access"); short words and numbers stay whole."""
    if not word.isalpha():
        return word
    for suffix in SUFFIXES:
        if suffix in ("s", "es") and word.endswith("ss"):
            continue
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def topics_named(word: str, topics, last: bool) -> list[str]:
    """Slugs of the topics (slug, name) a query word names: a word of the topic's name
    that the word's stem begins (or, for a whole word too short to stem, that it is)."""
    start = stem(word)
    prefix = last or start != word
    return [
        slug
        for slug, name in topics
        if any(w.startswith(start) if prefix else w == word for w in words(name))
    ]


class InList(Lookup):
    """`pk IN (values)`, written `+pk IN (values)` where SQLite must not drive the
    query from the list. The unary + stops it doing a row lookup for each of
    20,000 matches of a common word and then sorting: it walks the catalog index
    in page order, checks each talk against the list (built once) and stops at the
    page's end; a topic's first page went from 3.7 ms to 0.2 ms. A count or a
    whole ordered list has no early end, so a short list (a topic's talks) may
    drive it: `always=False`.
    A Lookup rather than a Func, so SQLite gets no `= 1` that hides it from the planner.
    """

    lookup_name = "in_list"
    prepare_rhs = False

    def __init__(self, values, *, always: bool = True):
        super().__init__(F("pk"), values)
        self.always = always

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        query = compiler.query
        walk = "+" if self.always or (query.order_by and query.high_mark is not None) else ""
        return f"{walk}{lhs} IN {rhs}", (*lhs_params, *rhs_params)


class TextMatch(Lookup):
    """The talk's stored tsvector @@ a tsquery (PostgreSQL). The column is made by
    the database, not a model field, so it is named next to the talk's id,
    whatever alias the query gives the table."""

    lookup_name = "text_match"

    def __init__(self, query: str):
        super().__init__(F("pk"), Value(query))

    def as_sql(self, compiler, connection):
        pk, pk_params = self.process_lhs(compiler, connection)
        query, query_params = self.process_rhs(compiler, connection)
        table = pk.rsplit(".", 1)[0]
        return f"{table}.{PG_COLUMN} @@ to_tsquery('simple', {query})", (
            *pk_params,
            *query_params,
        )


def _text(vendor: str, terms: list[tuple[str, bool]]) -> Lookup:
    """Talks whose text has every term (word, searched as a prefix)."""
    if vendor == "postgresql":
        return TextMatch(" & ".join(f"{w}:*" if prefix else w for w, prefix in terms))
    query = " ".join(f'"{w}"*' if prefix else f'"{w}"' for w, prefix in terms)
    return InList(RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [query]))


def condition(vendor: str, text: str, topics=()) -> Q | Lookup | None:
    """A filter for Talk querysets, or None when the text holds no word at all.

    Words are whole words but the last, which may be the start of one: the person
    may still be typing it. (Every word a prefix cost SQLite twice as much for
    common words, and found little more.) A word with other forms is searched by its
    stem, as a prefix. A word that names one of `topics` (slug, name) also finds the
    talks on that topic, whatever their text says."""
    from sessions.models import TaggedTalk

    found = words(text)
    if not found:
        return None
    terms, either = [], []
    for index, word in enumerate(found):
        last = index == len(found) - 1
        start = stem(word)
        term = (start, last or start != word)
        named = topics_named(word, topics, last) if topics else []
        (either if named else terms).append((term, named))
    result = _text(vendor, [term for term, _ in terms]) if terms else None
    for term, named in either:
        on_topic = InList(
            TaggedTalk.objects.filter(tag__slug__in=named).values("content_object"), always=False
        )
        word_found = Q(_text(vendor, [term])) | Q(on_topic)
        result = word_found if result is None else Q(result) & word_found
    return result


def create_index_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        # Stored, not an index on the expression: a match is checked against the
        # heap row, and recomputing the vector there cost 0.19 ms a talk.
        document = " || ' ' || ".join(COLUMNS)
        return [
            f"ALTER TABLE talk_sessions_talk ADD COLUMN {PG_COLUMN} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple', {document})) STORED",
            f"CREATE INDEX talk_search ON talk_sessions_talk USING GIN ({PG_COLUMN})",
        ]
    cols = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    insert = f"INSERT INTO {FTS_TABLE}(rowid, {cols}) VALUES (new.id, {new});"
    delete = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    )
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({cols}, content='talk_sessions_talk', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER talk_search_insert AFTER INSERT ON talk_sessions_talk BEGIN {insert} END",
        f"CREATE TRIGGER talk_search_delete AFTER DELETE ON talk_sessions_talk BEGIN {delete} END",
        f"CREATE TRIGGER talk_search_update AFTER UPDATE OF {cols} ON talk_sessions_talk "
        f"BEGIN {delete} {insert} END",
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
    ]


def drop_index_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "DROP INDEX IF EXISTS talk_search",
            f"ALTER TABLE talk_sessions_talk DROP COLUMN IF EXISTS {PG_COLUMN}",
        ]
    return [
        "DROP TRIGGER IF EXISTS talk_search_insert",
        "DROP TRIGGER IF EXISTS talk_search_delete",
        "DROP TRIGGER IF EXISTS talk_search_update",
        f"DROP TABLE IF EXISTS {FTS_TABLE}",
    ]
