"""Every outside format into the catalog: what each reader makes of real-shaped
files (tests/samples, written for these tests after the published formats), what
the one writer does with it, and the command a person runs."""

import html
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nh3
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import backup
from planner.models import Entry
from sessions import video
from sessions.catalog import CatalogError
from sessions.models import Conference, Recording, Talk
from sessions.readers import common, detect, read_bytes, read_source

SAMPLES = Path(__file__).parent / "samples"
PYVIDEO = SAMPLES / "pyvideo-pycon-example"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_catalog", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("schedule.xml", "frab-xml"),
        ("schedule.json", "schedule-json"),
        ("mediaccc.json", "mediaccc"),
        ("sessionize.json", "sessionize"),
        ("ytdlp-playlist.json", "ytdlp"),
        ("frab-2014.xml", "frab-xml"),
        ("ytdlp-mixed.json", "ytdlp"),
    ],
)
def test_the_format_is_told_from_the_content(name, fmt):
    assert detect(sample(name)) == fmt
    assert read_bytes(sample(name)).format == fmt


def test_frab_xml_gives_titles_speakers_lengths_as_slots_and_clean_text():
    parsed = read_bytes(sample("schedule.xml"))
    assert (parsed.title, parsed.slug, parsed.year) == (
        "Example Chaos Congress 2024",
        "exc24",
        2024,
    )
    first, lightning, second_lightning, workshop = parsed.talks
    assert first.title == "Ein Blick unter die Haube: Größenordnungen"
    assert first.tagline == "Über Zähler & Uhren"
    assert first.speaker_name == "Jördis Beispiel and Kim Example"
    assert first.verdict == [
        "Wie schnell ist schnell?",
        "A second paragraph, written in the description.",
    ]
    assert "alert" not in " ".join(first.verdict)  # HTML in abstracts is text, never markup
    assert (first.duration_seconds, first.length_is_slot) == (2400, True)
    assert (first.key, first.slug) == (
        "0b4f5c1e-7d2a-5e63-8f11-3a2b4c5d6e01",
        "exc24-101-ein-blick-unter-die-haube",
    )
    assert (first.track, first.language, str(first.held_on)) == ("Hardware", "de", "2024-12-27")
    assert lightning.speaker_name == "" and lightning.kind == "lightning"
    assert lightning.title == second_lightning.title  # duplicate titles stay two talks
    # Slides and the speaker's earlier talk on YouTube are links, not this talk's recording.
    assert second_lightning.recordings == []
    assert (workshop.kind, workshop.duration_seconds) == ("workshop", 3 * 3600)


def test_schedule_json_reads_pretalx_day_durations_and_iso_durations():
    parsed = read_bytes(sample("schedule.json"))
    keynote, sprint, tutorial = parsed.talks
    assert keynote.kind == "keynote" and keynote.recordings[0].reference == "AbCdEfGhIjK"
    assert sprint.duration_seconds == 26 * 3600  # pretalx's D:HH:MM: "1:02:00"
    assert tutorial.duration_seconds == 75 * 60  # c3voc's ISO 8601: "PT1H15M"
    assert (keynote.speaker_name, sprint.speaker_name) == ("Noor Example", "")
    assert parsed.skipped == [
        "schedule.conference.days[1].rooms['Main hall'][1]: 'Off the record: a hallway session' "
        "will not be recorded (do_not_record)"
    ]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("00:40", 2400), ("1:30", 5400), ("1:02:00", 93600), ("PT45M", 2700), ("PT1H", 3600),
     ("PT2712.4S", 2712), ("P1DT2H", 93600), (2538, 2538), (2712.0, 2712), ("", None),
     (None, None), ("00:00", None)],
)  # fmt: skip
def test_durations(value, seconds):
    assert common.duration(value, "x") == seconds


@pytest.mark.parametrize("value", ["forty", "1:75", "PT", "12:3", True])
def test_a_bad_duration_names_the_path(value):
    with pytest.raises(CatalogError, match=r"^days\[0\]\.duration: duration"):
        common.duration(value, "days[0].duration")


def test_pyvideo_folder_gives_every_recording_and_skips_what_has_none():
    parsed = read_source(str(PYVIDEO))
    assert parsed.format == "pyvideo" and parsed.year == 2019
    by_key = {t.key: t for t in parsed.talks}
    decorators = by_key["decorators-all-the-way-down"]
    assert [(r.provider, r.reference) for r in decorators.recordings] == [
        ("youtube", "Zx9Yw8Vu7Ts"),
        ("file", "https://archive.example.org/pycon2019/decorators.mp4"),
    ]
    assert decorators.duration_seconds == 1834  # not the deprecated videos[].length
    assert by_key["async-io-in-practice"].duration_seconds is None
    assert by_key["async-io-in-practice"].recordings[0].provider == "vimeo"
    assert by_key["pythons-unicode-strings"].title == "Cadenas Unicode en Python: ñ, é, 漢字"
    assert by_key["peertube-lightning"].recordings[0].provider == "peertube"
    assert parsed.skipped == [
        "videos/no-video-yet.json: 'A talk whose video was lost' has no video we can open"
    ]


def test_sessionize_skips_service_sessions_and_finds_a_video_in_an_answer():
    parsed = read_bytes(sample("sessionize.json"), title="Example Ops Day 2025")
    assert parsed.title == "Example Ops Day 2025"
    observability, operator = parsed.talks
    assert observability.speaker_name == "Mia Example and Ilya Beispiel"
    assert (observability.track, observability.kind, observability.duration_seconds) == (
        "Cloud",
        "talk",
        2700,
    )
    assert operator.recordings[0].reference == "901234567"  # from the custom question
    assert operator.kind == "workshop"
    assert parsed.skipped == ["sessions[1]: 'Lunch' is a service session (a break, not a talk)"]


def test_old_frab_xml_missing_durations_empty_persons_and_opt_outs():
    parsed = read_source(str(SAMPLES / "frab-2014.xml"))
    opening, discussion = parsed.talks
    assert (opening.title, opening.kind, opening.speaker_name) == ("Eröffnung", "talk", "Anna")
    assert opening.verdict == ["Die Eröffnung & ein Überblick."]
    assert opening.recordings == [video.Recording("vimeo", "99000001")]  # a link named Video
    assert (discussion.duration_seconds, discussion.speaker_name) == (None, "")
    assert discussion.kind == "panel" and discussion.track == ""
    assert parsed.skipped == [
        "day 1, room 'Halle A', event 6003: 'Filmvorführung' will not be recorded (do_not_record)"
    ]


def test_ytdlp_playlist_of_several_sites_with_a_private_entry_and_a_repeat():
    parsed = read_bytes(sample("ytdlp-mixed.json"))
    assert [(t.key, t.kind, t.duration_seconds) for t in parsed.talks] == [
        ("MeEtUp00001", "keynote", 1830),
        ("700000003", "talk", 1204),
        ("MeEtUp00001", "keynote", 1830),  # the writer reports the repeat
    ]
    assert parsed.talks[1].recordings == [video.Recording("vimeo", "700000003")]
    assert parsed.skipped == ["entries[1]: PrIvAtE0002 is deleted or private ([Private video])"]


@pytest.mark.django_db
def test_a_talk_twice_in_one_source_is_imported_once_and_reported():
    out = run(SAMPLES / "ytdlp-mixed.json")
    assert "2 talks created" in out
    assert (
        "skipped entries[3]: 'Keynote - ten years of the meetup' appears twice (MeEtUp00001)" in out
    )


def test_ytdlp_skips_and_reports_deleted_entries():
    parsed = read_bytes(sample("ytdlp-playlist.json"))
    assert [t.key for t in parsed.talks] == ["KeYnOtE0001", "KeYnOtE0003"]
    assert [t.kind for t in parsed.talks] == ["talk", "keynote"]  # a title that starts so
    assert parsed.talks[0].duration_seconds == 5421 and not parsed.talks[0].length_is_slot
    assert parsed.skipped == ["entries[1]: DeLeTeD0002 is deleted or private ([Deleted video])"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "source",
    ["schedule.xml", "schedule.json", "mediaccc.json", "sessionize.json", "ytdlp-playlist.json",
     "pyvideo-pycon-example", "frab-2014.xml", "ytdlp-mixed.json"],
)  # fmt: skip
def test_reimporting_the_same_source_changes_nothing(source):
    first = run(SAMPLES / source)
    rows = list(Talk.objects.order_by("pk").values())
    recordings = list(Recording.objects.order_by("pk").values())
    again = run(SAMPLES / source)
    assert " 0 talks created, 0 updated," in again and "0 talks created" not in first
    assert list(Talk.objects.order_by("pk").values()) == rows
    assert list(Recording.objects.order_by("pk").values()) == recordings


@pytest.mark.django_db
def test_recordings_that_come_later_attach_to_the_scheduled_talks(alice_client, alice):
    run(SAMPLES / "schedule.xml")
    talk = Talk.objects.get(source_key="0b4f5c1e-7d2a-5e63-8f11-3a2b4c5d6e01")
    workshop = Talk.objects.get(source_slug="exc24-104-soldering-workshop")
    assert not talk.has_video and talk.length_is_slot
    alice_client.post(f"/talks/{talk.pk}/track/", {"status": "queued"})
    alice_client.post(f"/talks/{workshop.pk}/track/", {"status": "queued"})
    queue_html = alice_client.get("/queue/").content.decode()
    assert queue_html.count('class="no-video">No recording yet') == 2
    assert "Now available" not in queue_html

    out = run(SAMPLES / "mediaccc.json")
    assert "1 talk created, 2 updated" in out and "2 talks now have a recording." in out
    talk.refresh_from_db()
    workshop.refresh_from_db()
    assert Talk.objects.filter(conference__slug="exc24").count() == 5  # matched, not doubled
    assert (talk.video_provider, talk.video_ref) == (
        "mediaccc",
        "exc24-101-ein-blick-unter-die-haube",
    )
    assert (talk.duration_seconds, talk.length_is_slot) == (2538, False)  # the real length now
    assert (
        talk.thumbnail_url == "https://static.media.ccc.de/media/congress/2024-example/101-hd.jpg"
    )
    assert workshop.video_ref == "exc24-104-soldering-workshop"  # matched on the slug
    # Its tags named the room, the day, the year and the languages too: one is a topic.
    assert [t.name for t in Talk.objects.get(pk=talk.pk).topics] == ["Hardware"]
    assert workshop.thumbnail_url == ""  # a host the policy does not allow is dropped
    queue_html = alice_client.get("/queue/").content.decode()
    assert queue_html.count("Now available") == 2
    assert "https://media.ccc.de/v/exc24-101-ein-blick-unter-die-haube" in queue_html

    # The schedule again: its slot lengths and missing videos erase nothing.
    run(SAMPLES / "schedule.xml")
    talk.refresh_from_db()
    assert (talk.video_ref, talk.duration_seconds, talk.length_is_slot) == (
        "exc24-101-ein-blick-unter-die-haube", 2538, False)  # fmt: skip
    assert Entry.objects.filter(user=alice).count() == 2


@pytest.mark.django_db
def test_topics_that_differ_only_in_case_or_punctuation_share_one_tag():
    """Found importing pyvideo's europython-2019: "Data Structures" and "Data-Structures"
    made two tags with one slug (an IntegrityError, nothing imported)."""
    run(PYVIDEO)
    topics = {t.source_key: sorted(x.name for x in t.topics) for t in Talk.objects.all()}
    assert topics["async-io-in-practice"] == ["Data Structures", "Functions"]
    assert topics["decorators-all-the-way-down"] == ["Functions", "decorators"]
    assert topics["pythons-unicode-strings"] == ["C++", "Data Structures"]  # "⚙" has no slug
    assert "0 updated" in run(PYVIDEO)


@pytest.mark.django_db
def test_a_talk_page_lists_every_recording_and_its_facts(client):
    run(PYVIDEO)
    talk = Talk.objects.get(source_key="decorators-all-the-way-down")
    html = client.get(talk.get_absolute_url()).content.decode()
    assert "Watch on YouTube" in html
    assert 'Also on: <a href="https://archive.example.org/pycon2019/decorators.mp4"' in html
    assert "Language: English" in html and "4 May 2019" in html
    assert 'data-provider="youtube"' in html  # played in place, behind our own poster
    assert "30:34 at 1x" in html and "estimated" not in html.split("length-line")[1][:300]


@pytest.mark.django_db
def test_links_notes_and_exports_for_hosts_beyond_youtube(alice_client, alice):
    run(PYVIDEO)
    talk = Talk.objects.get(source_key="async-io-in-practice")
    alice_client.post(f"/talks/{talk.pk}/track/", {"status": "watched"})
    entry = Entry.objects.get(user=alice, talk=talk)
    alice_client.post(f"/entries/{entry.pk}/note/", {"note": "12:34 the event loop", "base": ""})
    entry.refresh_from_db()
    assert 'href="https://vimeo.com/334455667#t=754s"' in entry.note_html
    text = alice_client.get("/watched/export.md").content.decode()
    assert "[Vimeo](https://vimeo.com/334455667)" in text
    assert "[12:34](https://vimeo.com/334455667#t=754s)" in text


@pytest.mark.django_db
def test_backups_name_talks_by_source_key_and_old_backups_still_read(alice, catalog):
    run(PYVIDEO)
    talk = Talk.objects.get(source_key="peertube-lightning")
    Entry.objects.create(user=alice, talk=talk, status="queued", position=1)
    data = backup.backup(alice)
    assert data["version"] == 3
    assert data["entries"][0]["talk"] == {
        "conference": "pycon-example-2019", "key": "peertube-lightning",
        "title": "PeerTube in five minutes"}  # fmt: skip
    parsed = backup.parse_backup(json.dumps(data).encode())
    assert parsed["entries"][0]["talk"] == talk
    old = {**data, "version": 2, "entries": [
        {"talk": {"conference": "aws-reinvent-2022", "video_id": catalog[0].video_ref}}
    ]}  # fmt: skip
    assert backup.parse_backup(json.dumps(old).encode())["entries"][0]["talk"] == catalog[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"schedule": {"conference": {"title": "X", "days": [', "line 1: the file is not valid"),
        (b"<schedule><conference><title>X</title></conference><day>", "not well-formed XML"),
        (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><schedule>&a;</schedule>',
         "the XML declares entities or a DTD, refused"),
        (b'{"hello": "world"}', "unknown format"),
        (b"", "the file is empty"),
        (b'{"schedule": {"conference": {"title": "X", "days": [{"rooms": {"A": [{"title": "T", '
         b'"guid": "g", "duration": "soon"}]}}]}}}',
         "schedule.conference.days[0].rooms['A'][0].duration: duration 'soon'"),
        (b'{"events": [], "acronym": "x", "title": "X"}', "events: no talks found"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_one_message_and_nothing_written(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        run(path)
    assert message in str(raised.value) and "Nothing was imported." in str(raised.value)
    assert not Talk.objects.exists() and not Conference.objects.exists()


@pytest.mark.django_db
def test_a_file_over_20_mb_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(CommandError, match="larger than 20 MB"):
        run(path)


@pytest.mark.django_db
def test_dry_run_says_what_would_change_and_writes_nothing():
    out = run(SAMPLES / "sessionize.json", "--title", "Example Ops Day 2025", "--dry-run")
    assert "Example Ops Day 2025: 2 talks created" in out and "dry run: nothing was written" in out
    assert "skipped sessions[1]: 'Lunch' is a service session" in out
    assert not Talk.objects.exists() and not Conference.objects.exists()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        body = sample("mediaccc.json")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.mark.django_db
def test_a_url_import_from_a_local_server_and_its_refusal_without_the_switch(server, settings):
    url = f"{server}/public/conferences/exc24"
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = False
    with pytest.raises(CommandError, match="private or local address"):
        run(url)
    assert not Talk.objects.exists()
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    assert "3 talks created" in run(url)
    assert Conference.objects.get().source_url == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://user:pw@example.org/s.json", "user name or password"),
        ("file:///etc/passwd", "only http and https"),
        ("FILE:///etc/passwd", "only http and https"),
        ("ftp://example.org/x", "only http and https"),
        ("gopher://example.org/x", "only http and https"),
    ],
)
def test_a_url_with_credentials_or_another_scheme_is_refused(url, why, tmp_path, monkeypatch):
    # A folder named like the URL's path exists, so only the scheme rule can refuse it.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file:" / "etc").mkdir(parents=True)
    (tmp_path / "file:" / "etc" / "passwd").write_text("<schedule/>")
    with pytest.raises(CatalogError, match=why):
        read_source(url, "frab-xml")


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_youtube_ids_as_recordings(catalog):
    executor = MigrationExecutor(connection)
    executor.migrate([("talk_sessions", "0004_catalog_version"), ("planner", "0004_viewings")])
    apps = executor.loader.project_state([("talk_sessions", "0004_catalog_version")]).apps
    OldTalk = apps.get_model("talk_sessions", "Talk")
    ids = dict(OldTalk.objects.values_list("pk", "video_id"))
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    talks = Talk.objects.all()
    assert {t.pk: (t.video_provider, t.video_ref, t.source_key) for t in talks} == {
        pk: ("youtube", vid, vid) for pk, vid in ids.items()
    }
    assert set(Recording.objects.values_list("talk", "provider", "reference")) == {
        (pk, "youtube", vid) for pk, vid in ids.items()
    }
    assert Talk.objects.search("vogels").exists()  # the search index came back


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            list("ab <>&;#x\"'/=\n\r\t\x00\xa0\ufeff\u2028é😀")
            + ["&amp;", "<p>", "</p>", "<br>", "&#39;", "&lt;", "\r\n"]
        ),
        max_size=30,
    ).map("".join)
)
def test_plain_text_needs_no_sanitizer_and_gets_what_it_would_give(text):
    assert common._plain(text) == html.unescape(nh3.clean(text, tags=set()))


def _talk_statistics() -> int | None:
    """What the database's planner knows of the talk table's size (None: nothing)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'talk_sessions_talk'")
            rows = cursor.fetchone()[0]
            return None if rows < 0 else int(rows)
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'talk_sessions_talk' LIMIT 1")
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else None


@pytest.mark.django_db(transaction=True)
def test_an_import_leaves_the_planner_statistics_of_what_it_wrote():
    """Right after a bulk import the database knows the tables' sizes (no waiting for
    autovacuum, which never analyzes a small table)."""
    run(SAMPLES / "ytdlp-playlist.json")
    first = Talk.objects.count()
    assert _talk_statistics() == first > 0
    run(SAMPLES / "sessionize.json", "--title", "Example Ops Day 2025")
    assert _talk_statistics() == Talk.objects.count() > first


@pytest.mark.django_db(transaction=True)
def test_postgresql_gathers_no_statistics_of_the_talks_rendered_text():
    """ANALYZE after an import reads the columns queries plan on, the search's vector
    among them, and not the rendered text no query looks into (Talk.UNPLANNED_FIELDS)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's statistics are of its indexes alone")
    run(SAMPLES / "ytdlp-playlist.json")
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = 'talk_sessions_talk'")
        analyzed = {name for (name,) in cursor.fetchall()}
    assert {"conference_id", "position", "kind", "search_document"} <= analyzed
    skipped = {Talk._meta.get_field(name).column for name in Talk.UNPLANNED_FIELDS}
    assert skipped & analyzed == set()
    assert {"outline_html", "search_words"} <= skipped


@pytest.mark.django_db(transaction=True)
def test_an_import_leaves_no_search_entries_pending_on_postgresql():
    """GIN's pending list, which every search reads through, is merged after an import
    (autovacuum would only do it later, if it runs at all)."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL index's pending list")
    run(SAMPLES / "ytdlp-playlist.json")
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('talk_search')")
        assert cursor.fetchone()[0] == 0  # pages it had to merge: none were left
        Talk.objects.create(
            conference=Conference.objects.first(),
            kind="talk",
            title="One more",
            slug="one",
            source_key="one",
            position=99,
        )  # a plain write still goes through the list: the check above can fail
        cursor.execute("SELECT gin_clean_pending_list('talk_search')")
        assert cursor.fetchone()[0] > 0


@pytest.mark.django_db
def test_a_talk_has_no_index_that_another_already_begins_with():
    """The conference and slug lookups are answered by the indexes that begin with the
    conference (migration 0019): none of their own to fill on every import."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "talk_sessions_talk")
    indexed = [tuple(c["columns"]) for c in found.values() if c["index"] or c["unique"]]
    assert ("conference_id",) not in indexed and ("slug",) not in indexed
    assert ("conference_id", "slug") in indexed and ("conference_id", "source_key") in indexed


# Which source tags are topics ----------------------------------------------------


def test_only_tags_that_say_what_a_talk_is_about_become_topics():
    from sessions.source_tags import source_topics

    tags = [
        "39C3", "39c3-deu", "39c3-eng", "-fra", "deu", "eng", "deu-eng", "de", "German",
        "Saal 1", "Stage HUFF", "Day 2", "Tuesday", "2025-12-27", "42", "x",
        "Security", "Hardware & Making", "AI", "Chaos Communication Congress",
    ]  # fmt: skip
    names = {"39C3", "Chaos Communication Congress"}
    assert source_topics(tags, names) == ["Security", "Hardware & Making", "AI"]
