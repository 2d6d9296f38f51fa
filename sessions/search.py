"""Full-text search over talks: every word of a query must be a word of the
title, speaker, tagline or outline, or name one of the talk's topics; the last may be
the start of one ("aws serverl" finds "AWS serverless"), and a word finds its other
forms ("security" finds "secure", "queue" finds "queues": see stem()).

A scan with LIKE read every talk's outline: 77 ms for a rare word at 20,000
talks. Each database has an index for this instead, made by migration 0003:
SQLite an FTS5 table kept in step with the talks by triggers, PostgreSQL a
generated tsvector column with a GIN index. Both read the words the app splits the
text into (Talk.search_words: talk_words()): PostgreSQL's since migration 0017,
SQLite's since 0018.
"""

import bisect
import functools
import json
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import F, Lookup, Q, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape

FTS_TABLE = "talk_sessions_talk_search"
COLUMNS = ("title", "speaker_name", "tagline", "outline_text")
PG_COLUMN = '"search_document"'


WORD = re.compile(r"[^\W_]+")
# In ASCII text every byte but a letter or a digit parts words, as WORD reads it: a byte
# table splits a talk in a third of the regex's time.
_ASCII_PARTS = bytes(b for b in range(128) if not chr(b).isalnum())
_ASCII_SPLIT = bytes.maketrans(_ASCII_PARTS, b" " * len(_ASCII_PARTS))
# Both indexes read "é" as "e": SQLite's tokenizer takes accents off (remove_diacritics),
# and on PostgreSQL the talks' words, the transcripts' words and every query go through
# this function (migration 0015: the unaccent extension's rules), so "zurich" finds
# "Zürich" on either. What the app reads itself (passages, marks) is folded by fold().
PG_FOLD = "talk_sessions_fold"
# A PostgreSQL query (match_query()) as the index reads it: its words folded and taken as
# they are (migration 0017), as the documents' are; to_tsquery's parser read "7e3zy" as
# the number "7e3" and the word "zy", and found no talk that says "7e3zy".
TSQUERY = "talk_sessions_words_query({})"


def words(text: str) -> list[str]:
    """Letters and digits, as both indexes split text into words, in order. The one rule
    for words: the app gives them to both indexes for talks and to PostgreSQL's for
    transcripts (its parser kept "3.12" and "amazon.com" whole); SQLite's tokenizer, which
    splits the transcripts there, agrees."""
    low = text.lower()
    if low.isascii():
        return low.encode().translate(_ASCII_SPLIT).decode().split()
    return WORD.findall(low)


@functools.cache
def _plain_letters() -> dict[int, str]:
    """Latin letters with accents, each with the plain letter it is read as."""
    table = {}
    for first, last in ((0xC0, 0x250), (0x1E00, 0x1F00)):  # Latin-1 to Extended-B; Additional
        for point in range(first, last):
            decomposed = unicodedata.normalize("NFD", chr(point))
            base = [c for c in decomposed if not unicodedata.combining(c)]
            # Letters whose base is another accented letter (ǽ, ǿ) keep theirs: the
            # indexes do not agree on them.
            if len(base) == 1 and base[0] != chr(point) and base[0].isascii():
                table[point] = base[0]
    # Letters with a stroke have no decomposition; PostgreSQL's unaccent reads them plain.
    table.update({ord(letter): plain for letter, plain in zip("øłđħŧ", "oldht", strict=True)})
    return table


@functools.cache
def _accented() -> re.Pattern:
    return re.compile("[" + "".join(map(chr, _plain_letters())) + "]")


def fold(text: str) -> str:
    """The text lowercased with its accented Latin letters plain ("Zürich" → "zurich"),
    as the indexes read it: one character for one, so what is found in it is at the same
    place in the text."""
    # "İ" is the one letter whose lowercase is two ("i̇"): it is read as its plain "i".
    low = text.replace("İ", "I").lower()
    if low.isascii():  # most talks: nothing to look up
        return low
    letters = _plain_letters()
    # Only accented letters call back: a German hour of speech in about 1 ms.
    return _accented().sub(lambda m: letters[ord(m[0])], low)


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
        return f"{table}.{PG_COLUMN} @@ {TSQUERY.format(query)}", (
            *pk_params,
            *query_params,
        )


def match_query(vendor: str, terms: list[tuple[str, bool]]) -> str:
    """Terms (word, searched as a prefix) as either index is asked for every one: a
    PostgreSQL tsquery or an FTS5 query. A word repeated ("the … the") is asked once."""
    terms = list(dict.fromkeys(terms))
    if vendor == "postgresql":
        return " & ".join(f"{w}:*" if prefix else w for w, prefix in terms)
    return " ".join(f'"{w}"*' if prefix else f'"{w}"' for w, prefix in terms)


def _text(vendor: str, terms: list[tuple[str, bool]]) -> Lookup:
    """Talks whose text has every term (word, searched as a prefix)."""
    query = match_query(vendor, terms)
    if vendor == "postgresql":
        return TextMatch(query)
    return InList(RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [query]))


def terms(text: str) -> list[tuple[str, bool]]:
    """The words of a query as the indexes look them up: (start, searched as a prefix).
    Words are whole words but the last, which may be the start of one: the person
    may still be typing it. (Every word a prefix cost SQLite twice as much for
    common words, and found little more.) A word with other forms is searched by its
    stem, as a prefix."""
    found = words(text)
    return [
        (stem(word), index == len(found) - 1 or stem(word) != word)
        for index, word in enumerate(found)
    ]


def condition(vendor: str, text: str, topics=()) -> Q | Lookup | None:
    """A filter for Talk querysets, or None when the text holds no word at all: talks
    with every word (see terms()). A word that names one of `topics` (slug, name) also
    finds the talks on that topic, whatever their text says."""
    from sessions.models import TaggedTalk

    found = words(text)
    if not found:
        return None
    plain, either = [], []
    for index, (word, term) in enumerate(zip(found, terms(text), strict=True)):
        named = topics_named(word, topics, index == len(found) - 1) if topics else []
        (either if named else plain).append((term, named))
    result = _text(vendor, [term for term, _ in plain]) if plain else None
    for term, named in either:
        on_topic = InList(
            TaggedTalk.objects.filter(tag__slug__in=named).values("content_object"), always=False
        )
        word_found = Q(_text(vendor, [term])) | Q(on_topic)
        result = word_found if result is None else Q(result) & word_found
    return result


def said(vendor: str, text: str) -> Lookup | None:
    """A filter for Talk querysets: talks whose transcripts have every word of the text,
    by the rules of condition() (no topics: a transcript says what it says)."""
    if (query := _said_query(vendor, text)) is None:
        return None
    if vendor == "postgresql":
        return InList(RawSQL("SELECT unnest(%s::bigint[])", [_pg_said(query)]))
    # Walked in catalog order: a common word's 10,000 talks, looked up one by one and
    # sorted, took 11 ms against 7.
    return InList(RawSQL(_sqlite_said(), [query]))


def said_ids(vendor: str, text: str) -> list[int]:
    """The ids of the talks whose transcripts have every word of the text, in no order:
    what said() filters on, asked on its own (the index's rowid is the talk's id), for a
    search with no other filter."""
    if (query := _said_query(vendor, text)) is None:
        return []
    if vendor == "postgresql":
        return _pg_said(query)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_sqlite_said(), [query])
        return [pk for (pk,) in cursor.fetchall()]


def _sqlite_said() -> str:
    fts = TRANSCRIPTS.fts_table
    return f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"


def _said_query(vendor: str, text: str) -> str | None:
    """The text as the transcripts' index is asked (match_query), or None: no word."""
    found = terms(text)
    return match_query(vendor, found) if found else None


def _pg_said(query: str) -> list[int]:
    """The talks whose spoken text matches a tsquery, on PostgreSQL, asked on their own
    by the index (sessions.listing.raw_rows); asked inside the catalog's query, the
    planner also walked the rows by their key."""
    from sessions.listing import raw_rows

    table, key = TRANSCRIPTS.table, TRANSCRIPTS.key
    # One array, not a row per talk: 7,600 ids came back in 2.9 ms against 3.8.
    sql = f"SELECT array_agg({key}) FROM {table} WHERE {PG_COLUMN} @@ {TSQUERY.format('%s')}"
    ((ids,),) = raw_rows(sql, [query], by_index=True)
    return ids or []


def patterns(text: str) -> list[re.Pattern]:
    """Each query word as a pattern that finds it where the indexes would, in text read as
    they read it (fold()): lowercased, so its literal start lets the regex engine skip
    ahead (a fifth of the time over a page's passages against a case-blind pattern)."""
    out = []
    for word, prefix in terms(text):
        # The word first, then "it starts a word" looked back at: a pattern that starts
        # with \b is tried at every character (1.2 ms an hour of speech, not 15 us).
        w = re.escape(fold(word))
        source = rf"{w}(?<=\b{w})" + (r"\w*" if prefix else r"\b")
        out.append(re.compile(source))
    return out


def words_in(text: str, found: list[re.Pattern]) -> int:
    """How many of the query's words the text has."""
    low = fold(text)
    return sum(1 for p in found if p.search(low))


def has_every(text: str, found: list[re.Pattern]) -> bool:
    return words_in(text, found) == len(found)


def marked(text: str, found: list[re.Pattern]) -> str:
    """The text, escaped, with each word the query finds in it marked."""
    low = fold(text)
    spans = sorted({m.span() for p in found for m in p.finditer(low)})
    out, at = [], 0
    for start, end in spans:
        if start < at:  # inside a word already marked
            continue
        out += [escape(text[at:start]), f"<mark>{escape(text[start:end])}</mark>"]
        at = end
    return "".join([*out, escape(text[at:])])


def said_where(text: str, starts: list[list[int]], found: list[re.Pattern], every: bool):
    """The passage of a talk's joined transcript text (sessions.transcripts.joined) that
    says the query's words: (start second, its text), the first with every word; unless
    `every`, else, of the passages with the word the talk says first latest (the word it
    says least, as a rule), the first with the most; None when none says any.

    Read folded (see patterns()), an hour of speech is searched in a few hundredths of a
    millisecond."""
    low = fold(text)
    firsts = [p.search(low) for p in found]
    if (every and not all(firsts)) or not any(firsts):
        return None
    bounds = [at for at, _ in starts] + [len(text)]
    top = _first_with_every(low, bounds, found) if all(firsts) else None
    if top is None and not every:
        # Rather than counting each word's every occurrence (60 us a word a talk), the
        # word first said latest: a common word is said in the first minute.
        rarest = max((m.start(), i) for i, m in enumerate(firsts) if m)[1]
        top = _first_with_most(low, bounds, found, found[rarest])
    if top is None:
        return None
    return starts[top][1], text[bounds[top] : bounds[top + 1]].strip()


def _first_with_every(low: str, bounds: list[int], plain: list[re.Pattern]) -> int | None:
    """The first passage (index; passage i is low[bounds[i]:bounds[i + 1]]) with every
    pattern, or None. Each word is looked for only from the passage where the others
    were next found: the common words of a phrase are found a few characters on, so a
    search reads about as far as the answer, not the whole hour once a word."""
    last = len(bounds) - 2
    at = 0
    while True:
        index = 0
        for pattern in plain:
            if (match := pattern.search(low, at)) is None:
                return None
            index = max(index, bisect.bisect_right(bounds, match.start()) - 1)
        index = min(index, last)
        start, end = bounds[index], bounds[index + 1]
        if all(p.search(low, start, end) for p in plain):
            return index
        # A word missing here occurs next after this passage: the next try is further on.
        at = start if at < start else end


def _first_with_most(low: str, bounds: list[int], plain: list[re.Pattern],
                     walk: re.Pattern) -> int | None:  # fmt: skip
    """Of the passages where `walk` matches, the first with the most patterns."""
    top, most, seen = None, 0, set()
    for match in walk.finditer(low):
        index = bisect.bisect_right(bounds, match.start()) - 1
        if index >= len(bounds) - 1 or index in seen:
            continue
        seen.add(index)
        has = sum(1 for p in plain if p.search(low, bounds[index], bounds[index + 1]))
        if has > most:
            top, most = index, has
    return top


def where_said(talk_ids: list[int], text: str, spread: set[int]) -> dict[int, tuple[int, str]]:
    """Where the talks' transcripts say the text: (start second, passage) for each talk
    with a passage that has every word, the first in time; for the talks of `spread`
    (found by their transcripts as a whole, the words perhaps in different passages),
    else the first with the most words. One query: each talk's joined text."""
    from sessions.listing import rows
    from sessions.models import SpokenText

    found = patterns(text)
    if not found or not talk_ids:
        return {}
    out = {}
    texts = SpokenText.objects.filter(talk__in=talk_ids).values_list("talk", "text", "starts")
    for talk, spoken, starts in rows(texts):  # as the database gives them: 1 MB of text
        if isinstance(starts, str):  # SQLite's JSON is text; psycopg reads PostgreSQL's
            starts = json.loads(starts)
        if (passage := said_where(spoken, starts, found, talk not in spread)) is not None:
            out[talk] = passage
    return out


EXCERPT_WORDS = 36


def excerpt(text: str, found: list[re.Pattern], size: int = EXCERPT_WORDS) -> str:
    """About `size` words of the text around the first word the query finds (with "…"
    where it was cut), marked and escaped."""
    low = fold(text)
    spans = [m.start() for p in found if (m := p.search(low))]
    pieces = text.split()
    if len(pieces) <= size:
        return marked(text, found)
    first = len(text[: min(spans)].split()) if spans else 0
    start = max(0, min(first - size // 3, len(pieces) - size))
    cut = " ".join(pieces[start : start + size])
    before = "… " if start else ""
    after = " …" if start + size < len(pieces) else ""
    return before + marked(cut, found) + after


@dataclass(frozen=True)
class Index:
    """A full-text index of `table`: on SQLite an FTS5 table of `columns` kept in step by
    triggers, on PostgreSQL a tsvector column of the app's words with a GIN index."""

    table: str
    columns: tuple[str, ...]
    name: str  # the GIN index; the SQLite triggers' prefix
    fts_table: str
    # Whether SQLite keeps where each word is in a document (PostgreSQL's vectors of the
    # app's words have no positions). A search asks only
    # whether it has every word, never for a phrase; an hour of speech says "the" 600
    # times, and reading those positions for 10,000 transcripts cost 100-250 ms a search.
    positions: bool = True
    key: str = "id"  # the table's primary key column: the index's rowid
    # On PostgreSQL the words are the app's (lexemes()), never parsed by to_tsvector: 8 ms
    # of the 25 ms it took to store an hour's transcript, and half of the server's time
    # importing 10,000 talks (0.64 of 1.24 s). The vector is generated from this column of
    # them; without one the app writes the vector with the row (store_spoken_sql()).
    words_column: str = ""


# The talks' words (Talk.search_words: talk_words() of COLUMNS) on both databases: SQLite's
# FTS5 reads the distinct words, half of the text, split by the queries' rule (0018).
TALKS = Index(
    "talk_sessions_talk", ("search_words",), "talk_search", FTS_TABLE, words_column="search_words"
)
# What each talk's transcripts say, one row a talk keyed by its id (migration 0010): a
# search for a common word walks ten thousand rows, not a million passages, and finds
# talk ids with no table between.
TRANSCRIPTS = Index(
    "talk_sessions_spokentext",
    ("text",),
    "spoken_search",
    "talk_sessions_spokentext_search",
    positions=False,
    key="talk_id",
)
LONGEST_WORD = 255  # longer "words" are no words (and PostgreSQL refuses lexemes of 2 KB)


def lexemes(text: str) -> str:
    """The distinct words of a text as the search finds them (words()), space-separated
    for PostgreSQL's array_to_tsvector: the query side splits words by the same rule.
    One string, not a list: quoting 3,000 list items took longer than storing them. In
    the order first said, so the same text always gives the same string."""
    unique = dict.fromkeys(words(text))
    if unique and max(map(len, unique)) > LONGEST_WORD:  # rare: the test alone is cheap
        return " ".join(w for w in unique if len(w) <= LONGEST_WORD)
    return " ".join(unique)


def talk_words(title: str, speaker_name: str, tagline: str, outline_text: str) -> str:
    """What Talk.search_words holds: the lexemes() of the talk's searched text (COLUMNS)."""
    return lexemes(" ".join((title, speaker_name, tagline, outline_text)))


def words_vector(words_sql: str) -> str:
    """PostgreSQL's vector of lexemes() given as SQL, folded as the queries are: unaccent
    may make two words of one ("½" is " 1/2"), never an empty one in the vector."""
    return f"array_to_tsvector(array_remove(string_to_array({PG_FOLD}({words_sql}), ' '), ''))"


SPOKEN_WORDS = words_vector("%s")


def store_spoken_sql(vendor: str) -> str:
    """One statement that writes a talk's spoken text (params: talk id, text, starts as
    JSON; on PostgreSQL also lexemes(text)), new or replaced. SQLite's triggers keep
    its index; on PostgreSQL the words go in with the row (an UPDATE after the insert
    wrote the row and its index entries twice: 9 ms an hour of speech)."""
    table, key = TRANSCRIPTS.table, TRANSCRIPTS.key
    if vendor != "postgresql":
        return (
            f"INSERT INTO {table} ({key}, text, starts) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({key}) DO UPDATE SET text = excluded.text, starts = excluded.starts"
        )
    return (
        f"INSERT INTO {table} ({key}, text, starts, {PG_COLUMN}) "
        f"VALUES (%s, %s, %s, {SPOKEN_WORDS}) "
        f"ON CONFLICT ({key}) DO UPDATE SET text = excluded.text, starts = excluded.starts, "
        f"{PG_COLUMN} = excluded.{PG_COLUMN}"
    )


def create_index_sql(vendor: str, index: Index = TALKS) -> list[str]:
    table, fts = index.table, index.fts_table
    if vendor == "postgresql":
        # Stored, not an index on the expression: a match is checked against the
        # heap row, and recomputing the vector there cost 0.19 ms a talk.
        column = (
            f"GENERATED ALWAYS AS ({words_vector(index.words_column)}) STORED"
            if index.words_column
            else "NOT NULL DEFAULT ''::tsvector"
        )
        return [
            f"ALTER TABLE {table} ADD COLUMN {PG_COLUMN} tsvector {column}",
            f"CREATE INDEX {index.name} ON {table} USING GIN ({PG_COLUMN})",
        ]
    cols = ", ".join(index.columns)
    new = ", ".join(f"new.{c}" for c in index.columns)
    old = ", ".join(f"old.{c}" for c in index.columns)
    key = index.key
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.{key}, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{key}, {old});"
    # Without positions, a prefix index of two and three letters: "the" as the last,
    # unfinished word otherwise merges the doclists of every word that starts with it.
    options = "" if index.positions else ", detail='none', prefix='2 3'"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
        f"content_rowid='{key}', tokenize='unicode61 remove_diacritics 2'{options})",
        f"CREATE TRIGGER {index.name}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {index.name}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {index.name}_update AFTER UPDATE OF {cols} ON {table} "
        f"BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def drop_index_sql(vendor: str, index: Index = TALKS) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP INDEX IF EXISTS {index.name}",
            f"ALTER TABLE {index.table} DROP COLUMN IF EXISTS {PG_COLUMN}",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {index.name}_insert",
        f"DROP TRIGGER IF EXISTS {index.name}_delete",
        f"DROP TRIGGER IF EXISTS {index.name}_update",
        f"DROP TABLE IF EXISTS {index.fts_table}",
    ]
