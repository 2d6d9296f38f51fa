"""Whole pages kept per person (planner.serving.kept): the same page from memory as drawn, never
another person's, never older than the records it shows, whichever path wrote them."""

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from planner import queue, sharing
from planner.models import (
    Entry,
    ListItem,
    NoteRevision,
    PageToken,
    Profile,
    RecommendedList,
    Viewing,
    ViewingPlan,
    note_fingerprint,
)
from planner.serving import kept
from sessions import video
from sessions.models import Recording
from tests.test_cards import same_parts

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def token_of(user) -> str | None:
    return PageToken.objects.filter(user=user).values_list("token", flat=True).first()


def get(client, path: str, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.fixture
def queued(alice, bob, make_talks):
    talks = make_talks(4)
    for talk in talks[:3]:
        queue.track(alice, talk)
    queue.track(bob, talks[3])
    return talks


def kept_pages(talks) -> list[str]:
    return ["/", "/?q=number", talks[0].get_absolute_url(), "/queue/", "/watched/"]


def test_every_table_of_a_persons_records_has_triggers():
    """A new model holding someone's records must be named in kept.OWNERS, or pages
    showing it would stay as they were. Sessions are not records a page shows (signing in
    or out changes which pages a browser is given, not what they hold)."""
    tables = {m._meta.db_table for m in apps.get_app_config("planner").get_models()}
    assert tables - {"planner_pagetoken", "planner_session"} == set(kept.OWNERS)


def test_each_write_to_a_persons_records_changes_their_token_only(alice, bob, queued):
    seen = [token_of(alice)]
    bobs = token_of(bob)
    entry = Entry.objects.get(user=alice, talk=queued[0])

    def changed() -> None:
        now = token_of(alice)
        assert now not in seen
        seen.append(now)

    Entry.objects.filter(pk=entry.pk).update(rating=5)  # no signal: a bare UPDATE
    changed()
    viewing = Viewing.objects.create(entry=entry, watched_on="2026-11-01")
    changed()
    viewing.delete()
    changed()
    entry.tags.add("later")
    changed()
    entry.tags.remove("later")
    changed()
    NoteRevision.objects.create(entry=entry, text="An earlier note")
    changed()
    rlist = RecommendedList.objects.create(user=alice, title="Picks")
    changed()
    ListItem.objects.create(recommended_list=rlist, talk=queued[1], position=1)
    changed()
    ListItem.objects.filter(recommended_list=rlist).delete()
    changed()
    ViewingPlan.objects.create(user=alice)
    changed()
    Profile.objects.filter(user=alice).update(speed_percent=200)
    changed()
    Entry.objects.filter(pk=entry.pk).delete()
    changed()
    assert token_of(bob) == bobs


@pytest.mark.django_db(transaction=True)
def test_a_transaction_changes_the_token_once_it_commits(alice, make_talks):
    """On PostgreSQL the triggers run at commit; either way a committed write is seen."""
    talk = make_talks(1)[0]
    before = token_of(alice)
    with transaction.atomic():
        entry = queue.track(alice, talk)
        Entry.objects.filter(pk=entry.pk).update(rating=3)
    after = token_of(alice)
    assert after not in (None, before)
    Entry.objects.filter(pk=entry.pk).update(rating=4)
    assert token_of(alice) != after


@pytest.mark.parametrize("index", range(5))
def test_a_page_from_memory_is_the_page_as_drawn(alice_client, queued, index):
    path = kept_pages(queued)[index]
    drawn = get(alice_client, path)
    with CaptureQueriesContext(connection) as queries:
        from_memory = get(alice_client, path)
    # The session with its person, their token and the catalog's version.
    assert len(queries) == 1
    assert same_parts(from_memory.content.decode()) == same_parts(drawn.content.decode())
    assert kept.CSRF_MARK not in from_memory.content.decode()
    assert kept.NONCE_MARK not in from_memory.content.decode()
    caches["kept"].clear()
    assert same_parts(get(alice_client, path).content.decode()) == same_parts(
        drawn.content.decode()
    )


def test_a_kept_page_has_a_working_csrf_token_and_the_headers_nonce(alice, queued):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    path = queued[0].get_absolute_url()
    get(client, path)
    page = get(client, path)  # from memory
    html = page.content.decode()
    nonce = re.search(r'<script src="[^"]+app[^"]*\.js" defer nonce="([^"]+)"', html)[1]
    policy = page.headers["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" in policy
    for source in video.CSP_SOURCES["frame-src"]:  # the player's host, as the page drawn
        assert source in policy
    entry = Entry.objects.get(user=alice, talk=queued[0])
    response = client.post(
        f"/entries/{entry.pk}/rating/",
        {"rating": "4", "csrfmiddlewaretoken": CSRF_INPUT.search(html)[1]},
    )
    assert response.status_code in (200, 302)
    assert Entry.objects.get(pk=entry.pk).rating == 4


def test_what_a_person_writes_shows_on_the_next_page(alice_client, alice, queued):
    """Nothing written is hidden behind a kept page: a note, a rating, a queue change."""
    talk = queued[0]
    path = talk.get_absolute_url()
    entry = Entry.objects.get(user=alice, talk=talk)
    assert "Notes from the first watch" not in get(alice_client, path).content.decode()
    get(alice_client, path)
    alice_client.post(
        f"/entries/{entry.pk}/note/",
        {"note": "Notes from the first watch", "base": note_fingerprint(entry.note)},
    )
    assert "Notes from the first watch" in get(alice_client, path).content.decode()

    home = get(alice_client, "/").content.decode()
    assert f'id="talk-{queued[3].pk}"' in home
    get(alice_client, "/")
    alice_client.post(f"/talks/{queued[3].pk}/track/", {"status": "queued"})
    card = re.search(rf'<li class="card" id="talk-{queued[3].pk}">.*?\n</li>',
                     get(alice_client, "/").content.decode(), re.S)[0]  # fmt: skip
    assert "Remove from queue" in card

    queue_page = get(alice_client, "/queue/").content.decode()
    assert queued[3].title in queue_page
    queue.unqueue(Entry.objects.get(user=alice, talk=queued[3]))
    assert queued[3].title not in get(alice_client, "/queue/").content.decode()


def test_the_players_position_shows_on_the_next_talk_page(alice_client, alice, queued):
    talk = queued[0]
    entry = Entry.objects.get(user=alice, talk=talk)
    queue.set_status(entry, Entry.Status.WATCHING, resume_seconds=60, watched_on=None)
    path = talk.get_absolute_url()
    assert "1:00" in get(alice_client, path).content.decode()
    get(alice_client, path)
    Entry.objects.filter(pk=entry.pk).update(resume_seconds=754)  # as the player's report
    page = get(alice_client, path).content.decode()
    assert "12:34" in page


def test_a_new_recording_shows_on_a_kept_talk_page(client, queued):
    """An import that only adds a recording leaves the talk's row alone."""
    Recording.objects.create(talk=queued[0], provider="youtube", reference=queued[0].video_ref)
    path = queued[0].get_absolute_url()
    get(client, path)
    assert "Also on" not in get(client, path).content.decode()
    Recording.objects.create(talk=queued[0], provider="mediaccc", reference="https://media.ccc.de/v/x",
                             position=1)  # fmt: skip
    assert "Also on: <a" in get(client, path).content.decode()


def test_one_persons_page_is_never_anothers(client, alice, bob, queued):
    client.force_login(alice)
    alices = get(client, "/queue/").content.decode()
    client.force_login(bob)
    bobs = get(client, "/queue/").content.decode()
    assert queued[0].title in alices and queued[0].title not in bobs
    assert queued[3].title in bobs and queued[3].title not in alices
    # The talk page as alice sees it is kept; signed out, the same address is not hers.
    client.force_login(alice)
    talk_page = queued[0].get_absolute_url()
    caches["kept"].clear()
    assert "Remove from queue" in get(client, talk_page).content.decode()
    assert len(caches["kept"]._cache) == 1  # there was something to leak
    client.logout()
    anonymous = get(client, talk_page).content.decode()
    assert "Remove from queue" not in anonymous


def test_a_message_is_shown_once_and_the_page_is_kept_after(alice_client, alice, queued):
    """A no-JS action goes back to the page with a message: that page is drawn for the
    message, and the one after is the plain page again."""
    get(alice_client, "/queue/")
    response = alice_client.post(
        f"/talks/{queued[3].pk}/track/", {"status": "queued", "next": "/queue/"}, follow=True
    )
    assert response.status_code == 200
    assert 'class="messages"' in response.content.decode()
    again = get(alice_client, "/queue/").content.decode()
    assert 'class="messages"' not in again
    assert queued[3].title in again


def test_an_htmx_fragment_and_the_whole_page_are_kept_apart(alice_client, queued):
    whole = get(alice_client, "/queue/").content.decode()
    fragment = get(alice_client, "/queue/", **{"HX-Request": "true"}).content.decode()
    assert "<html" in whole and "<html" not in fragment
    assert "<html" in get(alice_client, "/queue/").content.decode()
    assert "<html" not in get(alice_client, "/queue/", **{"HX-Request": "true"}).content.decode()


def test_a_shared_list_changes_with_its_curators_records(client, alice, queued):
    rlist = RecommendedList.objects.create(user=alice, title="Picks", intro="Two talks.")
    sharing.add_item(rlist, queued[0], blurb="First.", share_note=True)
    token = sharing.publish(rlist)
    path = f"/s/{token}/"
    get(client, path)
    assert "A shared thought" not in get(client, path).content.decode()
    entry = Entry.objects.get(user=alice, talk=queued[0])
    Entry.objects.filter(pk=entry.pk).update(note="A shared thought")
    Entry.objects.filter(pk=entry.pk).update(note_html="<p>A shared thought</p>")
    assert "A shared thought" in get(client, path).content.decode()


def test_a_renamed_curator_shows_on_their_shared_list_at_once(client, alice, queued):
    rlist = RecommendedList.objects.create(user=alice, title="Picks", intro="Two talks.")
    sharing.add_item(rlist, queued[0], blurb="First.", share_note=True)
    path = f"/s/{sharing.publish(rlist)}/"
    get(client, path)
    assert "recommended by alice" in get(client, path).content.decode()
    # As the admin saves a user: the row changes, nothing of alice's records does.
    User.objects.filter(pk=alice.pk).update(first_name="Alice", last_name="Liddell")
    assert "recommended by Alice Liddell" in get(client, path).content.decode()


def test_http_and_https_are_kept_apart(client, alice, queued):
    rlist = RecommendedList.objects.create(user=alice, title="Picks", intro="Two talks.")
    sharing.add_item(rlist, queued[0], blurb="First.", share_note=True)
    path = f"/s/{sharing.publish(rlist)}/"
    plain = client.get(path).content.decode()
    secure = client.get(path, secure=True).content.decode()
    assert "http://testserver/s/" in plain
    assert "https://testserver/s/" in secure and "http://testserver/s/" not in secure


def test_an_unchanged_kept_page_answers_304_with_its_etag(alice_client, alice, queued):
    first = get(alice_client, "/queue/")
    etag = first["ETag"]
    assert etag.startswith('W/"') and first["Cache-Control"] == "no-cache, private"
    again = alice_client.get("/queue/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert "Content-Security-Policy" not in again  # the stored page's nonce stays valid
    assert "HX-Request" in again["Vary"]
    # Asked by a browser that lost it from memory: the same page, not a 304.
    assert get(alice_client, "/queue/")["ETag"] == etag


def test_a_change_or_another_person_never_gets_a_304(client, alice, bob, queued):
    client.force_login(alice)
    etag = get(client, "/queue/")["ETag"]
    Entry.objects.filter(user=alice, talk=queued[0]).update(note="new words")
    changed = client.get("/queue/", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    client.force_login(bob)
    assert client.get("/queue/", headers={"If-None-Match": changed["ETag"]}).status_code == 200


def test_a_fragment_and_a_page_have_their_own_tags(alice_client, queued):
    whole = get(alice_client, "/queue/")["ETag"]
    fragment = get(alice_client, "/queue/", **{"HX-Request": "true"})["ETag"]
    assert whole != fragment
    response = alice_client.get("/queue/", headers={"If-None-Match": fragment})
    assert response.status_code == 200


def test_a_page_with_a_message_has_no_tag(alice_client, queued):
    response = alice_client.post(
        f"/talks/{queued[3].pk}/track/", {"status": "queued", "next": "/queue/"}, follow=True
    )
    assert 'class="messages"' in response.content.decode()
    assert "ETag" not in response and "no-store" in response["Cache-Control"]


def test_signed_out_talk_pages_revalidate_with_the_catalog(client, queued):
    path = queued[0].get_absolute_url()
    etag = get(client, path)["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    Recording.objects.create(talk=queued[0], provider="mediaccc", reference="x-y", position=1)
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_the_signed_out_catalog_is_one_kept_page_for_every_visitor(
    client, make_talks, django_assert_num_queries
):
    make_talks(3)
    for path in ("/", "/?q=number", "/?kind=keynote&page=1"):
        drawn = get(client, path)
        with django_assert_num_queries(1):  # the catalog's version
            other = get(Client(), path)  # another visitor, with no cookies
        assert same_parts(other.content.decode()) == same_parts(drawn.content.decode())
        # No forms to post: no CSRF token made, no cookie set, nothing of one visitor's.
        assert not other.cookies and "x-csrftoken" not in other.content.decode()
        assert other["ETag"] == drawn["ETag"] and other["Cache-Control"] == "no-cache, private"
        assert Client().get(path, headers={"If-None-Match": other["ETag"]}).status_code == 304
    # A change to the catalog is on the next page, with a new tag.
    etag = get(client, "/")["ETag"]
    make_talks(1)
    after = client.get("/", headers={"If-None-Match": etag})
    assert after.status_code == 200 and "4 talks" in after.content.decode()


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_catalog_in_order_of_what_people_do_is_never_kept(
    client, alice, bob, make_talks, signed_in
):
    """What everyone does changes with neither the catalog's version nor this person's
    token: that order is drawn for every request."""
    talks = make_talks(3)
    if signed_in:
        client.force_login(alice)

    def order() -> list[str]:
        html = get(client, "/?sort=watched").content.decode()
        return re.findall(r"Talk number \d", html)[:3]

    assert order()[0] == "Talk number 0"
    assert order()[0] == "Talk number 0"
    queue.mark_watched(bob, talks[2])
    assert order()[0] == "Talk number 2"


# Where a person is in a talk moves every 15 s while they watch (the player's saves): that
# alone changes a second stamp, not the page token, and the pages fill it in on the way out.


def positions_of(user) -> str:
    return PageToken.objects.filter(user=user).values_list("positions", flat=True).first()


@pytest.fixture
def watching(alice, queued):
    """Two talks half-watched: one our player plays, one only its host (media.ccc.de)."""
    Talk = type(queued[1])
    Talk.objects.filter(pk=queued[1].pk).update(video_provider="mediaccc", video_ref="c-slug")
    for talk in queued[:2]:
        entry = Entry.objects.get(user=alice, talk=talk)
        queue.set_status(entry, Entry.Status.WATCHING, resume_seconds=60, watched_on=None)
    return queued


def test_the_kept_column_list_is_every_column_of_an_entry_but_the_resume_point():
    """A new column on Entry must be named in kept.ENTRY_KEPT_COLUMNS (and the triggers
    made again), or a change to it alone would leave kept pages as they were."""
    columns = {f.column for f in Entry._meta.concrete_fields}
    assert columns - {"resume_seconds", "updated_at"} == set(kept.ENTRY_KEPT_COLUMNS)


def test_a_moved_resume_point_changes_the_stamp_and_not_the_token(alice, watching):
    entry = Entry.objects.filter(user=alice, talk=watching[0])
    token, positions = token_of(alice), positions_of(alice)
    entry.update(resume_seconds=754)  # as the player's save
    assert token_of(alice) == token and positions_of(alice) != positions
    for change in (
        {"resume_seconds": 800, "rating": 4},  # more than the resume point
        {"resume_seconds": 0},  # back to the start: "Resume" goes away
        {"resume_seconds": 30},  # and from the start: it comes back
        {"resume_seconds": None},
        {"status": Entry.Status.QUEUED},  # same resume point, another status
    ):
        entry.update(**change)
        assert token_of(alice) != token, change
        token = token_of(alice)


def _moved_by_the_player(client, alice, talk, position: int) -> None:
    Entry.objects.filter(user=alice, talk=talk).update(
        updated_at=Entry.objects.get(user=alice, talk=talk).updated_at - timedelta(seconds=5)
    )  # the server takes one save a second
    response = client.post(f"/talks/{talk.pk}/progress/", {"position": position})
    assert response.status_code == 204


def live_pages(talks) -> list[str]:
    return ["/", "/?q=number", talks[0].get_absolute_url(), talks[1].get_absolute_url(),
            "/queue/", "/watched/"]  # fmt: skip


@pytest.mark.parametrize("index", range(6))
def test_a_kept_page_after_the_player_moved_is_the_page_drawn_afresh(
    alice_client, alice, watching, index
):
    """Every page that shows a resume point: after the player's save it shows the new
    one, from memory, exactly as a page drawn from scratch would."""
    path = live_pages(watching)[index]
    get(alice_client, path)
    token = token_of(alice)
    _moved_by_the_player(alice_client, alice, watching[0], 754)
    _moved_by_the_player(alice_client, alice, watching[1], 3725)
    assert token_of(alice) == token
    page = get(alice_client, path).content.decode()
    assert kept.LIVE_MARK not in page
    caches["kept"].clear()
    assert same_parts(page) == same_parts(get(alice_client, path).content.decode())


def test_a_page_from_memory_after_a_move_costs_one_query_more(alice_client, alice, watching):
    """The queue, the home page and the talk page show the new second without a draw."""
    for path in ("/queue/", "/", watching[0].get_absolute_url()):
        get(alice_client, path)
        _moved_by_the_player(alice_client, alice, watching[0], 754)
        with CaptureQueriesContext(connection) as queries:
            page = get(alice_client, path).content.decode()
        # The session with its person, both stamps and the catalog's version; the resume
        # points.
        assert len(queries) == 2, path
        assert "12:34" in page, path


def test_a_kept_page_reads_resume_points_only_once_they_moved(alice_client, alice, watching):
    """A page kept under the person's positions stamp shows the resume points it was drawn
    with while the stamp stands: no query for them. After a move, the query, every time
    (the kept copy still holds the points it was drawn with)."""
    for path in ("/queue/", "/", watching[0].get_absolute_url()):
        caches["kept"].clear()
        drawn = get(alice_client, path).content.decode()
        with CaptureQueriesContext(connection) as queries:
            again = get(alice_client, path).content.decode()
        assert len(queries) == 1, path  # the session with its person and their stamps
        assert same_parts(again) == same_parts(drawn)
        _moved_by_the_player(alice_client, alice, watching[0], 754)
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                page = get(alice_client, path).content.decode()
            assert len(queries) == 2, path  # and the resume points
            assert "12:34" in page, path
        Entry.objects.filter(user=alice, talk=watching[0]).update(resume_seconds=60)


def test_a_page_drawn_while_the_player_moved_is_not_kept_as_current(alice_client, alice, watching):
    """The stamp is read with the person, before the page's records: a move while the page
    is drawn leaves it kept under the older stamp, and the next answer reads the resume
    points. (Kept under the stamp as it is after the draw, it would show the old second
    as current.)"""
    path = watching[0].get_absolute_url()
    moved = []

    def move_once_drawn(sender, template, **kwargs) -> None:
        if template.name == "planner/talk_detail.html" and not moved:
            Entry.objects.filter(user=alice, talk=watching[0]).update(resume_seconds=754)
            moved.append(True)

    template_rendered.connect(move_once_drawn)
    try:
        drawn = get(alice_client, path).content.decode()
    finally:
        template_rendered.disconnect(move_once_drawn)
    assert moved and "from 1:00" in drawn  # drawn with the second before the move
    with CaptureQueriesContext(connection) as queries:
        page = get(alice_client, path).content.decode()
    assert len(queries) == 2  # the session with its person, and the resume points
    assert "from 12:34" in page and "from 1:00" not in page


def test_what_the_pages_show_at_the_new_second(alice_client, alice, watching):
    get(alice_client, "/queue/")
    get(alice_client, watching[0].get_absolute_url())
    get(alice_client, watching[1].get_absolute_url())
    _moved_by_the_player(alice_client, alice, watching[0], 754)
    _moved_by_the_player(alice_client, alice, watching[1], 1800)
    queue_page = get(alice_client, "/queue/").content.decode()
    # The host's page at the second (media.ccc.de plays elsewhere), and the bar.
    assert 'href="https://media.ccc.de/v/c-slug#t=1800"' in queue_page
    assert ">Resume 30:00</a>" in queue_page
    assert 'value="50" aria-label="50% watched"' in queue_page  # 30 of 60 min
    talk_page = get(alice_client, watching[0].get_absolute_url()).content.decode()
    assert 'data-start="754"' in talk_page and "from 12:34" in talk_page
    assert "start=754" in talk_page  # the embedded player's own start
    assert 'href="https://youtu.be/vid00000000?t=754"' in talk_page  # without JavaScript
    assert 'data-resume="754"' in talk_page
    assert 'value="12:34"' in talk_page  # the status form's resume field


def test_a_move_changes_the_etag(alice_client, alice, watching):
    etag = get(alice_client, "/queue/")["ETag"]
    _moved_by_the_player(alice_client, alice, watching[0], 754)
    response = alice_client.get("/queue/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response["ETag"] != etag
    assert "12:34" in response.content.decode()


def test_the_version_read_with_the_person_serves_that_request_only(
    alice_client, alice, make_talks, django_assert_num_queries
):
    from planner.serving.backends import load_user
    from sessions import listing
    from sessions.models import Talk

    talk = make_talks(1)[0]
    assert talk.title in alice_client.get("/").content.decode()
    load_user(alice.pk)  # outside a request: remembered nowhere
    before = listing.version()
    Talk.objects.filter(pk=talk.pk).update(title="Renamed talk")
    assert listing.version() != before
    with listing.request_scope():
        load_user(alice.pk)
        with django_assert_num_queries(0):
            assert listing.version() != before
    # The next request reads it again with the person: a change in between is seen at once.
    assert "Renamed talk" in alice_client.get("/").content.decode()
    Talk.objects.filter(pk=talk.pk).update(title="Renamed again")
    assert "Renamed again" in alice_client.get("/").content.decode()


def test_a_post_that_changes_the_catalog_answers_from_the_catalog_as_changed(alice, make_talks):
    """A version read with the person stands for the rest of a GET only: a POST may change
    the catalog and then draw its answer."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from planner.serving.middleware import OneRequest
    from sessions import listing
    from sessions.models import Talk

    make_talks(1)
    client = Client()
    client.force_login(alice)
    seen = {}

    def view(request):
        assert request.user.pk == alice.pk  # the person (on a GET, with the version) first
        seen["before"] = listing.version()
        Talk.objects.update(title=f"Changed by a {request.method}")
        seen["after"] = listing.version()
        return HttpResponse("ok")

    chain = OneRequest(SessionMiddleware(AuthenticationMiddleware(view)))
    for method in ("post", "get"):
        request = getattr(RequestFactory(), method)("/")
        request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
        assert chain(request).content == b"ok"
        assert (seen["after"] != seen["before"]) == (method == "post"), method


def test_the_kept_store_maps_no_file_into_a_worker():
    """Its SQLite files are read, not mapped, with a small page cache (planner.settings):
    mapped, each file added up to 64 MB to every worker's memory."""
    from django.core.cache import caches

    for shard in caches["kept"]._cache._shards:
        assert shard._sql("PRAGMA mmap_size").fetchone()[0] == 0
        assert shard._sql("PRAGMA cache_size").fetchone()[0] == 2**9
