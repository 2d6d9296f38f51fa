"""Add a talk found anywhere: by its link, the host asked (a stand-in on loopback), the
person corrects it, and it is in the catalog and their queue; never twice."""

from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from planner.models import Entry
from sessions import fetch, lookup, video
from sessions.models import FoundTalk, Recording, Talk
from tests import found_hosts
from tests.conftest import PASSWORD
from tests.found_hosts import YOUTUBE_ID

LINK = f"https://youtu.be/{YOUTUBE_ID}"
TITLE = "Queues all the way down: back-pressure in practice"


@pytest.fixture(scope="module")
def hosts():
    server, endpoints = found_hosts.start()
    yield endpoints
    server.shutdown()


@pytest.fixture(autouse=True)
def stand_in(settings, hosts):
    settings.VIDEO_LOOKUP_ENDPOINTS = hosts
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True  # the stand-in is on loopback


def add(client, **fields):
    data = {"url": LINK, "title": TITLE, "speaker": "Example Conf", "minutes": "", **fields}
    return client.post("/add/", data)


def test_paste_a_link_see_the_title_and_it_is_queued(alice_client, alice):
    page = alice_client.get("/add/")
    assert "Link to the video" in page.content.decode()
    response = alice_client.get("/add/", {"url": LINK})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Is this it?" in html and f'value="{TITLE}"' in html
    assert 'value="Example Conf"' in html

    response = add(alice_client)
    talk = Talk.objects.get(title=TITLE)
    assert response.status_code == 302 and response["Location"] == talk.get_absolute_url()
    assert talk.conference.name == "Found by people"
    assert (talk.video_provider, talk.video_ref) == ("youtube", YOUTUBE_ID)
    assert list(talk.recordings.values_list("provider", "reference")) == [("youtube", YOUTUBE_ID)]
    entry = Entry.objects.get(user=alice, talk=talk)
    assert entry.in_queue
    found = FoundTalk.objects.get(talk=talk)
    assert found.added_by == alice and not found.credited
    page = alice_client.get(talk.get_absolute_url()).content.decode()
    assert "Added “Queues all the way down" in page and "Added by" not in page


def test_the_same_link_again_is_already_in_the_queue(alice_client, alice):
    add(alice_client)
    html = alice_client.get("/add/", {"url": f"https://www.youtube.com/watch?v={YOUTUBE_ID}"})
    assert "Already in your queue" in html.content.decode()
    add(alice_client)  # a second tab still showing the form: nothing twice
    assert Talk.objects.filter(title=TITLE).count() == 1
    assert Entry.objects.filter(user=alice).count() == 1


def test_a_link_of_a_catalog_talk_is_that_talk(alice_client, alice, catalog):
    vogels = Talk.objects.get(title="Werner Vogels - CTO AWS")
    html = alice_client.get("/add/", {"url": f"https://youtu.be/{vogels.video_ref}"}).content
    assert "It's in the catalog" in html.decode() and vogels.title in html.decode()
    count = Talk.objects.count()
    response = add(alice_client, url=f"https://youtu.be/{vogels.video_ref}", title="Other")
    assert response["Location"] == vogels.get_absolute_url()
    assert Talk.objects.count() == count
    assert Entry.objects.get(user=alice, talk=vogels).in_queue


def test_a_host_that_does_not_answer_lets_the_person_type_the_title(alice_client, alice):
    link = "https://youtu.be/downdowndow"
    html = alice_client.get("/add/", {"url": link}).content.decode()
    assert "YouTube did not answer" in html and "Type the title and go on" in html
    assert f'value="{link}"' in html
    response = add(alice_client, url=link, title="  The talk a friend sent  ", minutes="45")
    talk = Talk.objects.get(title="The talk a friend sent")
    assert response.status_code == 302
    assert talk.duration_seconds == 45 * 60
    assert Entry.objects.get(user=alice, talk=talk).in_queue


def test_vimeo_mediaccc_and_peertube_are_asked_too(alice_client):
    vimeo = alice_client.get("/add/", {"url": "https://vimeo.com/123456789"}).content.decode()
    assert 'value="Latency budgets for humans"' in vimeo and 'value="45"' in vimeo  # 2,710 s
    ccc = alice_client.get("/add/", {"url": "https://media.ccc.de/v/39c3-1234-memory-safety"})
    assert 'value="Ada Example and Grace Sample"' in ccc.content.decode()
    tube = alice_client.get("/add/", {"url": "https://tube.example.org/w/9c9de5e8-0a1b"})
    assert 'value="Self-hosting video, the hard parts"' in tube.content.decode()


def test_a_link_we_do_not_know_is_refused_in_words(alice_client):
    response = alice_client.get("/add/", {"url": "https://example.org/some/page"})
    assert response.status_code == 400
    assert "We can&#x27;t open videos from example.org yet" in response.content.decode()
    response = add(alice_client, url="ftp://example.org/a.mp4")
    assert response.status_code == 400
    assert not Talk.objects.exists()


def test_a_shared_text_and_a_signed_out_share_keep_the_link(client, alice):
    shared = f"Watch this one! {LINK}"
    response = client.get("/add/", {"text": shared, "title": "YouTube"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(alice)
    back = client.get(unquote(response["Location"].split("next=")[1]))
    assert back.status_code == 200
    assert f'value="{TITLE}"' in back.content.decode()


def test_credit_is_given_only_when_asked(alice_client, client, alice):
    add(alice_client, credit="on")
    talk = Talk.objects.get(title=TITLE)
    assert "Added by alice" in client.get(talk.get_absolute_url()).content.decode()


def test_others_find_and_queue_an_added_talk(alice_client, bob):
    add(alice_client)
    bob_client = Client()
    bob_client.force_login(bob)
    assert TITLE in bob_client.get("/", {"q": "back-pressure"}).content.decode()
    talk = Talk.objects.get(title=TITLE)
    bob_client.post(f"/talks/{talk.pk}/track/", {"status": "queued"})
    assert Entry.objects.get(user=bob, talk=talk).in_queue


def test_thirty_added_talks_an_hour(alice_client, settings):
    settings.ADDED_TALKS_PER_HOUR = 1
    add(alice_client)
    response = add(alice_client, url="https://youtu.be/abcdefghijk", title="Second")
    assert response.status_code == 429
    assert "You added 1 talk this hour" in response.content.decode()
    assert not Talk.objects.filter(title="Second").exists()


def test_a_person_can_put_it_in_a_conference(alice_client, catalog):
    reinvent = Talk.objects.first().conference
    add(alice_client, conference=str(reinvent.pk))
    assert Talk.objects.get(title=TITLE).conference == reinvent


def test_signed_out_people_are_sent_to_sign_in(client, db):
    assert client.post("/add/", {"url": LINK, "title": "x"}).status_code == 302
    assert not Talk.objects.exists()


def test_the_lookup_reads_each_hosts_answer():
    recording = video.Recording("vimeo", "1")
    found = lookup.read(recording, b'{"title": "T", "author_name": "A", "duration": 600}')
    assert (found.title, found.speaker_name, found.duration_seconds) == ("T", "A", 600)
    with pytest.raises(lookup.LookupFailed, match="did not give this video's title"):
        lookup.read(recording, b'{"author_name": "A"}')
    with pytest.raises(lookup.LookupFailed, match="could not read"):
        lookup.read(recording, b"<html>")
    evil = lookup.read(recording, b'{"title": "<b>x</b><script>y</script>", "thumbnail_url": '
                                  b'"https://evil.example/x.jpg", "duration": true}')  # fmt: skip
    assert evil.title == "x" and evil.thumbnail_url == "" and evil.duration_seconds is None
    assert lookup.request_url(video.Recording("archive", "https://archive.org/details/x")) is None


HOSTS = st.sampled_from(
    ["localhost", "127.0.0.1", "10.0.0.8", "169.254.169.254", "[::1]", "192.168.1.20",
     "tube.internal", "0x7f000001", "2130706433", "metadata.google.internal"]
)  # fmt: skip


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(host=HOSTS, path=st.from_regex(r"/w/[A-Za-z0-9-]{6,20}", fullmatch=True),
       port=st.sampled_from(["", ":80", ":8080", ":5432"]))  # fmt: skip
def test_fuzzed_links_never_reach_a_private_address(host, path, port, monkeypatch, settings):
    """Whatever a person pastes, the lookup goes through sessions.fetch, which refuses
    every name that resolves to a private address (here: every name)."""
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = False
    settings.VIDEO_LOOKUP_ENDPOINTS = {}
    monkeypatch.setattr(fetch, "_addresses", lambda name, p: ["10.1.2.3", "127.0.0.1"])

    def never(*args, **kwargs):
        raise AssertionError("connected to a private address")

    monkeypatch.setattr(fetch, "_open", never)
    recording = video.recording_from_url(f"https://{host}{port}{path}")
    if recording is None:
        return
    with pytest.raises(lookup.LookupFailed, match="did not answer"):
        lookup.lookup(recording)
    if url := lookup.request_url(recording):
        with pytest.raises(fetch.FetchError, match="private or local address"):
            fetch.fetch(url)


def test_a_new_person_can_add_a_talk_too(client, db):
    User.objects.create_user("newcomer", "n@example.com", PASSWORD)
    client.force_login(User.objects.get(username="newcomer"))
    assert add(client).status_code == 302
    assert Recording.objects.filter(reference=YOUTUBE_ID).count() == 1


@pytest.mark.parametrize(
    ("link", "second"),
    [
        (f"https://youtu.be/{YOUTUBE_ID}?t=754", 754),
        (f"https://www.youtube.com/watch?v={YOUTUBE_ID}&t=12m34s", 754),
        (f"https://www.youtube.com/watch?v={YOUTUBE_ID}#t=1h2m3s", 3723),
        ("https://media.ccc.de/v/39c3-1234-memory-safety#t=90", 90),
        (f"https://youtu.be/{YOUTUBE_ID}?t=0", None),
        (f"https://youtu.be/{YOUTUBE_ID}?t=soon", None),
        (f"https://youtu.be/{YOUTUBE_ID}", None),
    ],
)
def test_a_link_shared_at_a_moment_starts_there(link, second):
    assert video.start_from_url(link) == second


def test_an_added_talk_shared_at_a_moment_is_ready_to_play_from_there(alice_client, alice):
    response = add(alice_client, url=f"https://youtu.be/{YOUTUBE_ID}?t=754")
    entry = Entry.objects.get(user=alice, talk__title=TITLE)
    assert entry.status == Entry.Status.WATCHING and entry.resume_seconds == 754
    assert entry.in_queue
    page = alice_client.get(response["Location"]).content.decode()
    assert "queued it to start at 12:34" in page
