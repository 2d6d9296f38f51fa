"""A media.ccc.de talk plays in our own <video> player: a few seconds of WebM that the test
writes itself (VP8, with PyAV), served with the event's page by a local server that stands
in for media.ccc.de's API and CDN (the API's event document shape: tests/samples/
mediaccc-event.json). The CSP stays on: the file's host is let in on that page only, and a
violation is a console error, which fails the test."""

import json
from io import StringIO

import av
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import expect

from planner import queue
from planner.models import Entry
from sessions import details
from sessions.models import Talk
from tests.browser.conftest import watch_errors
from tests.browser.steps import scripts_ready, sign_in
from tests.browser.test_player import eventually
from tests.conftest import PASSWORD
from tests.sources import serve
from tests.test_details import GUID, event_page
from tests.test_import_formats import SAMPLES

pytestmark = pytest.mark.browser

SECONDS, FPS = 6, 10


def webm(path) -> bytes:
    """A small VP8 WebM: SECONDS of frames going from dark to light."""
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libvpx", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
        for n in range(SECONDS * FPS):
            frame = av.VideoFrame(160, 90, "yuv420p")
            frame.planes[0].update(bytes([16 + n * 3 % 220]) * (160 * 90))
            frame.planes[1].update(bytes([128]) * (80 * 45))
            frame.planes[2].update(bytes([128]) * (80 * 45))
            frame.pts = n
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path.read_bytes()


@pytest.fixture
def congress(transactional_db, settings, tmp_path):
    """The conference from media.ccc.de's listing, its first talk's page read: the same
    video in German and in English."""
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    server, stop = serve("/public/conferences/exc24")
    body = webm(tmp_path / "talk.webm")
    event = event_page(server.origin)
    event["recordings"] = [
        {**event["recordings"][0], "state": "done", "language": language,
         "recording_url": server.page(f"/files/talk-{language}.webm", body, "video/webm")}
        for language in ("deu", "eng")
    ]  # fmt: skip
    listing = json.loads((SAMPLES / "mediaccc.json").read_text())
    listing["events"][0]["url"] = server.page(f"/public/events/{GUID}", json.dumps(event).encode())
    server.serve(json.dumps(listing).encode())
    call_command("import_catalog", server.url, stdout=StringIO())
    talk = Talk.objects.get(source_key=GUID)
    details.read_due(talk.conference)
    user = User.objects.create_user("viewer", "viewer@example.com", PASSWORD)
    queue.track(user, talk)
    yield SimpleTalk(talk, server.origin)
    stop()


class SimpleTalk:
    def __init__(self, talk: Talk, origin: str) -> None:
        self.talk, self.origin = talk, origin


def test_a_mediaccc_talk_plays_here_at_the_persons_speed(browser, live_server, congress):
    # An English-speaking browser: the English file is offered, so it plays.
    context = browser.new_context(base_url=live_server.url, locale="en-US",
                                  service_workers="block")  # fmt: skip
    context.route("https://**/*", lambda route: route.abort())  # nothing from outside
    page = context.new_page()
    errors = watch_errors(page)
    sign_in(page, "viewer")
    page.goto(congress.talk.get_absolute_url())
    scripts_ready(page)
    page.get_by_role("button", name="Play here at 1.5x").click()
    video = page.locator("video")
    expect(video).to_have_attribute("src", f"{congress.origin}/files/talk-eng.webm")
    expect(page.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    assert eventually(lambda: video.evaluate("v => v.currentTime") > 1.5)
    assert video.evaluate("v => v.playbackRate") == 1.5
    video.evaluate("v => v.pause()")  # a pause saves the position
    saved = eventually(lambda: Entry.objects.get(talk=congress.talk).resume_seconds)
    assert saved and saved >= 1
    video.evaluate("v => v.play()")
    # Played to its end: marked watched, as a YouTube talk is.
    expect(page.get_by_text("Marked watched today.")).to_be_visible(timeout=10_000)
    assert eventually(lambda: Entry.objects.get(talk=congress.talk).status == "watched")
    context.close()
    assert errors == [], errors


def test_the_talks_own_language_plays_for_other_browsers(browser, live_server, congress):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                  service_workers="block")  # fmt: skip
    context.route("https://**/*", lambda route: route.abort())
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(congress.talk.get_absolute_url())
    scripts_ready(page)
    page.get_by_role("button", name="Play here").click()
    expect(page.locator("video")).to_have_attribute("src", f"{congress.origin}/files/talk-deu.webm")
    # The person chooses English: the link plays that file.
    page.get_by_role("link", name="English").click()  # to #play: the player starts
    expect(page.locator("video")).to_have_attribute("src", f"{congress.origin}/files/talk-eng.webm")
    context.close()
    assert errors == [], errors
