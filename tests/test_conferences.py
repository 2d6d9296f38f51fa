"""Many conferences: their pages, the catalog's filters over them, thumbnails, and the
staff's Add-a-conference page with its preview and Refresh."""

import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from planner import previews
from planner.models import Profile
from sessions import writer
from sessions.models import Conference, Talk
from sessions.readers import read_bytes
from tests.conftest import PASSWORD
from tests.test_import_formats import PYVIDEO, SAMPLES, run, sample


@pytest.fixture
def several(catalog):
    run(SAMPLES / "schedule.xml")
    run(SAMPLES / "mediaccc.json")
    run(PYVIDEO)
    run(SAMPLES / "ytdlp-playlist.json")


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else sample(name))


@pytest.mark.usefixtures("several")
def test_the_conferences_page_lists_each_with_talks_and_hours_of_video(client):
    html = client.get("/conferences/").content.decode()
    names = ["Example Chaos Congress 2024", "Example Cloud Summit 2023 keynotes",
             "AWS re:Invent 2022", "PyCon Example 2019"]  # fmt: skip
    assert [html.index(n) for n in names] == sorted(html.index(n) for n in names)  # newest first
    assert "5 talks" in html and "3.5 hours of video" in html  # 2538 s + 9930 s, real lengths
    assert "13 talks" in html and "13 videos" in html  # the writeup has no lengths
    assert "https://api.media.ccc.de" not in html  # imported from files, no source link


@pytest.mark.usefixtures("several")
def test_the_conferences_page_query_count_is_constant(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # conferences with their counts
        client.get("/conferences/")
    run(SAMPLES / "schedule.json")
    with django_assert_num_queries(1):
        assert "PyExample 2025" in client.get("/conferences/").content.decode()


@pytest.mark.usefixtures("several")
def test_a_conference_page_names_its_tracks_and_links_its_talks(client):
    html = client.get("/conferences/exc24/").content.decode()
    assert "<h1>Example Chaos Congress 2024</h1>" in html
    assert 'href="/?conference=exc24"' in html
    assert "Community (1)" in html and "Hardware (2)" in html
    assert "<dd>media.ccc.de conference (API JSON)</dd>" in html  # the last source read
    assert "Refresh now" not in html and "Kept current" not in html
    assert client.get("/conferences/nope/").status_code == 404


@pytest.mark.usefixtures("several")
@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("conference=pycon-example-2019&language=spa", ["Cadenas Unicode en Python: ñ, é, 漢字"]),
        ("year=2023", ["Opening keynote: the next ten years",
                       "Keynote: Größer, schneller, günstiger"]),
        ("conference=exc24&video=no", ["Lightning Talks", "Lightning Talks"]),
        ("track=Community", ["Lightning Talks"]),
        ("conference=exc24&track=Hardware&video=yes",
         ["Ein Blick unter die Haube: Größenordnungen", "Soldering for everyone"]),
    ],
)  # fmt: skip
def test_catalog_filters_by_conference_year_track_language_and_video(client, query, titles):
    html = client.get(f"/?{query}").content.decode()
    found = [t.title for t in Talk.objects.all() if f">{t.title}</a></h3>" in html]
    assert sorted(set(found)) == sorted(set(titles))
    assert html.count('<li class="card"') == len(titles)
    assert f"{len(titles)} talk" in html


@pytest.mark.usefixtures("several")
def test_an_unknown_filter_value_is_a_clear_error(client):
    response = client.get("/?conference=nope")
    assert response.status_code == 400
    assert "Conference: Select a valid choice." in response.content.decode()


@pytest.mark.usefixtures("several", "no_lazy_loads")
def test_catalog_query_counts_stay_pinned_with_several_conferences(
    client, django_assert_num_queries
):
    # version, topics, filter choices (2), count (first time only), talks, their topics
    with django_assert_num_queries(7):
        client.get("/")
    with django_assert_num_queries(1):  # the version: the signed-out results are in memory
        client.get("/")
    with django_assert_num_queries(3):  # version, ids of the matches, talks (cards drawn above)
        client.get("/?conference=exc24&video=yes")


@pytest.mark.usefixtures("several")
def test_thumbnails_lazy_in_a_fixed_box_and_off_by_a_setting(alice_client, alice, client):
    youtube = Talk.objects.get(source_key="decorators-all-the-way-down")
    vimeo = Talk.objects.get(source_key="async-io-in-practice")
    img = (
        '<span class="thumb" aria-hidden="true"><span class="thumb-poster">Decorators all the '
        'way down</span><img src="https://i.ytimg.com/vi/Zx9Yw8Vu7Ts/maxresdefault.jpg" alt="" '
        'data-poster="Decorators all the way down" loading="lazy" decoding="async" width="320" '
        'height="180"></span>'
    )
    response = client.get("/?conference=pycon-example-2019")
    assert img in response.content.decode()
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://i.ytimg.com https://static.media.ccc.de" in policy
    # A talk page that plays the video shows our own poster (nothing from the host
    # before play); one that links out shows the host's picture.
    assert "i.ytimg.com" not in alice_client.get(youtube.get_absolute_url()).content.decode()
    vimeo_page = alice_client.get(vimeo.get_absolute_url()).content.decode()
    assert 'src="https://i.vimeocdn.com/video/123456789_640.jpg"' in vimeo_page

    response = alice_client.post(
        "/settings/", {"speed_percent": "150", "remote_images": ""}, follow=True
    )
    assert Profile.objects.get(user=alice).remote_images is False
    for url in ("/?conference=pycon-example-2019", vimeo.get_absolute_url()):
        html = alice_client.get(url).content.decode()
        assert "i.ytimg.com" not in html and "i.vimeocdn.com/video" not in html
        assert '<span class="thumb thumb-none" aria-hidden="true"></span>' in html


def test_add_a_conference_is_a_preview_then_an_import(staff_client):
    page = staff_client.get("/conferences/add/").content.decode()
    assert "<h1>Add a conference</h1>" in page
    response = staff_client.post(
        "/conferences/add/", {"file": upload("sessionize.json"), "title": "Example Ops Day 2025"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: Example Ops Day 2025" in html
    assert "<strong>2</strong> new talks" in html and "<strong>1</strong> skipped" in html
    assert "&#x27;Lunch&#x27; is a service session" in html
    assert "Observability without the bill" in html and "Mia Example and Ilya Beispiel" in html
    assert "30:00 at 1.5x" in html  # the length as it will show
    assert not Talk.objects.exists() and not Conference.objects.exists()  # a preview only

    token = html.split('name="token" value="')[1].split('"')[0]
    response = staff_client.post("/conferences/add/", {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == "/conferences/example-ops-day-2025/"
    html = response.content.decode()
    assert "Example Ops Day 2025: 2 talks created, 0 updated, 0 unchanged, 1 skipped" in html
    assert Talk.objects.count() == 2
    again = staff_client.post("/conferences/add/", {"token": token})
    assert again.status_code == 400  # used once
    assert "That preview has expired" in again.content.decode()


def test_a_bad_file_is_refused_naming_the_file_and_the_place(staff_client):
    bad = b'{"schedule": {"conference": {"title": "X", "days": [{"rooms": {"A": [{"title": "T",' \
          b' "guid": "g", "duration": "soon"}]}}]}}}'  # fmt: skip
    response = staff_client.post("/conferences/add/", {"file": upload("mine.json", bad)})
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "mine.json: schedule.conference.days[0].rooms[&#x27;A&#x27;][0].duration: duration" in html
    )
    response = staff_client.post("/conferences/add/", {"file": upload("x.xml", b"<schedule><day>")})
    assert "x.xml: line 1: this is not well-formed XML" in response.content.decode()
    response = staff_client.post("/conferences/add/", {})
    assert "Give either an address or a file" in response.content.decode()
    assert not Conference.objects.exists()


def test_an_upload_over_20_mb_is_refused(staff_client):
    big = upload("big.json", b" " * (20 * 1024 * 1024 + 1))
    response = staff_client.post("/conferences/add/", {"file": big})
    assert response.status_code == 400
    assert "The file is larger than 20 MB." in response.content.decode()


class Handler(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(Handler.body)))
        self.end_headers()
        self.wfile.write(Handler.body)


@pytest.fixture
def server(settings):
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_a_url_import_and_a_refresh_that_brings_the_recordings(staff_client, server, settings):
    Handler.body = sample("schedule.xml")
    url = f"{server}/exc24/schedule/export/schedule.xml"
    html = staff_client.post("/conferences/add/", {"url": url}).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    staff_client.post("/conferences/add/", {"token": token})
    conference = Conference.objects.get(slug="exc24")
    assert conference.source_url == url and conference.source_format == "frab-xml"
    assert not Talk.objects.exclude(video_ref="").exists()

    page = staff_client.get("/conferences/exc24/").content.decode()
    assert "Refresh now" in page
    response = staff_client.post("/conferences/exc24/refresh/", follow=True)
    assert "0 talks created, 0 updated, 4 unchanged" in response.content.decode()

    # The source now lists the videos: a refresh attaches them.
    conference.source_url = f"{server}/public/conferences/exc24"
    conference.source_format = ""
    conference.save()
    Handler.body = sample("mediaccc.json")
    response = staff_client.post("/conferences/exc24/refresh/", follow=True)
    assert "2 talks now have a recording." in response.content.decode()
    assert Talk.objects.exclude(video_ref="").count() == 3

    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = False
    response = staff_client.post("/conferences/exc24/refresh/", follow=True)
    assert "Not refreshed:" in response.content.decode()
    assert "private or local address" in response.content.decode()


def test_refresh_of_a_conference_from_a_file_says_to_upload_it(staff_client):
    run(SAMPLES / "ytdlp-playlist.json")
    slug = Conference.objects.get().slug
    response = staff_client.post(f"/conferences/{slug}/refresh/", follow=True)
    assert "imported from a file: upload it again" in response.content.decode()


def test_a_preview_is_kept_per_person(staff_client, client):
    html = staff_client.post("/conferences/add/", {"file": upload("ytdlp-playlist.json")})
    token = html.content.decode().split('name="token" value="')[1].split('"')[0]
    other = User.objects.create_user("root2", "r2@example.com", PASSWORD, is_staff=True)
    second = Client()
    second.force_login(other)
    assert second.post("/conferences/add/", {"token": token}).status_code == 400
    assert not Talk.objects.exists()


def _preview_token(staff_client) -> str:
    html = staff_client.post("/conferences/add/", {"file": upload("ytdlp-playlist.json")})
    return html.content.decode().split('name="token" value="')[1].split('"')[0]


def test_previewed_bytes_are_a_file_not_a_cache_row(staff_client, settings):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM planner_cache")
        before = cursor.fetchone()[0]
        token = _preview_token(staff_client)
        cursor.execute("SELECT count(*) FROM planner_cache")
        assert cursor.fetchone()[0] == before
    files = sorted(p.name for p in settings.IMPORT_PREVIEW_DIR.iterdir())
    staff = User.objects.get(username="root")
    assert files == [f"{staff.pk}-{token}.bin", f"{staff.pk}-{token}.json"]
    kept = (settings.IMPORT_PREVIEW_DIR / f"{staff.pk}-{token}.bin").read_bytes()
    assert kept == (SAMPLES / "ytdlp-playlist.json").read_bytes()
    staff_client.post("/conferences/add/", {"token": token})
    assert list(settings.IMPORT_PREVIEW_DIR.iterdir()) == []  # gone once imported


def test_a_preview_past_its_hour_has_expired(staff_client, settings):
    token = _preview_token(staff_client)
    old = time.time() - previews.PREVIEW_SECONDS - 1
    for path in settings.IMPORT_PREVIEW_DIR.iterdir():
        os.utime(path, (old, old))
    response = staff_client.post("/conferences/add/", {"token": token})
    assert response.status_code == 400
    assert "That preview has expired" in response.content.decode()
    assert not Talk.objects.exists()
    assert list(settings.IMPORT_PREVIEW_DIR.iterdir()) == []


def test_the_next_preview_sweeps_expired_ones(staff_client, settings):
    _preview_token(staff_client)
    old = time.time() - previews.PREVIEW_SECONDS - 1
    for path in settings.IMPORT_PREVIEW_DIR.iterdir():
        os.utime(path, (old, old))
    _preview_token(staff_client)
    assert len(list(settings.IMPORT_PREVIEW_DIR.iterdir())) == 2  # only the new one's pair


@pytest.mark.parametrize("token", ["../../etc/passwd", "x", "a" * 65, "abc/defghijklmnopqrs"])
def test_a_token_never_names_another_path(staff_client, token):
    response = staff_client.post("/conferences/add/", {"token": token})
    assert response.status_code == 400
    assert "That preview has expired" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_preview_writes_nothing_and_holds_no_transaction(monkeypatch):
    """Worked out by reading alone: on SQLite nobody's writes wait for a preview."""
    seen = {}
    plan = writer._plan

    def watched(*args, **kwargs):
        seen["atomic"] = connection.in_atomic_block
        # Another connection writes while the preview is being worked out.
        done = threading.Event()

        def write():
            User.objects.create_user("meanwhile", "m@example.com", PASSWORD)
            connections.close_all()
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        seen["other_wrote"] = done.wait(timeout=5)
        thread.join()
        return plan(*args, **kwargs)

    monkeypatch.setattr(writer, "_plan", watched)
    parsed = read_bytes((SAMPLES / "ytdlp-playlist.json").read_bytes(), "", "")
    result = writer.write_catalog(parsed, dry_run=True)
    assert seen == {"atomic": False, "other_wrote": True}
    assert result.created > 0 and result.dry_run
    assert not Conference.objects.exists() and not Talk.objects.exists()


@pytest.mark.parametrize(
    ("code", "name"),
    [("en", "English"), ("deu", "German"), ("ger", "German"), ("deu-eng", "German and English"),
     ("pt_BR", "Brazilian Portuguese"), ("zho", "Chinese"), ("fr-CA", "French"), ("xx", "xx")],
)  # fmt: skip
def test_languages_show_as_names(code, name):
    from sessions.languages import language_name

    assert language_name(code) == name


def test_the_filters_offer_language_names_and_only_the_kinds_there_are(client, make_talks):
    talks = make_talks(3)
    for talk, language in zip(talks, ("deu", "en", "deu-eng"), strict=True):
        Talk.objects.filter(pk=talk.pk).update(language=language, kind=Talk.Kind.KEYNOTE)
    Talk.objects.filter(pk=talks[0].pk).update(kind=Talk.Kind.BREAKOUT)
    html = client.get("/").content.decode()
    language = html.split('name="language"')[1].split("</select>")[0]
    assert re.findall(r">([^<]+)</option>", language) == [
        "Any language", "English", "German", "German and English"
    ]  # fmt: skip
    kind = html.split('name="kind"')[1].split("</select>")[0]
    assert re.findall(r">([^<]+)</option>", kind) == ["Any kind", "Keynote", "Breakout session"]
    assert client.get("/?kind=workshop").status_code == 400  # none here: not a choice
