"""The issue's "Done when", end to end: a conference imported from an address whose
recordings arrive later; a person queues two talks and asks about a third; the refresh
brings the recordings; they see New for you, get exactly one digest naming all three at
a real SMTP server, and their Atom feed has three entries; running everything again
sends nothing more. Once with the schedule itself bringing the recordings, once with a
YouTube playlist feed whose titles carry a conference prefix and a speaker suffix, and
once with media.ccc.de's listing, which names a talk once its recording is released."""

import datetime
import json
from io import StringIO
from xml.sax.saxutils import escape

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from planner import background
from planner.models import Digest, News, Telling
from sessions import feeds
from sessions.models import Conference, Talk
from tests.conftest import page_text
from tests.mailserver import text_of
from tests.sources import serve
from tests.test_digests import feed_entries, link_in, run_worker

TALKS = [
    ("Rust in the kernel, one year on", "Mira Holm"),
    ("What your router tells the world", "Jonas Petrov"),
    ("Community networks in rural valleys", "Ama Owusu"),
    ("Reverse engineering a washing machine", "Lee Tanaka"),
    ("The quiet history of the modem", "Sara Lind"),
]
SETTLE = datetime.timedelta(minutes=6)


def schedule(with_recordings: bool) -> bytes:
    """A frab schedule.xml; with recordings, each event links to its video (a "Video" link,
    as pretalx and frab exports carry it once the recording is out)."""
    events = []
    for i, (title, speaker) in enumerate(TALKS, start=1):
        links = (
            f'<links><link href="https://media.ccc.de/v/exs25-{i}-talk">Video</link></links>'
            if with_recordings
            else "<links/>"
        )
        events.append(
            f"""<event guid="00000000-0000-4000-8000-{i:012d}" id="{i}">
            <date>2025-12-27T1{i}:00:00+01:00</date><start>1{i}:00</start>
            <duration>00:40</duration><room>Saal</room><slug>exs25-{i}-talk</slug>
            <title>{escape(title)}</title><type>Talk</type><language>en</language>
            <persons><person id="{i}">{escape(speaker)}</person></persons>{links}</event>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<schedule><version>1</version>
  <conference><acronym>exs25</acronym><title>Example Source Summit 2025</title>
    <start>2025-12-27</start><end>2025-12-27</end><days>1</days></conference>
  <day index="1" date="2025-12-27"><room name="Saal">{"".join(events)}</room></day>
</schedule>""".encode()


def mediaccc_listing(released: list[int], origin: str) -> bytes:
    """media.ccc.de's conference document: the released talks, matched to the schedule's by
    guid; the first one's own page (its files) on the local server too."""
    events = []
    for i, (title, speaker) in enumerate(TALKS, start=1):
        if i not in released:
            continue
        events.append({
            "guid": f"00000000-0000-4000-8000-{i:012d}", "title": title,
            "slug": f"exs25-{i}-talk", "persons": [speaker], "original_language": "eng",
            "date": f"2025-12-27T1{i}:00:00.000+01:00", "length": 2400 + i,
            "frontend_link": f"https://media.ccc.de/v/exs25-{i}-talk",
            "updated_at": f"2025-12-2{8 + i % 2}T10:00:00.000+01:00",
            "url": f"{origin}/public/events/{i}",
        })  # fmt: skip
    return json.dumps({"acronym": "exs25", "title": "Example Source Summit 2025",
                       "slug": "conferences/exs25", "events": events}).encode()  # fmt: skip


def playlist(count: int) -> bytes:
    """A YouTube playlist feed (Atom with yt: and media: elements, newest first) of the
    first `count` talks, titled as uploads are: "EXS25 - <title> | <speaker>"."""
    entries = []
    for i, (title, speaker) in reversed(list(enumerate(TALKS[:count], start=1))):
        video, upload = f"exs25vid{i:03d}", escape(f"EXS25 - {title} | {speaker}")
        entries.append(f"""<entry><id>yt:video:{video}</id><yt:videoId>{video}</yt:videoId>
  <yt:channelId>UCexamplesummitvideos00</yt:channelId><title>{upload}</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v={video}"/>
  <author><name>Example Summit</name></author>
  <published>2026-01-0{i}T10:00:00+00:00</published><updated>2026-01-0{i}T10:00:00+00:00</updated>
  <media:group><media:title>{upload}</media:title>
    <media:thumbnail url="https://i1.ytimg.com/vi/{video}/hqdefault.jpg" width="480" height="360"/>
    <media:description>Recorded at the summit.</media:description></media:group></entry>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015"
      xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <id>yt:playlist:PLexs25examplesummit000000000000</id>
 <yt:playlistId>PLexs25examplesummit000000000000</yt:playlistId>
 <title>Example Source Summit 2025</title>
 <author><name>Example Summit</name></author>
 {"".join(entries)}
</feed>""".encode()


@pytest.fixture
def summit(settings):
    """The summit's schedule at a local address, imported from it, with no recordings."""
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    settings.SITE_URL = "http://testserver"
    source, stop = serve()
    source.serve(schedule(False))
    call_command("import_catalog", source.url, stdout=StringIO())
    yield source
    stop()


def a_person_waits(client) -> list[Talk]:
    """Opted in to emails and confirmed; queues two talks, asks about a third."""
    talks = list(Talk.objects.filter(conference__slug="exs25").order_by("pk"))
    assert all(not t.video_ref for t in talks)
    for talk in talks[:2]:
        assert client.post(f"/talks/{talk.pk}/track/", {"status": "queued"}).status_code == 302
    page = page_text(client.get(talks[2].get_absolute_url()))
    assert "Tell me when it's out" in page
    client.post(f"/talks/{talks[2].pk}/tell-me/", {"wait": "yes"})
    client.post("/new/feed/new/")
    return talks[:3]


def told_once(client, smtp, monkeypatch, talks: list[Talk], bring) -> None:
    bring()
    later = timezone.now() + SETTLE
    page = page_text(client.get("/new/"))
    assert all(t.title in page for t in talks) and "Mark 3 as seen" in page
    assert "New 3 for you" in page_text(client.get("/queue/"))

    background.tick(later)  # the worker's clock queues the digest
    run_worker(monkeypatch)
    [message] = smtp.messages
    assert message["Subject"] == "3 talks you wanted are out"
    plain = text_of(message)
    assert all(f"{t.title}\nExample Source Summit 2025 · " in plain for t in talks)
    token = Telling.objects.get().feed_token
    entries = feed_entries(Client(), f"/new/feed/{token}/")
    assert sorted(e["title"] for e in entries) == sorted(t.title for t in talks)

    # Everything once more: nothing new, nothing sent.
    bring()
    background.tick(later + SETTLE)
    run_worker(monkeypatch)
    assert len(smtp.messages) == 1
    assert News.objects.count() == 3 and Digest.objects.count() == 1


@pytest.fixture
def person(alice, alice_client, smtp, settings):
    settings.SITE_URL = "http://testserver"
    alice_client.post("/settings/email/", {"digest_on": "on", "address": "alice@example.com"})
    alice_client.get(link_in(smtp.messages.pop()))
    return alice_client


def test_the_schedule_brings_the_recordings(summit, person, smtp, monkeypatch):
    talks = a_person_waits(person)
    summit.serve(schedule(True))

    def bring():
        out = StringIO()
        call_command("refresh_catalogs", "--all", stdout=out)
        assert "Example Source Summit 2025:" in out.getvalue()

    told_once(person, smtp, monkeypatch, talks, bring)
    assert all(Talk.objects.get(pk=t.pk).video_ref for t in talks)


def test_a_youtube_playlist_brings_the_recordings(summit, person, smtp, monkeypatch):
    talks = a_person_waits(person)
    uploads, stop = serve("/feeds/videos.xml")
    try:
        uploads.serve(playlist(len(TALKS)))
        feed = feeds.add(Conference.objects.get(slug="exs25"), uploads.url)

        def bring():
            feeds.refresh_feed(feed)

        told_once(person, smtp, monkeypatch, talks, bring)
    finally:
        stop()
    for i, talk in enumerate(talks, start=1):
        assert Talk.objects.get(pk=talk.pk).video_ref == f"exs25vid{i:03d}"


def test_media_ccc_de_releases_the_recordings(summit, person, smtp, monkeypatch):
    talks = a_person_waits(person)
    released, stop = serve("/public/conferences/exs25")
    try:
        for i in range(1, len(TALKS) + 1):  # each event's page: no files yet
            released.page(f"/public/events/{i}", json.dumps({"recordings": []}).encode())
        released.serve(mediaccc_listing([4, 5], released.origin))
        call_command("import_catalog", released.url, stdout=StringIO())  # the same conference
        assert Conference.objects.get(slug="exs25").source_url == released.url
        assert not News.objects.exists()  # what was released is not what she waits for
        released.serve(mediaccc_listing([1, 2, 3, 4, 5], released.origin))

        def bring():
            call_command("refresh_catalogs", "--all", stdout=StringIO())

        told_once(person, smtp, monkeypatch, talks, bring)
    finally:
        stop()
    for i, talk in enumerate(talks, start=1):
        assert Talk.objects.get(pk=talk.pk).video_ref == f"exs25-{i}-talk"
