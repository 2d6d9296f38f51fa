"""New for you: a talk a person queued or waited for gets its recording, and they are told
on the site (planner.news), in the transaction that brought the recording."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from planner import news, queue
from planner.models import News, Profile, Waiting
from sessions import feeds
from tests.conftest import page_text
from tests.sources import serve
from tests.test_import_formats import SAMPLES


@pytest.fixture
def youtube(settings):
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    source, stop = serve("/feeds/videos.xml")
    source.serve((SAMPLES / "youtube-feed.xml").read_bytes())
    yield source
    stop()


def header(client) -> str:
    """The header's "New" link, as a person reads it ("" when there is none)."""
    found = re.search(r'<li class="nav-news">(.*?)</li>', client.get("/queue/").content.decode())
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found[1])).split()) if found else ""


def test_a_queued_talk_that_gets_its_recording_is_new_for_you(
    exc24, youtube, alice, alice_client, bob
):
    solder = exc24["Soldering for everyone"]
    queue.track(alice, solder)
    assert header(alice_client) == ""
    page = page_text(alice_client.get(solder.get_absolute_url()))
    assert "It's in your queue: you'll be told when it's out." in page

    feeds.refresh_feed(feeds.add(solder.conference, youtube.url))  # the feed brings it

    assert header(alice_client) == "New 1 for you"  # the kept queue page was drawn again
    page = page_text(alice_client.get("/new/"))
    assert "Soldering for everyone" in page and "Mark 1 as seen" in page
    other = Client()
    other.force_login(bob)
    assert header(other) == "" and "Soldering for everyone" not in page_text(other.get("/new/"))

    page = page_text(alice_client.post("/new/seen/", {"next": "/new/"}, follow=True))
    assert "Marked 1 as seen." in page and "Mark 1 as seen" not in page
    assert "Soldering for everyone" in page  # still listed, no longer new
    assert header(alice_client) == ""


def test_tell_me_when_its_out_and_the_schedule_brings_it(exc24, alice, alice_client):
    talk = exc24["Ein Blick unter die Haube: Größenordnungen"]
    page = page_text(alice_client.get(talk.get_absolute_url()))
    assert "No recording yet" in page and "Tell me when it's out" in page
    url = f"/talks/{talk.pk}/tell-me/"
    page = page_text(alice_client.post(url, {"wait": "yes", "next": talk.get_absolute_url()},
                                       follow=True))  # fmt: skip
    assert "We'll tell you when “Ein Blick unter die Haube: Größenordnungen” is out" in page
    assert "We'll tell you when it's out. Don't tell me" in page
    assert Waiting.objects.filter(user=alice, talk=talk).exists()

    # media.ccc.de publishes it: the import that brings the recording brings the news.
    call_command("import_catalog", str(SAMPLES / "mediaccc.json"), stdout=StringIO())
    assert list(News.objects.filter(user=alice).values_list("talk__title", flat=True)) == [
        talk.title
    ]
    assert not Waiting.objects.exists()  # told: nothing left to wait for
    assert Profile.objects.get(user=alice).news_unseen == 1
    assert header(alice_client) == "New 1 for you"
    call_command("import_catalog", str(SAMPLES / "mediaccc.json"), stdout=StringIO())
    assert News.objects.count() == 1  # told once


def test_dont_tell_me_and_a_talk_that_is_out(exc24, alice, alice_client, catalog):
    talk = exc24["Soldering for everyone"]
    news.wait(alice, talk, True)
    page = page_text(alice_client.post(f"/talks/{talk.pk}/tell-me/", {"wait": "no"}, follow=True))
    assert "You won't be told about “Soldering for everyone”." in page
    assert not Waiting.objects.exists()
    out = next(t for t in catalog if t.video_ref)
    page = page_text(alice_client.post(f"/talks/{out.pk}/tell-me/", {"wait": "yes"}, follow=True))
    assert f"“{out.title}” is out already." in page
    assert not Waiting.objects.exists()
    assert alice_client.post(f"/talks/{talk.pk}/tell-me/", {"wait": "maybe"}).status_code == 400


def test_the_news_is_written_with_the_recording_or_not_at_all(exc24, alice, monkeypatch):
    talk = exc24["Ein Blick unter die Haube: Größenordnungen"]
    news.wait(alice, talk, True)

    def broken(**kwargs):
        raise RuntimeError("the news could not be written")

    monkeypatch.setattr(news, "recount", lambda users: broken())
    with pytest.raises(RuntimeError):
        call_command("import_catalog", str(SAMPLES / "mediaccc.json"), stdout=StringIO())
    talk.refresh_from_db()
    assert talk.video_ref == ""  # the recording went back with the news
    assert not News.objects.exists() and Waiting.objects.exists()


def test_new_for_you_when_nothing_is_new(alice_client):
    page = page_text(alice_client.get("/new/"))
    assert "Nothing yet. On a talk with no recording, press Tell me when it's out" in page
    assert alice_client.post("/new/seen/", follow=True).status_code == 200


def card_of(client, talk) -> str:
    page = client.get("/?conference=exc24").content.decode()
    return re.search(rf'<li class="card" id="talk-{talk.pk}">.*?</li>', page, re.S)[0]


def test_tell_me_from_a_card(exc24, alice, alice_client):
    talk, queued = (
        exc24["Ein Blick unter die Haube: Größenordnungen"],
        exc24["Soldering for everyone"],
    )
    queue.track(alice, queued)
    card = card_of(alice_client, talk)
    assert "No recording yet" in card and ">Tell me when it&#x27;s out</button>" in card
    assert "/tell-me/" not in card_of(alice_client, queued)  # told anyway

    response = alice_client.post(
        f"/talks/{talk.pk}/tell-me/", {"wait": "yes", "next": f"/?conference=exc24#talk-{talk.pk}"}
    )
    assert response.headers["Location"] == f"/?conference=exc24#talk-{talk.pk}"  # at the card
    response = alice_client.get("/?conference=exc24")
    assert "We'll tell you when “Ein Blick" in page_text(response)
    card = card_of(alice_client, talk)
    assert "We&#x27;ll tell you." in card and ">Don&#x27;t tell me</button>" in card


def test_the_home_page_lists_what_is_new_at_one_query(exc24, alice, alice_client):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    talk = exc24["Ein Blick unter die Haube: Größenordnungen"]
    news.wait(alice, talk, True)
    call_command("import_catalog", str(SAMPLES / "mediaccc.json"), stdout=StringIO())
    alice_client.get("/")  # the caches of the catalog's version filled
    caches["kept"].clear()
    with CaptureQueriesContext(connection) as with_news:
        page = page_text(alice_client.get("/"))
    assert "New for you Out now, of the talks you waited for · See them all " in page
    assert f"{talk.title} Watch" in page
    news.seen(alice)
    caches["kept"].clear()
    with CaptureQueriesContext(connection) as without:
        page = page_text(alice_client.get("/"))
    assert "Out now, of the talks you waited for" not in page
    assert len(with_news) == len(without) + 1
