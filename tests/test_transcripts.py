"""Transcripts: every shape read into passages, attached by import_transcripts, shown on
the talk page with times that open the video there."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sessions import transcripts
from sessions.catalog import CatalogError
from sessions.models import Passage, Talk, Transcript
from sessions.readers.transcripts import Line, passages, read

SAMPLES = Path(__file__).parent / "samples" / "transcripts"
YTDLP = "Werner Vogels keynote [RfvL_423a-I].en.vtt"


def sample(name: str):
    path = SAMPLES / name
    return read(path.read_bytes(), path.suffix, name)


def test_webvtt_without_hours_with_header_style_note_settings_and_tags():
    parsed = sample("talk-plain.en.vtt")
    assert parsed.language == "en"
    assert [(line.start, line.text) for line in parsed.lines] == [
        (1.0, "Welcome to the talk about queues."),  # voice and bold tags gone
        (4.5, "Today we look at three patterns"),
        (4.5, "for moving work off the request path."),
        (31.0, "The first one is the simple work queue."),
        (65.0, "Then comes fan-out with a topic & subscriptions."),  # entity decoded
    ]
    # 30-60 s passages that end at a sentence's end.
    assert [(p.start, p.end) for p in parsed.passages] == [(1, 35), (65, 69)]
    assert parsed.passages[0].text.endswith("The first one is the simple work queue.")


def test_youtube_automatic_captions_read_as_clean_sentences():
    parsed = sample(YTDLP)
    text = " ".join(p.text for p in parsed.passages)
    assert text == (
        "so today we're going to talk about asynchronous systems and why the world is asynchronous"
    )
    assert [line.start for line in parsed.lines] == [0.32, 3.12, 6.16]  # no 10 ms cues


def test_subrip_cues_split_at_their_time_markers():
    parsed = sample("long-cues.srt")
    assert [(p.start, p.end, p.text) for p in parsed.passages] == [
        (0, 70, "Good morning. This talk is one long cue."),
        (70, 125, "Here the second part starts and it runs on."),
        (125, 180, "And the third part is about retries."),
        (180, 184, "Thank you!"),
    ]


def test_wwdc_and_rubyevents_json():
    wwdc = sample("wwdc-2024-10102.json")
    assert (wwdc.key, wwdc.language) == ("wwdc2024-10102", "en")
    assert wwdc.passages[0].text == "Hi, I'm a presenter. Today: what's new in Swift."
    ruby = sample("rubyevents.json")
    assert ruby.key == "dQw4w9WgXcQ"
    assert ruby.passages[0].text == "Hello RubyConf. Let's talk about Ractors."  # tags gone


@pytest.mark.parametrize(
    ("data", "suffix", "line", "words"),
    [
        (SAMPLES.joinpath("truncated.en.vtt").read_bytes(), ".vtt", 6, "not a time"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:0", ".srt", None, "SubRip"),
        (b"NOT VTT\n", ".vtt", 1, "WEBVTT"),
        (b'{"cues": [{"start_time": "x"}]}', ".json", None, "without a time"),
        (b"\xff\xfe", ".vtt", None, "UTF-8"),
    ],
)
def test_bad_or_cut_off_files_are_refused_saying_where(data, suffix, line, words):
    with pytest.raises(CatalogError) as refused:
        read(data, suffix, "bad" + suffix)
    assert words in str(refused.value)
    if line:
        assert refused.value.line == line


def test_passages_hold_30_to_60_seconds_and_end_at_sentences():
    lines = [
        Line(t, f"Sentence {t}." if t % 40 == 0 else f"words {t}", t + 5) for t in range(0, 600, 5)
    ]
    made = passages(lines)
    assert " ".join(p.text for p in made) == " ".join(line.text for line in lines)  # all kept
    for passage in made[:-1]:
        assert 30 <= passage.end - passage.start <= 65
        assert passage.text.endswith(".") or passage.end - passage.start >= 60


# Attaching them --------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_transcripts", *map(str, args), stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path):
    shutil.copy(SAMPLES / YTDLP, tmp_path)
    shutil.copy(SAMPLES / "talk-plain.en.vtt", tmp_path / "nobody-has-this.en.vtt")
    return tmp_path


def test_a_folder_of_ytdlp_files_is_matched_by_video_id(catalog, folder):
    out = run(folder, "--conference", "aws-reinvent-2022")
    assert f"matched {YTDLP} → Werner Vogels - CTO AWS (en, 1 passages)" in out
    assert "unmatched nobody-has-this.en.vtt: no talk has the video or key “nobody-has-this”" in out
    assert "1 transcript(s) attached, 1 unmatched" in out
    transcript = Transcript.objects.get()
    assert (transcript.talk.title, transcript.language) == ("Werner Vogels - CTO AWS", "en")
    assert transcript.passages.get().text.startswith("so today we're going")


def test_a_re_import_replaces_that_language_only(catalog, folder):
    run(folder)
    vogels = Talk.objects.get(title="Werner Vogels - CTO AWS")
    german = folder / "RfvL_423a-I.de.vtt"
    german.write_text("WEBVTT\n\n00:01.000 --> 00:03.000\nHallo zusammen.\n")
    run(german)
    run(folder / YTDLP)
    assert sorted(vogels.transcripts.values_list("language", flat=True)) == ["de", "en"]
    assert Passage.objects.count() == 2  # one each: the English one replaced, not doubled


def test_one_bad_file_stops_the_import_before_anything_is_written(catalog, folder):
    shutil.copy(SAMPLES / "truncated.en.vtt", folder / "RfvL_423a-I.fr.vtt")
    with pytest.raises(CommandError, match="1 file\\(s\\) refused. Nothing was imported."):
        run(folder)
    assert not Transcript.objects.exists()


def test_dry_run_and_a_named_talk(catalog, folder):
    assert "(dry run: nothing was written)" in run(folder, "--dry-run")
    assert not Transcript.objects.exists()
    selipsky = Talk.objects.get(title="Adam Selipsky - CEO AWS")
    out = run(folder / "nobody-has-this.en.vtt", "--talk", selipsky.pk)
    assert "matched nobody-has-this.en.vtt → Adam Selipsky - CEO AWS (en, 2 passages)" in out
    with pytest.raises(CommandError, match="one file"):
        run(folder, "--talk", selipsky.pk)


# Reading them on the talk page ---------------------------------------------------------


def test_the_talk_page_shows_the_transcript_with_times_that_open_the_video(client, catalog, folder):
    vogels = Talk.objects.get(title="Werner Vogels - CTO AWS")
    before = client.get(vogels.get_absolute_url()).content.decode()
    assert "Transcript" not in before
    (folder / "RfvL_423a-I.en.vtt").write_text(
        "WEBVTT\n\n01:05.000 --> 01:09.000\nThe <script>alert(1)</script>world is async.\n"
    )
    run(folder / "RfvL_423a-I.en.vtt")
    html = client.get(vogels.get_absolute_url()).content.decode()  # the kept page is new
    assert '<h2 id="transcript-heading-1">Transcript</h2>' in html
    assert (
        '<a class="transcript-time" href="https://youtu.be/RfvL_423a-I?t=65">1:05</a> '
        '<span class="passage-text">The world is async.</span>' in html
    )
    assert "alert(1)" not in html


def test_staff_attach_a_transcript_on_the_talk_page(client, catalog, django_user_model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    talk = Talk.objects.get(title="Adam Selipsky - CEO AWS")
    page = client.get(talk.get_absolute_url()).content.decode()
    assert "Staff: attach a transcript" in page
    assert '<label for="transcript-file">Transcript file</label>' in page
    assert 'accept=".vtt,.srt,.json"' in page
    upload = SimpleUploadedFile("selipsky.srt", (SAMPLES / "long-cues.srt").read_bytes())
    response = client.post(
        f"/talks/{talk.pk}/transcript/", {"file": upload, "language": "en"}, follow=True
    )
    html = response.content.decode()
    assert "Transcript attached: 4 passages from selipsky.srt." in html
    assert '<a class="transcript-time" href="https://youtu.be/Xus8C2s5K9A?t=70">1:10</a>' in html
    bad = SimpleUploadedFile("cut.vtt", (SAMPLES / "truncated.en.vtt").read_bytes())
    html = client.post(f"/talks/{talk.pk}/transcript/", {"file": bad}, follow=True).content
    assert "No transcript attached: line 6: cut.vtt: a cue time that is not a time" in html.decode()
    assert talk.transcripts.get().passages.count() == 4  # the bad file changed nothing


def test_read_it_whole_and_find_words_in_it(client, catalog, folder):
    run(folder / YTDLP)
    vogels = Talk.objects.get(title="Werner Vogels - CTO AWS")
    url = f"{vogels.get_absolute_url()}transcript/"
    assert f'href="{url}">Read it whole' in client.get(vogels.get_absolute_url()).content.decode()
    whole = client.get(url).content.decode()
    assert f'href="{vogels.get_absolute_url()}#play=0">0:00</a> so today' in whole
    hits = client.get(url, {"q": "world asynchron"}).content.decode()
    assert "1 passage with “world asynchron”" in hits
    assert "<mark>asynchronous</mark> systems and why the <mark>world</mark>" in hits
    none = client.get(url, {"q": "<script>"}).content.decode()
    assert "0 passages with “&lt;script&gt;”" in none and "<script>" not in none.split("<main")[1]
    assert (
        client.get(
            f"{Talk.objects.get(title='Adam Selipsky - CEO AWS').get_absolute_url()}transcript/"
        ).status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_files_are_read_outside_the_transaction_only_on_sqlite(catalog, folder, monkeypatch):
    # SQLite's one write lock, which the site's writes wait for, is not held while files
    # are read; on PostgreSQL each batch is written while the next are read.
    from sessions.management.commands import import_transcripts

    inside = []

    def read_one(path):
        inside.append(connection.in_atomic_block)
        return reader(path)

    reader = import_transcripts.read_one
    monkeypatch.setattr(import_transcripts, "read_one", read_one)
    assert "1 transcript(s) attached" in run(folder)
    assert inside == [connection.vendor != "sqlite"] * 2


def test_a_write_that_fails_midway_leaves_nothing_written(catalog, folder, monkeypatch):
    from sessions.management.commands import import_transcripts

    monkeypatch.setattr(import_transcripts, "PARALLEL_FROM", 2)  # read in workers
    monkeypatch.setattr(import_transcripts, "BATCH", 1)
    for talk in catalog[3:7]:
        shutil.copy(SAMPLES / "long-cues.srt", folder / f"{talk.slug}.en.srt")
    calls, write = [], transcripts.write

    def failing(*args):
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return write(*args)

    monkeypatch.setattr(transcripts, "write", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        run(folder)
    assert len(calls) == 3 and not Transcript.objects.exists()


def test_a_passage_ends_before_a_long_silence():
    # Its time must be where its words are: not a minute of music before them.
    lines = [Line(0, "Good morning."), Line(3, "Welcome."), Line(724, "After the break.")]
    assert [(p.start, p.text) for p in passages(lines)] == [
        (0, "Good morning. Welcome."),
        (724, "After the break."),
    ]


def test_quote_without_javascript_keeps_the_note_as_typed(alice_client, alice, catalog):
    from planner import queue
    from planner.models import Entry, note_fingerprint

    desantis, other = catalog[0], catalog[1]
    parsed = read(b"WEBVTT\n\n12:04.000 --> 12:09.000\nThe chip does the work.\n", ".vtt", "a")
    passage = transcripts.write(desantis, parsed, "en").passages.get()
    elsewhere = transcripts.write(other, parsed, "en").passages.get()
    entry = queue.track(alice, desantis)
    url = f"/entries/{entry.pk}/note/"
    typed = {"note": "Unsaved words.", "base": note_fingerprint(""), "quote": passage.pk}
    response = alice_client.post(url, {**typed, "next": desantis.get_absolute_url()})
    assert response.status_code == 302
    note = Entry.objects.get(pk=entry.pk).note
    assert note == "Unsaved words.\n12:04 “The chip does the work.”\n"
    page = alice_client.get(desantis.get_absolute_url()).content.decode()
    assert "Quote added to your note." in page
    # Another talk's passage is not quoted here; the typed text is still saved.
    again = {"note": note + "More.", "base": note_fingerprint(note), "quote": elsewhere.pk}
    alice_client.post(url, again)
    assert Entry.objects.get(pk=entry.pk).note == note + "More."


def statistics_of(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_statistic WHERE starelid = %s::regclass", [table]
            )
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0]


def spoken_rows() -> list[tuple]:
    """Each talk's searchable text and, on PostgreSQL, its indexed words."""
    words = ", search_document::text" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT talk_id, text{words} FROM talk_sessions_spokentext ORDER BY 1")
        return cursor.fetchall()


def test_a_big_folder_is_read_on_every_core_with_the_same_result(catalog, folder, monkeypatch):
    from sessions.management.commands import import_transcripts

    monkeypatch.setattr(import_transcripts, "PARALLEL_FROM", 2)  # this folder in workers
    for talk in catalog[3:6]:  # more talks, each by its slug
        shutil.copy(SAMPLES / "long-cues.srt", folder / f"{talk.slug}.en.srt")
    out = run(folder, "--conference", "aws-reinvent-2022")
    assert "4 transcript(s) attached, 1 unmatched" in out
    assert Passage.objects.filter(transcript__talk=catalog[3]).count() == 4
    assert statistics_of("talk_sessions_passage")  # the planner knows the new rows
    # What the search reads, worked out in the workers, is what the writer makes alone.
    imported = spoken_rows()
    for talk in catalog[3:6]:
        transcripts.spoken(talk)
    assert spoken_rows() == imported and len(imported) == 4
    # One bad file among them still stops everything, and says which: also when it comes
    # last, after the others were written (each batch is written as the next are read).
    monkeypatch.setattr(import_transcripts, "BATCH", 1)
    shutil.copy(SAMPLES / "talk-plain.en.vtt", folder / f"{catalog[3].slug}.en.vtt")
    (folder / "zz-broken.en.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:0")
    with pytest.raises(CommandError, match="1 file"):
        run(folder)
    assert Passage.objects.filter(transcript__talk=catalog[3]).count() == 4
    assert spoken_rows() == imported
