"""The catalog search reads transcripts too: a talk found by what is said in it comes
after the talks about the words, with the passage that says them and its time."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sessions import search, transcripts
from sessions.models import SpokenText, Talk, Transcript
from sessions.readers.transcripts import ParsedTranscript, Passage, read

pytestmark = pytest.mark.django_db


def vtt(*cues: tuple[int, str]) -> bytes:
    """A WebVTT file of (second, sentence) cues, four seconds each."""
    blocks = ["WEBVTT", "Language: en"]
    for start, text in cues:
        begin, end = (
            f"{start // 60:02}:{start % 60:02}",
            f"{(start + 4) // 60:02}:{(start + 4) % 60:02}",
        )
        blocks.append(f"00:{begin}.000 --> 00:{end}.000\n{text}")
    return "\n\n".join(blocks).encode() + b"\n"


def attach(talk: Talk, *cues: tuple[int, str], language: str = "en") -> Transcript:
    return transcripts.write(talk, read(vtt(*cues), ".vtt", "sample.en.vtt"), language, "sample")


def talk(title: str) -> Talk:
    return Talk.objects.get(title=title)


DESANTIS = "Peter DeSantis - SVP AWS"
VOGELS = "Werner Vogels - CTO AWS"
SELIPSKY = "Adam Selipsky - CEO AWS"


def card_of(html: str, t: Talk) -> str:
    start = html.index(f'id="talk-{t.pk}"')
    return html[start : html.index("\n</li>", start)]


def sections(html: str) -> list[str]:
    return re.findall(r'<h2 id="section-[^"]*">([^<]*)</h2>', html)


def test_a_phrase_said_in_a_talk_finds_it_with_the_passage_and_its_time(client, catalog):
    attach(
        talk(DESANTIS),
        (0, "Good morning and welcome."),
        (724, "Our nitro cards offload the hypervisor so every instance gets its full core."),
        (790, "That is the end of this part."),
    )
    html = client.get("/", {"q": "nitro cards offload"}).content.decode()
    assert "1 talk matching “nitro cards offload”" in html
    assert sections(html) == ["Said in the talks"]
    card = card_of(html, talk(DESANTIS))
    url = talk(DESANTIS).get_absolute_url()
    assert f'<a href="{url}#play=724">Said at 12:04</a>' in card
    assert "Our <mark>nitro</mark> <mark>cards</mark> <mark>offload</mark> the hypervisor" in card


def test_talks_about_the_words_come_before_talks_that_only_say_them(client, catalog):
    attach(talk(DESANTIS), (100, "The world is asynchronous, and so are our data planes."))
    attach(talk(VOGELS), (30, "Nothing about it here."))
    html = client.get("/", {"q": "asynchronous"}).content.decode()
    assert sections(html) == ["About “asynchronous”", "Said in the talks"]
    assert html.index(f'id="talk-{talk(VOGELS).pk}"') < html.index(f'id="talk-{talk(DESANTIS).pk}"')
    assert "Said at 1:40" in card_of(html, talk(DESANTIS))
    # Vogels is found by his title; his transcript does not say it: no passage shown.
    assert "Said at" not in card_of(html, talk(VOGELS))


def test_a_talk_found_by_its_title_also_shows_where_it_says_the_words(client, catalog):
    attach(talk(VOGELS), (0, "Hello."), (1861, "Because the world is asynchronous, we queue."))
    html = client.get("/", {"q": "asynchronous"}).content.decode()
    assert "Said in the talks" not in html  # found by its title: no section of its own
    assert "Said at 31:01" in card_of(html, talk(VOGELS))


def test_every_word_must_be_said_the_last_may_be_unfinished(client, catalog):
    attach(talk(DESANTIS), (10, "We measured tail latency."), (400, "Then graviton arrived."))
    found = client.get("/", {"q": "latency gravit"}).content.decode()
    # Words said in different passages still find the talk; the passage shown has the
    # most, of those with the word said first latest ("gravit").
    assert f'id="talk-{talk(DESANTIS).pk}"' in found
    assert "Said at 6:40" in card_of(found, talk(DESANTIS))
    assert "0 talks" in client.get("/", {"q": "latency penguin"}).content.decode()
    # Not the last word: a whole word (or its stem), so "gravit" alone before another is not.
    assert "0 talks" in client.get("/", {"q": "gravit latency"}).content.decode()
    # Other forms of a word: "measuring" finds "measured".
    assert "1 talk matching" in client.get("/", {"q": "measuring latency"}).content.decode()


def test_filters_combine_with_a_transcript_search(client, catalog):
    attach(talk(DESANTIS), (10, "Graviton everywhere."))
    attach(talk(SELIPSKY), (10, "Graviton in every region."))
    every = client.get("/", {"q": "graviton"}).content.decode()
    assert "3 talks matching" in every  # a breakout's outline names it; the keynotes say it
    keynotes = client.get("/", {"q": "graviton", "kind": "keynote"}).content.decode()
    assert "2 talks matching" in keynotes and sections(keynotes) == ["Said in the talks"]
    breakouts = client.get("/", {"q": "graviton", "kind": "breakout"}).content.decode()
    assert "1 talk matching" in breakouts and "Said at" not in breakouts


def test_has_a_transcript_filter(client, catalog):
    assert "Has a transcript" not in client.get("/").content.decode()  # none has one yet
    attach(talk(SELIPSKY), (10, "Hello."))
    html = client.get("/").content.decode()
    assert '<option value="yes">Has a transcript</option>' in html
    only = client.get("/", {"transcript": "yes"}).content.decode()
    assert "1 talk" in only and f'id="talk-{talk(SELIPSKY).pk}"' in only


def test_a_new_transcript_replaces_what_the_search_finds(client, catalog):
    desantis = talk(DESANTIS)
    attach(desantis, (10, "Penguins on the ice."))
    assert "1 talk matching" in client.get("/", {"q": "penguins"}).content.decode()
    attach(desantis, (10, "Walruses on the ice."))  # the same language: replaced
    assert "0 talks" in client.get("/", {"q": "penguins"}).content.decode()
    assert "1 talk matching" in client.get("/", {"q": "walruses"}).content.decode()
    transcripts.remove(desantis)
    assert "0 talks" in client.get("/", {"q": "walruses"}).content.decode()
    attach(desantis, (10, "Walruses again."), language="de")
    attach(desantis, (10, "Seals."), language="fr")  # every language of a talk is searched
    assert "1 talk matching" in client.get("/", {"q": "walruses seals"}).content.decode()
    desantis.delete()  # a talk that goes takes its transcript out of the index
    assert "0 talks" in client.get("/", {"q": "walruses"}).content.decode()
    assert Talk.objects.said("walruses").count() == 0


def test_transcript_text_is_escaped_in_the_card(client, catalog):
    # Written as a reader could hand it over (the VTT reader drops tags itself).
    parsed = ParsedTranscript(
        [], passages=[Passage(10, 14, "The <script>alert(1)</script> zeppelin & friends.")]
    )
    transcripts.write(talk(DESANTIS), parsed, "en")
    html = client.get("/", {"q": "zeppelin"}).content.decode()
    card = card_of(html, talk(DESANTIS))
    assert "<script>alert" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>zeppelin</mark> &amp; friends" in card


def test_a_talk_without_a_video_links_the_passage_to_its_transcript(client, catalog):
    desantis = talk(DESANTIS)
    Talk.objects.filter(pk=desantis.pk).update(video_ref="", video_provider="")
    attach(desantis, (65, "Quokkas are happy."))
    card = card_of(client.get("/", {"q": "quokkas"}).content.decode(), desantis)
    assert f'href="{desantis.get_absolute_url()}transcript/?q=quokkas">Said at 1:05</a>' in card


def test_signed_in_search_query_count(alice_client, catalog, django_assert_num_queries):
    attach(talk(DESANTIS), (10, "Graviton everywhere."))
    alice_client.get("/")  # the filter choices, topics and the catalog's order in memory
    # session with its person and the catalog's version (for the kept key and the page's),
    # my tags, ids of the talks about the words, ids of those that say them (the
    # transcripts' index alone), talks with my entries, the passages of the page's
    with django_assert_num_queries(6):
        html = alice_client.get("/", {"q": "graviton"}).content.decode()
    assert "Said at 0:10" in html


def test_signed_out_search_query_count(client, catalog, django_assert_num_queries):
    attach(talk(DESANTIS), (10, "Graviton everywhere."))
    # version, topics in use, filter choices (2), the catalog's order (the first time this
    # version is asked), ids of the talks about the words and of those that say them (from
    # the transcripts' index alone), talks, their topics, the passages of the page's talks
    with django_assert_num_queries(10):
        client.get("/", {"q": "graviton"})


def test_the_passage_shown_is_cut_around_the_words():
    found = search.patterns("seventeen")
    text = (
        " ".join(f"word{n}" for n in range(100))
        + " seventeen "
        + " ".join("x" * 5 for _ in range(50))
    )
    cut = search.excerpt(text, found)
    assert cut.startswith("… word") and cut.endswith(" …")
    assert "<mark>seventeen</mark>" in cut and len(cut.split()) <= search.EXCERPT_WORDS + 2
    assert (
        search.excerpt("Short & sweet seventeen.", found)
        == "Short &amp; sweet <mark>seventeen</mark>."
    )


def test_the_passage_shown_has_every_word_else_the_most():
    text, starts = transcripts.joined(
        [(0, "Retries only."), (30, "Queues and retries."), (60, "Retries, queues and a DLQ.")]
    )
    assert starts == [[0, 0], [14, 30], [34, 60]]

    def where(query: str, every: bool = False):
        return search.said_where(text, starts, search.patterns(query), every)

    assert where("retries queues dlq") == (60, "Retries, queues and a DLQ.")
    assert where("queue retri") == (30, "Queues and retries.")  # the first with every word
    # Spread over passages: of those with the word the talk says first latest ("dlq", at
    # 60; "only" is said at 0), the first with the most.
    assert where("dlq only") == (60, "Retries, queues and a DLQ.")
    assert where("dlq only", every=True) is None
    assert where("penguin") is None


def test_marks_follow_the_search_rule():
    found = search.patterns("secure queu")
    assert search.marked("Securing queues", found) == "<mark>Securing</mark> <mark>queues</mark>"
    assert search.marked("insecure", found) == "insecure"  # a word's start, not its middle


@pytest.mark.django_db(transaction=True)
def test_migration_makes_earlier_transcripts_searchable(catalog):
    selipsky = talk(SELIPSKY).pk  # read with today's model, before the tables go back
    executor = MigrationExecutor(connection)
    executor.migrate([("talk_sessions", "0009_transcripts")])
    apps = executor.loader.project_state([("talk_sessions", "0009_transcripts")]).apps
    OldTranscript = apps.get_model("talk_sessions", "Transcript")
    OldPassage = apps.get_model("talk_sessions", "Passage")
    old = OldTranscript.objects.create(talk_id=selipsky, language="en")
    OldPassage.objects.create(transcript=old, start_seconds=40, end_seconds=70, text="Then bees.")
    OldPassage.objects.create(transcript=old, start_seconds=0, end_seconds=30, text="First ants.")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert SpokenText.objects.get().text == "First ants. Then bees."
    assert list(Talk.objects.said("ants bees")) == [talk(SELIPSKY)]


def test_what_talks_say_is_kept_compressed_by_lz4_on_postgresql(catalog):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps text as it is")
    said = " ".join(f"Sentence {n} about graviton and nitro." for n in range(400))
    attach(talk(DESANTIS), (10, said))  # 15 KB: stored compressed, out of line
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(text) FROM talk_sessions_spokentext WHERE talk_id = %s",
            [talk(DESANTIS).pk],
        )
        assert cursor.fetchone() == ("lz4",)


def test_words_said_with_accents_are_found_and_marked_without_them(client, catalog):
    attach(
        talk(DESANTIS),
        (0, "Guten Morgen."),
        (724, "Die Überwachung beginnt im Café, nicht im Rechenzentrum."),
    )
    html = client.get("/", {"q": "uberwachung cafe"}).content.decode()
    card = card_of(html, talk(DESANTIS))
    assert "Said at 12:04" in card
    assert "Die <mark>Überwachung</mark> beginnt im <mark>Café</mark>, nicht" in card
    url = f"{talk(DESANTIS).get_absolute_url()}transcript/"
    hits = client.get(url, {"q": "überwachung CAFÉ"}).content.decode()
    assert "1 passage with “überwachung CAFÉ”" in hits
    assert "Die <mark>Überwachung</mark> beginnt im <mark>Café</mark>" in hits


def test_a_search_with_accents_finds_words_said_without_them(client, catalog):
    attach(talk(VOGELS), (95, "We met in a cafe in Zurich."))
    html = client.get("/", {"q": "café zürich"}).content.decode()
    assert "We met in a <mark>cafe</mark> in <mark>Zurich</mark>." in card_of(html, talk(VOGELS))


def test_fold_keeps_every_offset():
    assert search.fold("Crème Brûlée, Øresund, Łódź") == "creme brulee, oresund, lodz"
    assert search.fold("“Quoted” — ASCII aside") == "“quoted” — ascii aside"
    assert search.marked("Łódź or Lodz", search.patterns("lodz")) == (
        "<mark>Łódź</mark> or <mark>Lodz</mark>"
    )
    # The one letter whose lowercase is longer ("İ" is "i̇") is read as "i": nothing moves.
    assert search.marked("İstanbul in Zürich", search.patterns("istanbul zürich")) == (
        "<mark>İstanbul</mark> in <mark>Zürich</mark>"
    )


@pytest.mark.django_db(transaction=True)
def test_migration_reads_earlier_words_without_accents_on_postgresql(catalog):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's tokenizer always read them so")
    before = [("talk_sessions", "0014_talk_words_split_as_the_app_splits")]
    desantis, vogels = talk(DESANTIS).pk, talk(VOGELS).pk
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO talk_sessions_spokentext (talk_id, text, starts, search_document) "
            "VALUES (%s, 'Die Überwachung.', '[[0, 0]]', array_to_tsvector(%s::text[]))",
            [desantis, ["die", "überwachung"]],
        )
        cursor.execute("UPDATE talk_sessions_talk SET title = 'Zürich' WHERE id = %s", [vogels])

    def migrate(target) -> None:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(target or executor.loader.graph.leaf_nodes())

    migrate(None)
    assert [t.pk for t in Talk.objects.said("uberwachung")] == [desantis]
    assert [t.pk for t in Talk.objects.search("zurich")] == [vogels]
    migrate(before)  # and back: the words as they were said
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_document::text FROM talk_sessions_spokentext")
        assert cursor.fetchall() == [("'die' 'überwachung'",)]
    migrate(None)
    assert [t.pk for t in Talk.objects.search("zurich")] == [vogels]


def test_a_spoken_word_that_reads_like_a_number_is_found_whole(catalog):
    # PostgreSQL's query parser read "7e3zy" as the number "7e3" and the word "zy".
    attach(talk(VOGELS), (95, "We tuned the 7e3zy nodes."))
    assert list(Talk.objects.said("7e3zy nodes")) == [talk(VOGELS)]
    assert list(Talk.objects.said("7e3 nodes")) == []  # a whole word, not a start


def test_spoken_rows_keep_only_their_ids_in_the_table_searches_read(catalog):
    """A search reads the rows its words' index points to for their talk ids alone: on
    PostgreSQL an hour's passage starts (~1 KB) live out of line (migration 0020), so the
    rows of all 13 talks fit in one page, not three."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's index holds the talk ids itself")
    hour = [Passage(at, at + 36, f"Sentence {at} says nothing.") for at in range(0, 3600, 36)]
    for t in Talk.objects.all():
        transcripts.write(t, ParsedTranscript([], "en", passages=hour), "en")
    assert SpokenText.objects.count() == 13
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s)", [SpokenText._meta.db_table])
        assert cursor.fetchone()[0] == 8192
