"""Full-text search (sessions.search): the index follows every change to a talk,
on SQLite (FTS5 + triggers) and PostgreSQL (generated tsvector + GIN)."""

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions.models import Conference, Talk
from sessions.search import words


def titles(text: str) -> list[str]:
    return sorted(Talk.objects.search(text).values_list("title", flat=True))


def test_every_word_must_begin_a_word_of_the_talk(catalog):
    assert titles("vogels") == ["Werner Vogels - CTO AWS"]
    assert titles("VOGEL") == ["Werner Vogels - CTO AWS"]  # a prefix, any case
    assert titles("shuffle sharding") == [
        "Beyond five 9s: Lessons from our highest available data planes",
        "Reliable scalability: How Amazon.com scales in the cloud",
    ]
    assert titles("vogels sharding") == []  # both words, not either
    assert titles("ogels") == []  # words are matched from their start


def test_speaker_tagline_and_outline_are_searched(catalog):
    talk = Talk.objects.get(title="Werner Vogels - CTO AWS")
    assert talk in Talk.objects.search(talk.speaker_name.split()[0])
    assert talk in Talk.objects.search("eventbridge pipes")  # a line of the outline
    assert set(Talk.objects.search("serverl")) >= set(Talk.objects.search("serverless"))


def test_the_index_follows_new_changed_and_deleted_talks(make_talks):
    (talk,) = make_talks(1)
    assert titles("number") == ["Talk number 0"]
    talk.title = "Quokka patterns"
    talk.outline = [{"text": "Wombats at scale", "children": []}]
    talk.save()
    assert titles("number") == []
    assert titles("quokka") == ["Quokka patterns"]
    assert titles("wombat") == ["Quokka patterns"]
    talk.delete()
    assert titles("quokka") == []


def test_bulk_imported_talks_are_found(make_talks):
    make_talks(3)
    Talk.objects.filter(title="Talk number 1").update(title="Platypus talk")
    assert titles("platypus") == ["Platypus talk"]
    assert titles("talk") == ["Platypus talk", "Talk number 0", "Talk number 2"]


@pytest.mark.parametrize("text", ["!!!", "- * ( )", "___"])
def test_text_without_words_finds_nothing(catalog, client, text):
    assert titles(text) == []
    response = client.get("/", {"q": text})
    assert response.status_code == 200
    assert "No talks match" in response.content.decode()


@pytest.mark.parametrize(
    "text", ['vogels"', "(vogels)", "vogels -", "vogels:*", "'vogels'", "^vogels", "-vogels"]
)
def test_search_syntax_in_the_text_is_just_text(catalog, text):
    # Neither FTS5 nor tsquery operators get through: only the words count.
    assert titles(text) == ["Werner Vogels - CTO AWS"]


def test_operator_words_are_words(catalog):
    assert titles("AND") == titles("and") != []
    assert titles("v*") == titles("v") != []


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=40))
@pytest.mark.django_db
def test_any_text_is_a_valid_search(text):
    list(Talk.objects.search(text)[:5])


# Other forms of a word, and topics -------------------------------------------------


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("security", "secur"),
        ("databases", "databas"),
        ("queues", "queu"),
        ("applications", "applic"),
        ("libraries", "librar"),
        ("serverless", "serverless"),  # a double s is not a plural
        ("processes", "process"),
        ("access", "access"),
        ("uses", "uses"),  # too short to cut
        ("aws", "aws"),
        ("s3", "s3"),
        ("secure", "secur"),
        ("queue", "queu"),
    ],
)
def test_a_word_is_searched_by_the_start_its_forms_share(word, stem):
    from sessions.search import stem as stem_of

    assert stem_of(word) == stem


def test_a_plural_or_another_form_finds_the_talk(make_talks):
    (talk, other) = make_talks(2)
    talk.title = "Securing queues in practice"
    talk.save()
    other.title = "Database security"
    other.save()
    assert titles("queue") == ["Securing queues in practice"]
    assert titles("queues") == ["Securing queues in practice"]
    assert titles("security practice") == ["Securing queues in practice"]  # whole words too
    assert titles("databases") == ["Database security"]
    assert titles("secure") == ["Database security", "Securing queues in practice"]


def test_a_word_that_names_a_topic_finds_the_talks_on_it(make_talks):
    talks = make_talks(4)
    talks[0].tags.add("security")
    talks[1].title = "Locks and keys for security people"
    talks[1].save()
    topics = [("security", "security"), ("topic-0", "topic-0")]

    def found(text: str) -> list[str]:
        return sorted(Talk.objects.search(text, topics).values_list("title", flat=True))

    assert titles("security") == ["Locks and keys for security people"]  # text alone
    assert found("security") == ["Locks and keys for security people", "Talk number 0"]
    assert found("secure") == ["Locks and keys for security people", "Talk number 0"]
    # Every word still counts: one by its topic, the other in the text.
    assert found("security number") == ["Talk number 0"]
    assert found("security locks") == ["Locks and keys for security people"]


def test_the_catalog_search_finds_what_the_topic_filter_finds(client, catalog):
    on_topic = client.get("/", {"topic": "serverless"}).content.decode()
    searched = client.get("/", {"q": "serverless"}).content.decode()
    import re

    count = re.compile(r'id="result-count">(\d+) talk')
    assert int(count.search(searched).group(1)) >= int(count.search(on_topic).group(1))


def test_a_search_by_words_alone_asks_the_index_on_postgresql(client, make_talks):
    """For words most talks have, PostgreSQL's planner read every talk (32 ms at 10,000)
    where the GIN index answers in 9: the talks found by their words are asked with
    sequential scans off. With another filter the query is left to the planner."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_talks(3)
    off = "SET LOCAL enable_seqscan = off"

    def statements(params: dict) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/", params).status_code == 200
        return [q["sql"] for q in queries if off in q["sql"]]

    asked = statements({"q": "talk"})
    filtered = statements({"q": "talk", "kind": "keynote"})
    if connection.vendor != "postgresql":
        assert asked == filtered == []  # SQLite's planner asks its FTS table anyway
        return
    assert any('"talk_sessions_talk"."id"' in sql for sql in asked), asked
    assert not any('"talk_sessions_talk"."id"' in sql for sql in filtered), filtered
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone() == ("on",)  # for that one statement only


@pytest.mark.parametrize(
    "title, asked",
    [
        ("What's new in Python 3.12", "python 3.12"),
        ("What's new in Python 3.12", "python 3"),
        ("How Amazon.com scales", "amazon"),
        ("Node.js at the edge", "node js"),
        ("Mail from user@example.org", "example"),
        ("Reading /etc/nginx/conf.d", "nginx conf"),
        ("snake_case and C++/CLI", "case cli"),
        ("Ten <b>bold</b> claims", "bold claims"),
        ("Keys like a=b&c=d?", "c d"),
    ],
)
def test_words_joined_by_signs_are_found_one_by_one(make_talks, title, asked):
    # PostgreSQL's parser kept "3.12" and "amazon.com" whole: nothing was found there.
    (talk,) = make_talks(1)
    talk.title = title
    talk.save()
    assert titles(asked) == [title]
    Talk.objects.filter(pk=talk.pk).update(title="Renamed")  # the index follows an UPDATE
    assert titles(asked) == []


def test_the_seed_catalog_finds_a_word_before_a_dot(catalog):
    assert "Reliable scalability: How Amazon.com scales in the cloud" in titles("amazon")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(
        st.text(alphabet=string.ascii_letters + string.digits + "éüñ", min_size=1, max_size=6),
        min_size=1,
        max_size=6,
    ),
    signs=st.lists(st.sampled_from([" ", *string.punctuation]), min_size=6, max_size=6),
)
@pytest.mark.django_db
def test_each_word_of_a_title_finds_it_whatever_joins_the_words(pieces, signs):
    # The words are split by one rule on both databases: words(), the queries' rule.
    title = "".join(piece + sign for piece, sign in zip(pieces, signs, strict=False))
    conference, _ = Conference.objects.get_or_create(slug="joined", defaults={"name": "J"})
    talk = Talk.objects.create(
        conference=conference, kind="breakout", title=title, slug="t", source_key="t",
        position=1,
    )  # fmt: skip
    for word in words(title):
        assert talk in Talk.objects.search(word), (title, word)
    talk.delete()


@pytest.mark.parametrize(
    "title, asked",
    [
        ("Ein Café in Zürich", "cafe zurich"),
        ("Ein Cafe in Zurich", "café zürich"),
        ("Überwachung für Anfänger", "uberwachung anfang"),
        ("Crème brûlée at scale", "CREME Brulee"),
        ("Tiếng Việt cho lập trình viên", "tieng viet lap"),
    ],
)
def test_letters_are_found_with_or_without_their_accents(make_talks, title, asked):
    # SQLite's tokenizer read "Zürich" as "zurich"; PostgreSQL found nothing (0015).
    (talk,) = make_talks(1)
    talk.title = title
    talk.save()
    assert titles(asked) == [title]
    assert titles(title) == [title]


def test_the_app_reads_accents_off_as_the_database_does(db):
    from django.db import connection

    from sessions import search

    letters = {chr(point): plain for point, plain in search._plain_letters().items()}
    assert letters["ü"] == "u" and letters["ế"] == "e" and letters["Ç"] == "C"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT l, {search.PG_FOLD}(l) FROM unnest(%s::text[]) AS l", [list(letters)]
            )
            assert dict(cursor.fetchall()) == letters
        return
    # SQLite's tokenizer keeps letters with a stroke: the app only marks more (ø, ł).
    strokes = set("øłđħŧ")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE temp.folded USING fts5(word, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        for index, letter in enumerate(letters):
            cursor.execute("INSERT INTO temp.folded(rowid, word) VALUES (%s, %s)", [index, letter])
        kept = {
            letter
            for index, (letter, plain) in enumerate(letters.items())
            if not cursor.execute(
                "SELECT 1 FROM temp.folded WHERE folded MATCH %s AND rowid = %s",
                [f'"{plain}"', index],
            ).fetchone()
        }
        cursor.execute("DROP TABLE temp.folded")
    assert kept <= strokes | {"ǡ", "Ǡ"}, kept


WRITEUP = (
    "---\ntitle: Tiny 2024\n---\n# Keynotes\n## {title}\n[YouTube](https://youtu.be/RfvL_423a-I)\n"
)


def test_the_words_follow_the_catalog_writer_and_a_same_import_changes_nothing(db):
    from sessions import readers, writer

    def write(title: str) -> writer.ImportResult:
        text = WRITEUP.format(title=title).encode()
        return writer.write_catalog(readers.read_bytes(text, "writeup"))

    assert write("Quokka patterns").created == 1
    assert titles("quokka") == ["Quokka patterns"]
    assert write("Wombat patterns").updated == 1
    assert titles("quokka") == []
    assert titles("wombat patterns") == ["Wombat patterns"]
    again = write("Wombat patterns")
    assert (again.updated, again.unchanged) == (0, 1)
    (talk,) = Talk.objects.all()
    assert talk.search_words == "wombat patterns"


def test_a_save_of_some_fields_writes_the_words_too(make_talks):
    (talk,) = make_talks(1)
    talk.title = "Quokka patterns"
    talk.save(update_fields=["title"])
    assert titles("quokka") == ["Quokka patterns"]
    assert titles("number") == []


def test_an_update_by_expression_rewrites_the_words(make_talks):
    from django.db.models import Value
    from django.db.models.functions import Concat

    make_talks(2)
    Talk.objects.filter(title="Talk number 1").update(tagline=Concat(Value("Wallaby "), "title"))
    assert titles("wallaby") == ["Talk number 1"]
    assert Talk.objects.get(title="Talk number 1").search_words.startswith("talk number 1 ")


@pytest.mark.parametrize("word", ["7e3zy", "1e4u", "50e9m", "0x1f", "x86_64"])
def test_a_word_that_reads_like_a_number_is_found_whole(make_talks, word):
    # PostgreSQL's query parser read "7e3zy" as the number "7e3" and the word "zy".
    (talk,) = make_talks(1)
    talk.title = f"Tuning {word} clusters"
    talk.save()
    for asked in words(word):
        assert titles(asked) == [talk.title]
        assert titles(f"tuning {asked}") == [talk.title]
        assert titles(f"{asked} clusters") == [talk.title]


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_text_is_split_by_its_byte_table_as_by_the_pattern(text):
    from sessions.search import WORD

    assert words(text) == WORD.findall(text.lower())


def test_text_beyond_ascii_is_split_by_the_pattern():
    assert words("Zürich_Café, naïve 3.12 x½") == ["zürich", "café", "naïve", "3", "12", "x½"]


def test_postgresql_indexes_the_apps_words_folded(make_talks):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's FTS5 reads the talk's columns itself")
    (talk,) = make_talks(1)
    talk.title = "Straße nach Zürich: Python 3.12 on amazon.com"
    talk.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_document::text FROM talk_sessions_talk WHERE id = %s", [talk.pk]
        )
        (vector,) = cursor.fetchone()
    assert vector == (
        "'0' '12' '3' 'amazon' 'com' 'detail' 'nach' 'on' 'point' 'python' 'speaker' "
        "'strasse' 'zurich'"
    )
    assert titles("strasse zurich") == titles("straße zürich") == [talk.title]


def test_the_migrations_made_the_index_the_code_describes():
    import importlib

    from sessions import search

    words_from_app = importlib.import_module("sessions.migrations.0017_talk_words_from_the_app")
    sqlite_words = importlib.import_module("sessions.migrations.0018_sqlite_reads_the_talks_words")
    assert search.create_index_sql("postgresql")[0] == words_from_app.FROM_WORDS
    assert search.create_index_sql("sqlite") == sqlite_words.FROM_WORDS
    text = ("Zürich_Café 3.12", "Ada", "x½ and 7e3zy", "Point one\nPoint two, again: one")
    assert words_from_app.talk_words(*text) == search.talk_words(*text)
    assert search.talk_words(*text) == "zürich café 3 12 ada x½ and 7e3zy point one two again"
