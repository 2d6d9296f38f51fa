"""YouTube channel and playlist feeds: read, matched to a conference's talks, attached,
refreshed; the unmatched left to staff."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from planner import background
from sessions import feeds, matching, refresh, schedule, video
from sessions.catalog import CatalogError
from sessions.models import Conference, Feed, FeedVideo, Recording, Talk
from sessions.readers import read_bytes
from sessions.readers.youtube_feed import read_feed
from tests.conftest import page_text
from tests.sources import serve
from tests.test_import_formats import SAMPLES

FEED = (SAMPLES / "youtube-feed.xml").read_bytes()
EXC24 = {1: "Ein Blick unter die Haube: Größenordnungen", 2: "Lightning Talks",
         3: "Lightning Talks", 4: "Soldering for everyone"}  # fmt: skip
NOISE = ["Example Chaos Congress 2024", "exc24"]


# Reading -----------------------------------------------------------------------------


def test_a_feed_is_read_into_its_videos():
    feed = read_feed(FEED)
    assert feed.title == "Example Chaos Congress 2024 (recordings)"
    assert [v.video_id for v in feed.videos] == [
        "exc24OpenXY", "exc24LightA", "exc24Solder", "exc24Haube1",
    ]  # fmt: skip
    solder = feed.videos[2]
    assert solder.title == "exc24 - Soldering for everyone - Ada Beispiel"
    assert solder.published == datetime.datetime(2024, 12, 29, 12, 30, tzinfo=datetime.UTC)
    assert solder.description.startswith("Your first kit, start to finish.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><title>x", "not well-formed XML"),
        (b"<rss><channel/></rss>", "expected a YouTube feed"),
        (b'<!DOCTYPE feed [<!ENTITY a "b">]><feed/>', "entities or a DTD"),
    ],
)
def test_a_broken_feed_is_refused_with_where(data, message):
    with pytest.raises(CatalogError, match=message):
        read_feed(data)


def test_a_feed_imported_on_its_own_is_a_conference_of_its_videos():
    parsed = read_bytes(FEED)  # told from the content
    assert parsed.format == "youtube-feed"
    assert parsed.title == "Example Chaos Congress 2024 (recordings)" and parsed.year == 2024
    assert [t.key for t in parsed.talks] == [
        "exc24Haube1", "exc24Solder", "exc24LightA", "exc24OpenXY",
    ]  # oldest first  # fmt: skip
    assert parsed.talks[1].recordings[0].reference == "exc24Solder"
    assert parsed.talks[1].held_on == datetime.date(2024, 12, 29)


# Matching, a pure rule ---------------------------------------------------------------


def test_titles_match_through_a_conference_prefix_and_speaker_suffix():
    videos = {v.video_id: v.title for v in read_feed(FEED).videos}
    assert matching.match(videos, EXC24, NOISE) == {"exc24Solder": 4, "exc24Haube1": 1}


@pytest.mark.parametrize(
    "upload",
    [
        "AWS re:Invent 2022 - Beyond five 9s: Lessons from our highest available data planes "
        "(ARC310)",
        "Beyond Five 9s - Lessons From Our Highest Available Data Planes | AWS re:Invent 2022",
        "AWS re:Invent 2022 - Beyond five 9s: Lessons from our highest-available data planes",
    ],
)  # fmt: skip
def test_an_aws_upload_finds_its_breakout(upload):
    talks = {
        1: "Beyond five 9s: Lessons from our highest available data planes",
        2: "Operating highly available Multi-AZ applications",
        3: "Scaling on AWS for your first 10 million users",
    }
    assert matching.match({"v": upload}, talks, ["AWS re:Invent 2022", "re:Invent"]) == {"v": 1}


@pytest.mark.parametrize(
    "upload",
    [
        "exc24 - Soldering for beginners",  # another talk, not this one
        "exc24 - Lightning Talks",  # two talks have that title: staff decide
        "exc24 - Opening",
    ],
)
def test_a_near_miss_or_a_tie_is_never_attached(upload):
    assert matching.match({"v": upload}, EXC24, NOISE) == {}


def test_two_uploads_of_one_talk_leave_it_to_staff():
    videos = {"a": "exc24 - Soldering for everyone", "b": "Soldering for everyone | exc24"}
    assert matching.match(videos, EXC24, NOISE) == {}


# Attached to a conference ------------------------------------------------------------


@pytest.fixture
def exc24(db):
    call_command("import_catalog", str(SAMPLES / "schedule.xml"), stdout=StringIO())
    return Conference.objects.get(slug="exc24")


@pytest.fixture
def youtube(settings):
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    source, stop = serve("/feeds/videos.xml")
    source.serve(FEED)
    yield source
    stop()


def test_a_feed_attaches_the_videos_it_can_name_and_lists_the_rest(exc24, youtube):
    feed = feeds.add(exc24, youtube.url)
    outcome = feeds.refresh_feed(feed)
    assert outcome.ok
    assert outcome.lines == [
        "Example Chaos Congress 2024 (recordings): 4 new videos, 2 attached to talks, "
        "2 for staff to place"
    ]
    solder = Talk.objects.get(title="Soldering for everyone")
    assert (solder.video_provider, solder.video_ref) == ("youtube", "exc24Solder")
    assert Recording.objects.filter(talk=solder, reference="exc24Solder").exists()
    states = dict(FeedVideo.objects.values_list("video_id", "state"))
    assert states == {
        "exc24OpenXY": "unmatched", "exc24LightA": "unmatched",
        "exc24Solder": "matched", "exc24Haube1": "matched",
    }  # fmt: skip
    assert not Talk.objects.filter(title="Lightning Talks").exclude(video_ref="").exists()

    again = feeds.refresh_feed(Feed.objects.get(pk=feed.pk))
    assert again.lines == [
        "Example Chaos Congress 2024 (recordings): unchanged (the source said so)"
    ]
    assert FeedVideo.objects.count() == 4 and Recording.objects.count() == 2


def test_a_talk_that_has_a_recording_keeps_it(exc24, youtube):
    solder = Talk.objects.get(title="Soldering for everyone")
    Recording.objects.create(talk=solder, provider="youtube", reference="OtherVideo1", position=0)
    Talk.objects.filter(pk=solder.pk).update(video_provider="youtube", video_ref="OtherVideo1")
    feeds.refresh_feed(feeds.add(exc24, youtube.url))
    solder.refresh_from_db()
    assert solder.video_ref == "OtherVideo1"
    assert FeedVideo.objects.get(video_id="exc24Solder").state == "unmatched"


def test_staff_place_what_the_feed_could_not(exc24, youtube):
    feed = feeds.add(exc24, youtube.url)
    feeds.refresh_feed(feed)
    lightning = Talk.objects.filter(title="Lightning Talks").order_by("position").last()
    feeds.attach(FeedVideo.objects.get(video_id="exc24LightA"), lightning)
    lightning.refresh_from_db()
    assert lightning.video_ref == "exc24LightA"
    opening = feeds.add_as_talk(FeedVideo.objects.get(video_id="exc24OpenXY"))
    assert (
        opening.conference == exc24 and opening.title == "exc24 - Opening: welcome to the congress"
    )
    assert opening.video_ref == "exc24OpenXY"
    states = dict(FeedVideo.objects.values_list("video_id", "state"))
    assert states["exc24LightA"] == "attached" and states["exc24OpenXY"] == "added"


def test_feeds_are_refreshed_on_the_conferences_schedule(exc24, youtube):
    feed = feeds.add(exc24, youtube.url)
    assert feed in refresh.due_feeds(feed.imported_at + schedule.WEEK)
    assert refresh.due_feeds(feed.imported_at) == []
    queued = refresh.enqueue_due(feed.imported_at + schedule.WEEK)
    assert feed.pk in [q.pk for q in queued if isinstance(q, Feed)]
    youtube.status = 500
    outcome = feeds.refresh_feed(feed)
    assert not outcome.ok and "500" in Feed.objects.get(pk=feed.pk).error


def test_a_feed_that_is_not_one_is_refused_when_added(exc24, youtube):
    youtube.serve((SAMPLES / "schedule.xml").read_bytes())
    with pytest.raises(CatalogError, match="expected a YouTube feed"):
        feeds.add(exc24, youtube.url, check=True)
    assert not Feed.objects.exists()


def test_refresh_catalogs_reads_a_conferences_feeds_too(exc24, youtube):
    feeds.add(exc24, youtube.url)
    out = StringIO()
    call_command("refresh_catalogs", "exc24", stdout=out)
    assert out.getvalue() == (
        "Example Chaos Congress 2024 (recordings): 4 new videos, 2 attached to talks, "
        "2 for staff to place\n"
    )
    out = StringIO()
    call_command("refresh_catalogs", "--all", stdout=out)
    assert "unchanged (the source said so)" in out.getvalue()


def test_a_feed_imported_on_its_own_by_its_address(db, youtube):
    out = StringIO()
    call_command("import_catalog", youtube.url, stdout=out)
    assert "4 talks created" in out.getvalue()
    conference = Conference.objects.get(source_format="youtube-feed")
    assert conference.talks.exclude(video_ref="").count() == 4
    assert refresh.refresh(conference).lines == [
        "Example Chaos Congress 2024 (recordings): 0 talks created, 0 updated, 4 unchanged, "
        "0 skipped"
    ]


# What staff do on the conference page ------------------------------------------------


def test_staff_add_a_feed_and_place_what_it_could_not(staff_client, exc24, youtube):
    page = page_text(staff_client.get("/conferences/exc24/"))
    assert "YouTube feeds" in page and "A feed lists only the latest 15 uploads" in page

    response = staff_client.post("/conferences/exc24/feeds/", {"url": youtube.url}, follow=True)
    page = page_text(response)
    assert ("Example Chaos Congress 2024 (recordings): 4 new videos, 2 attached to talks, "
            "2 for staff to place") in page  # fmt: skip
    assert "Uploads to place (2)" in page
    assert "exc24 - Lightning Talks" in page and "exc24 - Opening: welcome to the congress" in page
    assert "Read again by itself, weekly for now." in page

    lightning = Talk.objects.filter(title="Lightning Talks").order_by("position").first()
    upload = FeedVideo.objects.get(video_id="exc24LightA")
    url = f"/conferences/exc24/uploads/{upload.pk}/"
    page = page_text(staff_client.post(url, {f"u{upload.pk}-action": "attach"}, follow=True))
    assert "“exc24 - Lightning Talks” not placed: choose the talk it is." in page
    data = {f"u{upload.pk}-action": "attach", f"u{upload.pk}-talk": lightning.pk}
    page = page_text(staff_client.post(url, data, follow=True))
    assert "“exc24 - Lightning Talks” is now the recording of “Lightning Talks”." in page
    assert "Uploads to place (1)" in page
    assert staff_client.post(url, data).status_code == 404  # placed already

    opening = FeedVideo.objects.get(video_id="exc24OpenXY")
    data = {f"u{opening.pk}-action": "add"}
    page = page_text(staff_client.post(f"/conferences/exc24/uploads/{opening.pk}/", data,
                                     follow=True))  # fmt: skip
    assert "Added “exc24 - Opening: welcome to the congress” as a new talk." in page
    assert "Uploads to place" not in page
    assert Talk.objects.get(video_ref="exc24OpenXY").conference.slug == "exc24"


def test_an_address_that_is_not_a_feed_is_not_added(staff_client, exc24, youtube):
    youtube.serve((SAMPLES / "schedule.xml").read_bytes())
    page = page_text(staff_client.post("/conferences/exc24/feeds/", {"url": youtube.url},
                                     follow=True))  # fmt: skip
    assert "Not added: line 1: expected a YouTube feed (Atom <feed>), found <schedule>" in page
    page = page_text(staff_client.post("/conferences/exc24/feeds/", {"url": "not a url"},
                                     follow=True))  # fmt: skip
    assert "Not added: Enter a valid URL." in page
    assert not Feed.objects.exists()


def test_staff_pause_a_feed(staff_client, exc24, youtube):
    feed = feeds.add(exc24_of(), youtube.url)
    url = f"/conferences/exc24/feeds/{feed.pk}/source/"
    page = page_text(staff_client.post(url, {"refresh": "pause"}, follow=True))
    assert "Automatic refresh paused: the feed is read only when you press Refresh now." in page
    assert refresh.due_feeds(feed.imported_at + 2 * schedule.GIVE_UP_AFTER) == []
    page = page_text(staff_client.post(f"/conferences/exc24/feeds/{feed.pk}/refresh/",
                                     follow=True))  # fmt: skip
    assert "4 new videos, 2 attached to talks" in page
    assert staff_client.post("/conferences/aws-reinvent-2022/feeds/1/refresh/").status_code == 404


def exc24_of() -> Conference:
    return Conference.objects.get(slug="exc24")


@pytest.mark.parametrize("uploads", [2, 12])
def test_the_staff_page_query_count_is_constant(staff_client, exc24, youtube, uploads,
                                                django_assert_num_queries):  # fmt: skip
    feed = feeds.add(exc24_of(), youtube.url)
    for n in range(uploads):
        FeedVideo.objects.create(feed=feed, video_id=f"upload{n:05d}", title=f"Upload {n}",
                                 state=FeedVideo.State.UNMATCHED)  # fmt: skip
    # session with its person, conference with counts, its days, feeds, uploads, open
    # talks, tracks (imported from a file: no source of its own)
    with django_assert_num_queries(7):
        staff_client.get("/conferences/exc24/")


def test_a_feed_conference_that_outgrew_its_feed_is_still_refreshed(db, youtube, make_talks):
    call_command("import_catalog", youtube.url, stdout=StringIO())
    conference = Conference.objects.get(source_format="youtube-feed")
    make_talks(60, conference.slug)  # earlier uploads, long gone from the feed's 15
    youtube.serve(FEED.replace(b"Soldering for everyone", b"Soldering for all"))
    outcome = refresh.refresh(conference)
    assert outcome.ok, outcome.lines
    assert "1 updated" in outcome.lines[0]


def test_the_clocks_beat_queues_a_due_feed_and_says_so(exc24, youtube, caplog):
    feed = feeds.add(exc24, youtube.url)
    Feed.objects.filter(pk=feed.pk).update(next_at=feed.imported_at)
    caplog.set_level("INFO", logger="planner.background")
    assert [q.pk for q in background.tick()] == [feed.pk]
    assert "Queued a refresh of exc24's feed" in caplog.text


@pytest.mark.parametrize(
    ("given", "feed"),
    [
        ("https://www.youtube.com/playlist?list=PLhQjrBD2T381WAHyx1pq-sBfykqMBI7V4",
         "https://www.youtube.com/feeds/videos.xml?playlist_id=PLhQjrBD2T381WAHyx1pq-sBfykqMBI7V4"),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ&list=PLexc24exampleplaylist00000000000",
         "https://www.youtube.com/feeds/videos.xml?playlist_id=PLexc24exampleplaylist00000000000"),
        ("https://www.youtube.com/channel/UCd6MoB9NC6uYN2grvUNT-Zg/videos",
         "https://www.youtube.com/feeds/videos.xml?channel_id=UCd6MoB9NC6uYN2grvUNT-Zg"),
        ("https://www.youtube.com/feeds/videos.xml?channel_id=UCd6MoB9NC6uYN2grvUNT-Zg",
         "https://www.youtube.com/feeds/videos.xml?channel_id=UCd6MoB9NC6uYN2grvUNT-Zg"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("http://127.0.0.1:8000/feeds/videos.xml", "http://127.0.0.1:8000/feeds/videos.xml"),
    ],
)  # fmt: skip
def test_what_people_copy_from_youtube_becomes_its_feed(given, feed):
    assert video.feed_url(given) == feed


def test_a_channel_name_is_answered_with_what_to_give_instead(staff_client, exc24):
    response = staff_client.post("/conferences/exc24/feeds/",
                                 {"url": "youtube.com/@examplecongress"}, follow=True)  # fmt: skip
    assert "YouTube gives no feed for a channel's name" in page_text(response)
    assert not Feed.objects.exists()


def test_staff_remove_a_feed_and_keep_what_it_brought(staff_client, exc24, youtube):
    feed = feeds.add(exc24, youtube.url)
    feeds.refresh_feed(feed)
    url = f"/conferences/exc24/feeds/{feed.pk}/remove/"
    page = page_text(staff_client.post(url, follow=True))
    assert ("Removed the feed “Example Chaos Congress 2024 (recordings)”. The recordings it "
            "brought stay.") in page  # fmt: skip
    assert "Uploads to place" not in page
    assert not Feed.objects.exists() and not FeedVideo.objects.exists()
    assert Talk.objects.get(title="Soldering for everyone").video_ref == "exc24Solder"
    assert staff_client.post(url).status_code == 404
