"""Every video host behind one module: recognising links, opening them at a second, and
what pages say when a talk has a video elsewhere than YouTube, or none yet."""

import pytest

from planner import queue, sharing
from planner.models import Entry, RecommendedList
from sessions import video
from sessions.models import Talk
from tests.test_import_formats import PYVIDEO, SAMPLES, run


@pytest.mark.parametrize(
    ("url", "provider", "reference"),
    [
        ("https://www.youtube.com/watch?v=RfvL_423a-I", "youtube", "RfvL_423a-I"),
        ("https://youtu.be/RfvL_423a-I?t=90", "youtube", "RfvL_423a-I"),
        ("https://youtube.com/live/mIguuYMFbh0", "youtube", "mIguuYMFbh0"),
        ("https://www.youtube-nocookie.com/embed/RfvL_423a-I", "youtube", "RfvL_423a-I"),
        ("http://vimeo.com/56881481", "vimeo", "56881481"),
        ("https://player.vimeo.com/video/56881481", "vimeo", "56881481"),
        ("https://media.ccc.de/v/38c3-12345-a-talk#t=30", "mediaccc", "38c3-12345-a-talk"),
        ("https://archive.org/details/pycon-2019-x", "archive", "https://archive.org/details/pycon-2019-x"),
        ("https://cdn.example.org/talks/a.mp4", "file", "https://cdn.example.org/talks/a.mp4"),
        ("https://tube.example.org/w/9c9de5e8-0a1b-484a-b099-e80766180a6d", "peertube",
         "https://tube.example.org/w/9c9de5e8-0a1b-484a-b099-e80766180a6d"),
    ],
)  # fmt: skip
def test_a_video_link_becomes_a_provider_and_a_reference(url, provider, reference):
    assert video.recording_from_url(url) == video.Recording(provider, reference)


@pytest.mark.parametrize(
    "url",
    ["https://youtu.be/RfvL_423a-I", "https://www.youtube.com/watch?v=RfvL_423a-I",
     "https://youtube.com/watch?v=RfvL_423a-I", "https://youtu.be/RfvL_423a-Ix",
     "https://www.youtube.com/watch?v=RfvL_423a-I&t=3", "https://youtu.be/RfvL_423a-I/",
     "https://www.youtube.com/watch?v=RfvL_423a-", "https://YOUTU.BE/RfvL_423a-I"],
)  # fmt: skip
def test_the_plain_youtube_shapes_read_without_parsing_agree_with_parsing(url):
    from urllib.parse import urlparse

    assert video.id_from_url(url) == video._youtube_id(urlparse(url))
    parsed = video._youtube_id(urlparse(url))
    assert video.recording_from_url(url) == (parsed and video.Recording("youtube", parsed))


@pytest.mark.parametrize(
    "url",
    ["https://example.org/slides.pdf", "https://www.youtube.com/watch?v=short", "ftp://x/a.mp4",
     "https://vimeo.com/channels/staffpicks", "javascript:alert(1)", ""],
)  # fmt: skip
def test_other_links_are_not_videos(url):
    assert video.recording_from_url(url) is None


@pytest.mark.parametrize(
    ("provider", "reference", "link"),
    [
        ("youtube", "RfvL_423a-I", "https://youtu.be/RfvL_423a-I?t=754"),
        ("vimeo", "56881481", "https://vimeo.com/56881481#t=754s"),
        ("mediaccc", "38c3-1-x", "https://media.ccc.de/v/38c3-1-x#t=754"),
        ("peertube", "https://tube.example.org/w/abcdef", "https://tube.example.org/w/abcdef?start=754s"),
        ("file", "https://cdn.example.org/a.mp4", "https://cdn.example.org/a.mp4#t=754"),
        ("archive", "https://archive.org/details/x", "https://archive.org/details/x"),
    ],
)  # fmt: skip
def test_each_host_opens_at_a_second_where_its_links_can_say_so(provider, reference, link):
    assert video.link_at(provider, reference, 754) == link
    assert video.link_at(provider, reference, None) == link.split("#")[0].split("?")[0]


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://i.ytimg.com/vi/x/hqdefault.jpg", "https://i.ytimg.com/vi/x/hqdefault.jpg"),
        ("http://static.media.ccc.de/media/a.jpg", "https://static.media.ccc.de/media/a.jpg"),
        ("https://evil.example.net/pixel.gif", ""),
        ("data:image/gif;base64,AAAA", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_only_thumbnails_from_the_allowed_hosts_are_kept(url, kept):
    assert video.allowed_thumbnail(url) == kept


@pytest.mark.django_db
def test_a_shared_list_names_each_host_and_says_when_there_is_no_video(alice, client):
    run(SAMPLES / "schedule.xml")
    run(SAMPLES / "mediaccc.json")
    run(PYVIDEO)
    rlist = RecommendedList.objects.create(user=alice, title="Mixed")
    for key in ("decorators-all-the-way-down", "0b4f5c1e-7d2a-5e63-8f11-3a2b4c5d6e01",
                "0b4f5c1e-7d2a-5e63-8f11-3a2b4c5d6e02"):  # fmt: skip
        sharing.add_item(rlist, Talk.objects.get(source_key=key))
    html = client.get(f"/s/{sharing.publish(rlist)}/").content.decode()
    assert ">Watch on YouTube</a>" in html
    assert ">Watch on media.ccc.de</a>" in html
    assert 'href="https://media.ccc.de/v/exc24-101-ein-blick-unter-die-haube"' in html
    assert '<span class="no-video">No recording yet</span>' in html
    assert "Watch on youtube" not in html and 'href=""' not in html


@pytest.mark.django_db
def test_no_resume_link_to_nowhere_while_a_talk_has_no_video(alice, alice_client):
    run(SAMPLES / "schedule.xml")
    talk = Talk.objects.get(source_key="0b4f5c1e-7d2a-5e63-8f11-3a2b4c5d6e02")
    entry = queue.track(alice, talk, Entry.Status.WATCHING)
    entry.resume_seconds = 300
    entry.save()
    for url in ("/", "/queue/", talk.get_absolute_url()):
        html = alice_client.get(url).content.decode()
        assert 'href=""' not in html and "Resume 5:00</a>" not in html, url
        assert "No recording yet" in html, url
        assert 'class="thumb' not in html, url  # no picture, and no empty box for one
