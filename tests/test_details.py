"""media.ccc.de talks play here (sessions.details): each talk's own page names its video
and subtitle files; the worker reads the pages that changed, a few at a time, and the
talk plays in our <video> player, its subtitles its transcript."""

import json
import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from sessions import details
from sessions.models import Details, Recording, Talk, Transcript
from sessions.readers import mediaccc
from tests.conftest import page_text
from tests.sources import serve
from tests.test_import_formats import SAMPLES

GUID = "0b4f5c1e-7d2a-5e63-8f11-3a2b4c5d6e01"
SUBTITLES = b"""1
00:00:01,000 --> 00:00:04,000
Willkommen zu einem Blick unter die Haube.

2
00:00:04,500 --> 00:00:09,000
Heute zaehlen wir Takte und Nanosekunden.
"""


def event_page(origin: str) -> dict:
    """The sample event, its files on the local server."""
    event = json.loads((SAMPLES / "mediaccc-event.json").read_text())
    for item in event["recordings"]:
        item["recording_url"] = f"{origin}/files/{item['filename']}"
    return event


@pytest.fixture
def congress(db, settings):
    """media.ccc.de's conference listing and its first event's page on a local server."""
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    server, stop = serve("/public/conferences/exc24")
    listing = json.loads((SAMPLES / "mediaccc.json").read_text())
    event = event_page(server.origin)
    listing["events"][0]["url"] = server.page(f"/public/events/{GUID}", json.dumps(event).encode())
    server.page(f"/files/{event['recordings'][6]['filename']}", SUBTITLES, "application/x-subrip")
    server.serve(json.dumps(listing).encode())
    server.listing, server.event = listing, event
    call_command("import_catalog", server.url, stdout=StringIO())
    yield server
    stop()


def page_reads(server) -> int:
    return sum(r["path"].startswith("/public/events/") for r in server.requests)


# The rules, alone ------------------------------------------------------------------------


def test_an_events_page_gives_one_video_per_language_and_finished_subtitles():
    files = mediaccc.read_event(json.loads((SAMPLES / "mediaccc-event.json").read_text()))
    videos = {v.language: v.url.rsplit("/", 1)[1] for v in files.videos}
    assert videos == {
        "deu-eng": "exc24-101-deu-eng-Ein_Blick_unter_die_Haube_hd.mp4",
        "deu": "exc24-101-deu-Ein_Blick_unter_die_Haube_hd.mp4",  # mp4 HD over SD; webm new
        "eng": "exc24-101-eng-Ein_Blick_unter_die_Haube_webm-sd.webm",
    }  # no mp3: not a video
    assert [(s.language, s.mime) for s in files.subtitles] == [("deu", "application/x-subrip")]
    assert mediaccc.read_event({"recordings": []}).videos == []
    with pytest.raises(Exception, match="recordings"):
        mediaccc.read_event({"recordings": "none"})


def files(*languages):
    return [SimpleNamespace(language=lang, name=lang) for lang in languages]


@pytest.mark.parametrize(
    ("offered", "original", "wanted", "chosen"),
    [
        (("deu-eng", "deu", "eng"), "deu", "", "deu"),  # the talk's own language
        (("deu-eng", "deu", "eng"), "deu", "en", "eng"),  # the person's, offered alone
        (("deu-eng", "eng"), "deu", "eng", "eng"),
        (("deu-eng",), "deu", "en", "deu-eng"),  # not alone: the file that has it
        (("deu-eng",), "deu", "fr", "deu-eng"),  # not offered: the talk's own
        (("eng", "deu"), "de", "", "deu"),  # two letters and three meet
        (("fra", "eng"), "deu", "", "fra"),  # neither: the first
        ((), "deu", "", None),
    ],
)
def test_which_file_plays_first(offered, original, wanted, chosen):
    found = details.choose_file(files(*offered), original, wanted)
    assert (found.name if found else None) == chosen


# Read by the worker, played here -----------------------------------------------------------


def test_the_worker_reads_a_talks_page_and_the_talk_plays_here(congress, client, monkeypatch):
    talk = Talk.objects.get(source_key=GUID)
    assert talk.video_provider == "mediaccc" and not talk.plays_here
    assert Details.objects.get(talk=talk).due
    assert Details.objects.count() == 1  # the events whose page the listing names

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # in-process
    call_command("run_worker", "--batch", stdout=StringIO())  # the clock queues it, then runs
    talk.refresh_from_db()
    origin = congress.origin
    mine = dict(talk.recordings.filter(from_details=True).values_list("language", "reference"))
    assert mine == {
        "deu-eng": f"{origin}/files/exc24-101-deu-eng-Ein_Blick_unter_die_Haube_hd.mp4",
        "deu": f"{origin}/files/exc24-101-deu-Ein_Blick_unter_die_Haube_hd.mp4",
        "eng": f"{origin}/files/exc24-101-eng-Ein_Blick_unter_die_Haube_webm-sd.webm",
    }
    assert talk.play_file == mine["deu"] and talk.plays_here
    assert talk.video_provider == "mediaccc"  # still its page: "Watch on media.ccc.de"
    assert talk.play_url == f"{talk.get_absolute_url()}#play"
    transcript = Transcript.objects.get(talk=talk)
    assert (transcript.language, transcript.source) == (
        "de",
        congress.event["recordings"][6]["recording_url"],
    )
    assert "Heute zaehlen wir Takte" in transcript.passages.get().text

    response = client.get(talk.get_absolute_url())
    page = response.content.decode()
    assert 'data-provider="file"' in page and f'data-source="{mine["deu"]}"' in page
    assert "Watch on media.ccc.de" in page
    audio = re.search(r'<p class="player-audio">(.*?)</p>', page)[1]
    assert re.sub(r"<[^>]+>", "", audio) == (
        "Audio: German and English · German (original) · English"
    )
    assert origin in re.search(r"media-src[^;]*", response["Content-Security-Policy"])[0]
    # Asked for English: that file, and the browser's own choice is left alone.
    page = client.get(talk.get_absolute_url() + "?audio=eng").content.decode()
    assert f'data-source="{mine["eng"]}"' in page and "data-files=" not in page


def test_pages_are_read_again_only_when_the_listing_says_they_changed(congress):
    out = StringIO()
    call_command("refresh_catalogs", "--all", stdout=out)
    said = "read 1 talk page: 1 with new video files, 1 transcripts from subtitles, 0 failed"
    assert said in out.getvalue()
    talk = Talk.objects.get(source_key=GUID)
    reads = page_reads(congress)

    call_command("refresh_catalogs", "--all", stdout=StringIO())
    assert page_reads(congress) == reads  # the same version: not read

    # The listing changes: a new version of the event, and a new page address for the talk
    # (the listing's own recording changes, which replaces the listing's recordings).
    event = congress.listing["events"][0]
    event["updated_at"] = "2025-01-04T09:00:00.000+01:00"
    event["frontend_link"] = "https://media.ccc.de/v/exc24-101-renamed"
    congress.serve(json.dumps(congress.listing).encode())
    out = StringIO()
    call_command("refresh_catalogs", "--all", stdout=out)
    assert page_reads(congress) == reads + 1
    assert congress.requests[-1]["If-None-Match"]  # asked conditionally: 304, nothing to do
    talk.refresh_from_db()
    assert talk.video_ref == "exc24-101-renamed"
    assert talk.recordings.filter(from_details=True).count() == 3  # the files stayed
    assert Transcript.objects.filter(talk=talk).count() == 1


def test_a_page_that_fails_is_tried_again_later(congress):
    congress.page(f"/public/events/{GUID}", b"<html>Bad gateway</html>", "text/html")
    now = timezone.now()
    lines = details.read_due(Talk.objects.get(source_key=GUID).conference, now)
    assert (
        "read 1 talk page: 0 with new video files, 0 transcripts from subtitles, 1 failed"
        in (lines[0])
    )
    row = Details.objects.get(talk__source_key=GUID)
    assert row.failures == 1 and "Expecting value" in row.error and row.due
    assert not details.due(now + details.RETRY_FIRST / 2).filter(pk=row.pk).exists()
    assert details.due(now + details.RETRY_FIRST).filter(pk=row.pk).exists()
    assert not Recording.objects.filter(from_details=True).exists()


def test_staff_see_how_the_talk_pages_are_read(congress, staff_client):
    page = page_text(staff_client.get("/conferences/exc24/"))
    assert "Talk pages Each talk's own page at the source names its video files and " in page
    assert "0 of 1 read, 1 to read (a few at a time, by the worker); 0 talks play here." in page
    call_command("refresh_catalogs", "--all", stdout=StringIO())
    page = page_text(staff_client.get("/conferences/exc24/"))
    assert "1 of 1 read; 1 talk plays here." in page
    congress.page(f"/public/events/{GUID}", b"not json")
    Details.objects.update(listed="a newer version")
    call_command("refresh_catalogs", "--all", stdout=StringIO())
    page = page_text(staff_client.get("/conferences/exc24/"))
    assert "0 of 1 read, 1 to read" in page and "1 failing, the last with: Expecting value" in page
