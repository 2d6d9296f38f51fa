"""Personal planning: queue, order, status, rating, notes, tags, length, speed, filters."""

import datetime

import pytest
from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from planner import notes, queue
from planner.models import Entry, Profile, note_fingerprint
from sessions.models import Talk

HX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/queue/"}


def titles_in_queue(user) -> list[str]:
    return [e.talk.title for e in Entry.objects.for_user(user).queued().select_related("talk")]


@pytest.fixture
def queued(alice, catalog) -> list[Entry]:
    """alice has queued the first three talks, in order."""
    return [queue.track(alice, talk) for talk in catalog[:3]]


# Queue ------------------------------------------------------------------------


def test_add_to_queue_without_javascript_redirects_back(alice_client, alice, catalog):
    talk = catalog[4]
    response = alice_client.post(f"/talks/{talk.pk}/track/", {"status": "queued", "next": "/?q=x"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/?q=x"
    entry = Entry.objects.get(user=alice, talk=talk)
    assert (entry.status, entry.position) == ("queued", 1)
    page = alice_client.get("/?q=x", follow=True).content.decode()
    assert f"Added “{talk.title}” to your queue." in page


def test_add_to_queue_with_htmx_returns_only_the_card(alice_client, catalog):
    talk = catalog[2]
    response = alice_client.post(
        f"/talks/{talk.pk}/track/", {"status": "queued", "fragment": "card"}, headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="card" id="talk-{talk.pk}">')
    assert "<html" not in html and "Peter DeSantis" not in html
    assert "Remove from queue" in html
    assert '<div id="announce" hx-swap-oob="innerHTML">Added “Werner Vogels - CTO AWS”' in html
    assert len(html) < 4000


def test_adding_twice_keeps_one_record_and_its_place(alice_client, alice, queued):
    alice_client.post(f"/talks/{queued[0].talk_id}/track/", {"status": "queued"})
    assert Entry.objects.filter(user=alice).count() == 3
    assert Entry.objects.get(pk=queued[0].pk).position == 1


def test_queueing_a_new_talk_writes_its_record_once(alice, catalog, queued):
    """Made whole under the person's lock, then one INSERT: no savepoint around it, no
    update after it (each a round trip to PostgreSQL)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:
        entry = queue.track(alice, catalog[4])
    writes = [q["sql"].split()[0] for q in seen.captured_queries]
    assert writes.count("INSERT") == 1 and "UPDATE" not in writes
    assert writes.count("SAVEPOINT") == 1  # the transaction's own, inside the test's
    assert (entry.status, entry.position) == ("queued", 4)
    assert Entry.objects.get(user=alice, talk=catalog[4]).position == 4


@pytest.mark.parametrize("status", ["watched", "skipped", "watching"])
def test_tracking_a_new_talk_with_any_status_records_it(alice, catalog, status):
    entry = queue.track(alice, catalog[5], status)
    saved = Entry.objects.get(user=alice, talk=catalog[5])
    assert (saved.pk, saved.status) == (entry.pk, status)
    assert saved.in_queue == (status == "watching")
    assert saved.viewings.count() == (1 if status == "watched" else 0)


def test_track_unknown_talk_is_404(alice_client, catalog):
    assert alice_client.post("/talks/999999/track/", {"status": "queued"}).status_code == 404


def test_track_unknown_status_is_400(alice_client, catalog):
    response = alice_client.post(f"/talks/{catalog[0].pk}/track/", {"status": "lost"})
    assert response.status_code == 400
    assert not Entry.objects.exists()


def test_queue_page_lists_in_my_order(alice_client, alice, queued):
    html = alice_client.get("/queue/").content.decode()
    order = [html.index(e.talk.title) for e in queued]
    assert order == sorted(order)
    assert "3 talks" in html


def test_move_down_up_top_bottom(alice_client, alice, queued):
    first, second, third = (e.talk.title for e in queued)
    alice_client.post(f"/entries/{queued[0].pk}/move/", {"direction": "down"})
    assert titles_in_queue(alice) == [second, first, third]
    alice_client.post(f"/entries/{queued[2].pk}/move/", {"direction": "top"})
    assert titles_in_queue(alice) == [third, second, first]
    alice_client.post(f"/entries/{queued[2].pk}/move/", {"direction": "up"})  # already first
    assert titles_in_queue(alice) == [third, second, first]
    response = alice_client.post(
        f"/entries/{queued[2].pk}/move/", {"direction": "bottom"}, headers=HX
    )
    assert titles_in_queue(alice) == [second, first, third]
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue">')
    assert html.index(second) < html.index(first) < html.index(third)


def test_the_ends_of_the_queue_offer_no_move_past_them(alice_client, queued):
    import re

    html = alice_client.get("/queue/").content.decode()
    disabled = set(re.findall(r'id="move-(\w+)-(\d+)"[^>]*\sdisabled', html))
    first, _, last = (str(e.pk) for e in queued)
    assert disabled == {("top", first), ("up", first), ("down", last)}
    # A filtered list's first row is not the queue's: every move stays on offer.
    html = alice_client.get("/queue/?status=queued").content.decode()
    assert " disabled>" not in html


def test_move_bad_direction_is_400(alice_client, queued):
    response = alice_client.post(f"/entries/{queued[0].pk}/move/", {"direction": "sideways"})
    assert response.status_code == 400


def test_reorder_by_list(alice_client, alice, queued):
    ids = [queued[2].pk, queued[0].pk, queued[1].pk]
    response = alice_client.post("/queue/reorder/", {"order": ",".join(map(str, ids))}, headers=HX)
    assert response.status_code == 200
    assert titles_in_queue(alice) == [queued[i].talk.title for i in (2, 0, 1)]
    positions = list(Entry.objects.for_user(alice).queued().values_list("position", flat=True))
    assert positions == [1, 2, 3]


def test_reorder_from_a_stale_tab_keeps_talks_it_did_not_know(alice, queued, catalog):
    # Tab 1 saw three talks; meanwhile tab 2 queued a fourth and removed the second.
    late = queue.track(alice, catalog[5])
    queue.unqueue(queued[1])
    queue.reorder(alice, [queued[2].pk, queued[1].pk, queued[0].pk])
    assert titles_in_queue(alice) == [
        queued[2].talk.title,
        queued[0].talk.title,
        late.talk.title,
    ]
    positions = list(Entry.objects.for_user(alice).queued().values_list("position", flat=True))
    assert len(set(positions)) == 3


def test_reorder_ignores_other_peoples_ids(alice_client, bob, alice, queued, catalog):
    bobs = queue.track(bob, catalog[0])
    alice_client.post("/queue/reorder/", {"order": f"{bobs.pk},{queued[1].pk},{queued[0].pk}"})
    assert Entry.objects.get(pk=bobs.pk).position == 1
    assert titles_in_queue(alice)[:2] == [queued[1].talk.title, queued[0].talk.title]


def test_reorder_junk_is_400(alice_client, alice, queued):
    response = alice_client.post("/queue/reorder/", {"order": "1,two,3"})
    assert response.status_code == 400
    assert "list of queue item ids" in response.content.decode()
    assert titles_in_queue(alice) == [e.talk.title for e in queued]


def test_remove_from_queue_forgets_an_empty_record(alice_client, alice, queued):
    alice_client.post(f"/entries/{queued[0].pk}/unqueue/")
    assert not Entry.objects.filter(pk=queued[0].pk).exists()


def test_remove_from_queue_keeps_notes_and_rating(alice_client, alice, queued):
    Entry.objects.filter(pk=queued[0].pk).update(note="keep me", rating=3)
    alice_client.post(f"/entries/{queued[0].pk}/unqueue/")
    entry = Entry.objects.get(pk=queued[0].pk)
    assert (entry.status, entry.position, entry.note, entry.rating) == ("", None, "keep me", 3)
    assert titles_in_queue(alice) == [queued[1].talk.title, queued[2].talk.title]


# Status -----------------------------------------------------------------------


def test_watching_with_resume_time_links_to_that_second(alice_client, alice, queued):
    entry = queued[0]
    response = alice_client.post(
        f"/entries/{entry.pk}/status/",
        {"status": "watching", "resume": "12:34", "fragment": "panel"},
        headers=HX,
    )
    html = response.content.decode()
    assert f'href="https://youtu.be/{entry.talk.video_ref}?t=754"' in html
    assert "Resume 12:34" in html
    entry.refresh_from_db()
    assert (entry.status, entry.resume_seconds, entry.position) == ("watching", 754, 1)
    alice_client.post(f"/entries/{entry.pk}/status/", {"status": "watching", "resume": "1:02:03"})
    entry.refresh_from_db()
    assert entry.resume_seconds == 3723


@pytest.mark.parametrize("bad", ["99:99", "12:60", "1:60:00", "abc", "-1:00", "12"])
def test_bad_resume_time_is_refused_next_to_the_field(alice_client, queued, bad):
    entry = queued[0]
    response = alice_client.post(
        f"/entries/{entry.pk}/status/", {"status": "watching", "resume": bad}, headers=HX
    )
    assert response.status_code == 422
    assert "Enter a time as mm:ss or h:mm:ss" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.resume_seconds) == ("queued", None)


def test_bad_resume_time_without_javascript_shows_the_page_with_the_error(alice_client, queued):
    entry = queued[0]
    response = alice_client.post(
        f"/entries/{entry.pk}/status/", {"status": "watching", "resume": "99:99"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert ">Peter DeSantis - SVP AWS</h1>" in html
    assert "Enter a time as mm:ss or h:mm:ss" in html


def test_watched_defaults_to_today_and_leaves_the_queue(alice_client, alice, queued):
    entry = queued[1]
    alice_client.post(f"/entries/{entry.pk}/status/", {"status": "watched"})
    entry.refresh_from_db()
    assert (entry.status, entry.position) == ("watched", None)
    assert list(entry.viewings.values_list("watched_on", flat=True)) == [timezone.localdate()]
    assert titles_in_queue(alice) == [queued[0].talk.title, queued[2].talk.title]


def test_watched_on_a_chosen_date_and_not_in_the_future(alice_client, queued):
    entry = queued[0]
    alice_client.post(
        f"/entries/{entry.pk}/status/", {"status": "watched", "watched_on": "2022-12-05"}
    )
    entry.refresh_from_db()
    assert entry.viewings.get().watched_on == datetime.date(2022, 12, 5)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = alice_client.post(
        f"/entries/{entry.pk}/status/", {"status": "watched", "watched_on": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert "That date is in the future." in response.content.decode()


def test_skipped_leaves_the_queue(alice_client, alice, queued):
    alice_client.post(f"/entries/{queued[0].pk}/status/", {"status": "skipped"})
    assert Entry.objects.get(pk=queued[0].pk).get_status_display() == "Skipped (not for me)"
    assert len(titles_in_queue(alice)) == 2


def test_back_to_queue_goes_to_the_end(alice_client, alice, queued):
    alice_client.post(f"/entries/{queued[0].pk}/status/", {"status": "watched"})
    alice_client.post(f"/entries/{queued[0].pk}/status/", {"status": "queued"})
    assert titles_in_queue(alice)[-1] == queued[0].talk.title


# Rating -----------------------------------------------------------------------


def test_rating_set_and_cleared(alice_client, queued):
    entry = queued[0]
    response = alice_client.post(
        f"/entries/{entry.pk}/rating/", {"rating": "4", "fragment": "status"}, headers=HX
    )
    html = response.content.decode()
    # The talk page's status box comes back with the same five stars, four filled.
    assert html.strip().startswith('<section id="status"')
    assert "Rated 4 of 5" in html
    assert html.count("star star-filled") == 4
    assert f'id="star-{entry.talk_id}-4" aria-pressed="true"' in html
    entry.refresh_from_db()
    assert entry.rating == 4
    alice_client.post(f"/entries/{entry.pk}/rating/", {"rating": ""})
    entry.refresh_from_db()
    assert entry.rating is None


def test_rating_a_watched_talk_answers_its_panel_in_7_queries(
    alice_client, queued, django_assert_num_queries
):
    entry = queued[0]
    alice_client.post(f"/entries/{entry.pk}/status/", {"status": "watched"})
    alice_client.post(f"/entries/{entry.pk}/tags/", {"name": "infra"})
    notes.save(entry, "12:04 the nitro part", note_fingerprint(""))
    # session with its person, the record, its rating, its latest viewing's, its tags, its
    # viewings (and the note's revisions): the record itself is not read again. The two
    # writes are one transaction: inside the test's own, a savepoint and its release (a
    # request has its BEGIN and COMMIT instead, which are not counted); on PostgreSQL they
    # are one statement.
    with django_assert_num_queries(6 if connection.vendor == "postgresql" else 7 + 2):
        html = alice_client.post(
            f"/entries/{entry.pk}/rating/", {"rating": "4"}, headers=HX
        ).content.decode()
    assert "Rated 4 of 5" in html and html.count("star star-filled") == 4
    assert ">infra<" in html and "Watched " in html and "12:04 the nitro part" in html
    assert entry.viewings.get().rating == 4


@pytest.mark.parametrize("bad", ["7", "0", "-1", "four", "4.5"])
def test_rating_out_of_range_is_refused(alice_client, queued, bad):
    entry = queued[0]
    Entry.objects.filter(pk=entry.pk).update(rating=2)
    response = alice_client.post(f"/entries/{entry.pk}/rating/", {"rating": bad}, headers=HX)
    assert response.status_code == 422
    assert "Select a valid choice." in response.content.decode()
    entry.refresh_from_db()
    assert entry.rating == 2


def test_rating_constraint_is_in_the_database(queued):
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=queued[0].pk).update(rating=7)


def test_one_record_per_person_and_talk_in_the_database(alice, queued):
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(user=alice, talk=queued[0].talk)


def test_queue_positions_unique_in_the_database(alice, queued):
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=queued[1].pk).update(position=queued[0].position)


def test_negative_times_refused_by_the_database(queued):
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=queued[0].pk).update(resume_seconds=-5)


# Notes ------------------------------------------------------------------------


def test_note_timestamps_become_video_links(alice_client, queued):
    entry = queued[0]
    note = "12:34 great diagram\n\n1:02:03 the demo\n\n* 0:45 in a bullet\n\nnot 12:34 mid-line"
    response = alice_client.post(f"/entries/{entry.pk}/note/", {"note": note}, headers=HX)
    html = response.content.decode()
    vid = entry.talk.video_ref
    rel = 'rel="noopener noreferrer nofollow"'
    assert f'<a href="https://youtu.be/{vid}?t=754" {rel}>12:34</a> great diagram' in html
    assert f'<a href="https://youtu.be/{vid}?t=3723" {rel}>1:02:03</a> the demo' in html
    assert f'href="https://youtu.be/{vid}?t=45"' in html
    assert "not 12:34 mid-line" in html
    assert "Saved at" in html
    entry.refresh_from_db()
    assert entry.note == note


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '"><svg onload=alert(1)>',
        '<div hx-get="/queue/" hx-trigger="load">x</div>',
        '<a href="#" hx-on:click="alert(1)">y</a>',
    ],
)
def test_note_html_is_sanitized(alice_client, queued, payload):
    entry = queued[0]
    alice_client.post(f"/entries/{entry.pk}/note/", {"note": payload})
    html = alice_client.get(entry.talk.get_absolute_url()).content.decode()
    entry.refresh_from_db()
    for bad in (
        "<script",
        "onerror",
        "javascript:",
        "<svg",
        "onload",
        "hx-get",
        "hx-on",
        "hx-trigger",
    ):
        assert bad not in entry.note_html
    assert "alert(1)</script>" not in html
    assert 'hx-get="/queue/"' not in html


def test_note_too_long_is_refused_and_nothing_saved(alice_client, queued):
    entry = queued[0]
    Entry.objects.filter(pk=entry.pk).update(note="old")
    response = alice_client.post(f"/entries/{entry.pk}/note/", {"note": "x" * 20_001}, headers=HX)
    assert response.status_code == 422
    assert "Not saved: Ensure this value has at most 20000 characters" in response.content.decode()
    entry.refresh_from_db()
    assert entry.note == "old"


def test_note_save_without_javascript(alice_client, queued):
    entry = queued[0]
    response = alice_client.post(
        f"/entries/{entry.pk}/note/", {"note": "Plain **bold**"}, follow=True
    )
    html = response.content.decode()
    assert "Note saved." in html
    assert "<strong>bold</strong>" in html


# Tags -------------------------------------------------------------------------


def test_tags_add_remove_and_filter(alice_client, alice, queued):
    entry = queued[1]
    response = alice_client.post(
        f"/entries/{entry.pk}/tags/", {"name": "  Must   See "}, headers=HX
    )
    assert '<a href="/queue/?tag=must%20see">must see</a>' in response.content.decode()
    html = alice_client.get("/queue/", {"tag": "must see"}).content.decode()
    assert entry.talk.title in html and queued[0].talk.title not in html
    html = alice_client.get("/", {"tag": "must see"}).content.decode()
    assert "1 talk" in html and entry.talk.title in html
    alice_client.post(f"/entries/{entry.pk}/tags/remove/", {"name": "must see"})
    assert list(entry.tags.names()) == []


def test_bad_tag_is_refused(alice_client, queued):
    response = alice_client.post(f"/entries/{queued[0].pk}/tags/", {"name": "<b>"}, headers=HX)
    assert response.status_code == 422
    assert "Use letters, digits" in response.content.decode()
    assert list(queued[0].tags.names()) == []


def test_tags_are_private(client, alice, bob, queued):
    queued[0].tags.add("secret-alice-tag")
    client.force_login(bob)
    assert "secret-alice-tag" not in client.get("/").content.decode()
    assert "secret-alice-tag" not in client.get("/queue/").content.decode()
    assert "secret-alice-tag" not in client.get(queued[0].talk.get_absolute_url()).content.decode()
    response = client.get("/", {"tag": "secret-alice-tag"})
    assert response.status_code == 400


# Length and speed -------------------------------------------------------------


def test_queue_totals_at_speed_and_estimates(alice_client, alice, queued):
    # Two keynotes (2:00:00 estimated) and one more keynote: all estimates.
    html = alice_client.get("/queue/").content.decode()
    assert "<strong>4:00:00</strong> at 1.5x" in html
    assert "6:00:00 at 1x" in html and "saves 2:00:00" in html
    assert "(3 lengths estimated)" in html

    alice_client.post(f"/entries/{queued[0].pk}/length/", {"length": "1:00:00"})
    html = alice_client.get("/queue/").content.decode()
    assert "5:00:00 at 1x" in html and "(2 lengths estimated)" in html

    data = {"speed_percent": "200", "remote_images": "on"}
    response = alice_client.post("/settings/", data, follow=True)
    assert "Saved: your speed is now 2x." in response.content.decode()
    html = alice_client.get("/queue/").content.decode()
    assert "<strong>2:30:00</strong> at 2x" in html and "saves 2:30:00" in html

    alice_client.post("/settings/", {"speed_percent": "100"})
    html = alice_client.get("/queue/").content.decode()
    # At 1x the length is said once, and nothing is saved.
    assert "<strong>5:00:00</strong> at 1x" in html
    assert html.count("5:00:00") == 1 and "saves" not in html


def test_length_shown_on_talk_page(alice_client, queued):
    entry = queued[0]
    response = alice_client.post(f"/entries/{entry.pk}/length/", {"length": "45:00"}, headers=HX)
    assert "30:00 at 1.5x" in response.content.decode()
    assert "(45:00 at 1x)" in response.content.decode()
    response = alice_client.post(f"/entries/{entry.pk}/length/", {"length": "99:99"}, headers=HX)
    assert response.status_code == 422
    entry.refresh_from_db()
    assert entry.personal_seconds == 2700
    alice_client.post(f"/entries/{entry.pk}/length/", {"length": ""})
    entry.refresh_from_db()
    assert entry.personal_seconds is None


def test_speed_must_be_one_of_the_choices(alice_client, alice):
    response = alice_client.post("/settings/", {"speed_percent": "300"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Profile.objects.get(user=alice).speed_percent == 150


def test_profile_made_on_sign_up(alice):
    assert alice.profile.speed_percent == 150


# Filters ----------------------------------------------------------------------


def test_catalog_filters_by_status_kind_rating(alice_client, alice, queued, catalog):
    Entry.objects.filter(pk=queued[0].pk).update(rating=5)
    queue.set_status(queued[1], "watched", None, None)
    assert "2 talks" in alice_client.get("/", {"status": "planned"}).content.decode()
    watched = alice_client.get("/", {"status": "watched"}).content.decode()
    assert "1 talk" in watched and queued[1].talk.title in watched
    assert "10 talks" in alice_client.get("/", {"status": "untracked"}).content.decode()
    assert "10 talks" in alice_client.get("/", {"kind": "breakout"}).content.decode()
    rated = alice_client.get("/", {"min_rating": "4"}).content.decode()
    assert "1 talk" in rated and queued[0].talk.title in rated
    combined = alice_client.get("/", {"kind": "keynote", "status": "planned", "q": "werner"})
    assert "1 talk matching “werner”" in combined.content.decode()


def test_queue_filters(alice_client, alice, queued):
    queue.set_status(queued[2], "watching", 60, None)
    html = alice_client.get("/queue/", {"status": "watching"}).content.decode()
    assert "Shown: <strong>1 talk</strong>" in html
    assert queued[2].talk.title in html and queued[0].talk.title not in html
    html = alice_client.get("/queue/", {"q": "desantis"}).content.decode()
    assert "Shown: <strong>1 talk</strong>" in html
    assert alice_client.get("/queue/", {"min_rating": "9"}).status_code == 400


def test_filters_with_htmx_return_the_list_only(alice_client, queued):
    response = alice_client.get("/queue/", {"q": "werner"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue">') and "<html" not in html
    response = alice_client.get("/", {"q": "werner"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert '<div id="announce" hx-swap-oob="innerHTML">1 talk matching “werner”</div>' in html


def test_history_restore_gets_the_whole_page(alice_client, queued):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in alice_client.get("/?q=werner", headers=headers).content.decode()


# Watched diary ----------------------------------------------------------------


def test_watched_diary_by_date_with_rating_and_note(alice_client, alice, queued):
    queue.set_status(queued[0], "watched", None, datetime.date(2022, 12, 2))
    queue.set_status(queued[1], "watched", None, datetime.date(2022, 12, 5))
    Entry.objects.filter(pk=queued[0].pk).update(rating=4)
    entry = Entry.objects.get(pk=queued[0].pk)
    entry.note = "5:00 the key slide"
    entry.save()
    html = alice_client.get("/watched/").content.decode()
    assert html.index("Monday 5 December 2022") < html.index("Friday 2 December 2022")
    assert 'aria-label="Rated 4 of 5">★★★★☆' in html
    assert f"https://youtu.be/{entry.talk.video_ref}?t=300" in html
    assert queued[2].talk.title not in html


# Query counts -----------------------------------------------------------------


def _queue_n(user, talks):
    for talk in talks:
        entry = queue.track(user, talk)
        entry.tags.add("t")


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.usefixtures("no_lazy_loads")
def test_catalog_signed_in_query_count(
    alice_client, alice, make_talks, django_assert_num_queries, n
):
    talks = make_talks(n)
    _queue_n(alice, talks)
    watching = Entry.objects.select_related("user").get(user=alice, talk=talks[0])
    queue.set_status(watching, Entry.Status.WATCHING, resume_seconds=60, watched_on=None)
    # session with its person, profile, page token and the catalog's version (for the kept
    # page's key and the page's), topics in use, filter choices (2) and count (first time
    # only), my tags, talks with my entries, their topics; home: in progress with up next,
    # total
    with django_assert_num_queries(10):
        response = alice_client.get("/")
    html = response.content.decode()
    assert f"{n} talk" in html
    assert "Continue watching" in html and "Resume 1:00" in html
    assert ("Up next" in html) == (n > 1)
    caches["kept"].clear()
    with django_assert_num_queries(5):  # no topics: the cards' public part is in memory
        assert f"{n} talk" in alice_client.get("/").content.decode()
    # The page as kept: the session with its person, their stamps and the catalog's version
    # (the resume point it shows has not moved since it was drawn).
    with django_assert_num_queries(1):
        assert f"{n} talk" in alice_client.get("/").content.decode()


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.usefixtures("no_lazy_loads")
def test_queue_query_count(alice_client, alice, make_talks, django_assert_num_queries, n):
    _queue_n(alice, make_talks(n))
    # session with its person, profile, page token and the catalog's version (for the kept
    # page's key and the page's), topics in use (first time only), my tags, totals,
    # entries+talks, their tags
    with django_assert_num_queries(6):
        response = alice_client.get("/queue/")
    assert f"{n} talk" in response.content.decode()
    caches["kept"].clear()
    with django_assert_num_queries(5):
        assert f"{n} talk" in alice_client.get("/queue/").content.decode()
    with django_assert_num_queries(1):  # the page as kept
        assert f"{n} talk" in alice_client.get("/queue/").content.decode()


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.usefixtures("no_lazy_loads")
def test_watched_query_count(alice_client, alice, make_talks, django_assert_num_queries, n):
    for talk in make_talks(n):
        queue.track(alice, talk, Entry.Status.WATCHED).tags.add("t")
    # session with its person, profile, page token and the catalog's version (the kept
    # page's key), count, entries+talks, my tags of those
    with django_assert_num_queries(4):
        response = alice_client.get("/watched/")
    assert response.content.decode().count('class="card"') == n
    with django_assert_num_queries(1):  # the page as kept
        assert alice_client.get("/watched/").content.decode().count('class="card"') == n


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.usefixtures("no_lazy_loads")
def test_talk_page_signed_in_query_count(
    alice_client, alice, make_talks, django_assert_num_queries, n
):
    talks = make_talks(n)
    _queue_n(alice, talks)
    entry = Entry.objects.select_related("user", "talk").get(talk=talks[-1])
    for name in ("a", "b"):
        entry.tags.add(name)
    # Watching, with a resume time and a note: everything on the page that reads the talk.
    queue.set_status(entry, Entry.Status.WATCHING, resume_seconds=754, watched_on=None)
    notes.save(entry, "12:34 the good part", base="")
    # session with its person, profile, page token and the catalog's version (the kept
    # page's key), talk, topics, my entry, its tags, its viewings, earlier note versions,
    # recordings, the transcripts' passages, the next talk in the queue (for "Up next")
    with django_assert_num_queries(10):
        response = alice_client.get(talks[-1].get_absolute_url())
    html = response.content.decode()
    assert "Remove from queue" in html
    assert f"https://youtu.be/{talks[-1].video_ref}?t=754" in html
    with django_assert_num_queries(1):  # the page as kept (the resume point has not moved)
        assert (
            "Remove from queue" in alice_client.get(talks[-1].get_absolute_url()).content.decode()
        )


def test_catalog_card_shows_status_and_rating(alice_client, alice, queued):
    Entry.objects.filter(pk=queued[0].pk).update(rating=3)
    html = alice_client.get("/").content.decode()
    assert '<span class="badge badge-queued">Queued</span>' in html
    # One click rates: the third star is the pressed one.
    pk = queued[0].talk_id
    assert f'class="star star-filled" id="star-{pk}-3" aria-pressed="true"' in html
    assert html.count('aria-pressed="true"') == 1


def test_talk_count_unchanged_by_planning(queued):
    assert Talk.objects.count() == 13


def test_note_keeps_line_breaks(alice_client, queued):
    entry = queued[0]
    alice_client.post(f"/entries/{entry.pk}/note/", {"note": "3:10 intro\n14:20 coupling"})
    entry.refresh_from_db()
    assert "intro<br>" in entry.note_html or "intro<br />" in entry.note_html
    assert entry.note_html.count("https://youtu.be/") == 2


def test_two_tabs_editing_one_note_never_lose_text(alice_client, queued):
    from planner.models import note_fingerprint

    entry = queued[0]
    start = note_fingerprint("")
    # Tab A saves first.
    alice_client.post(f"/entries/{entry.pk}/note/", {"note": "from tab A", "base": start})
    # Tab B still thinks the note was empty, and saves over it.
    response = alice_client.post(
        f"/entries/{entry.pk}/note/", {"note": "from tab B", "base": start}, headers=HX
    )
    html = response.content.decode()
    assert "This note had changed in another tab" in html
    assert "Earlier versions (1)" in html and "from tab A" in html
    entry.refresh_from_db()
    assert entry.note == "from tab B"
    assert list(entry.revisions.values_list("text", flat=True)) == ["from tab A"]
    # The response gave tab B the new base: its next save is no conflict.
    new_base = note_fingerprint("from tab B")
    assert f'id="note-base" value="{new_base}" hx-swap-oob="true"' in html
    response = alice_client.post(
        f"/entries/{entry.pk}/note/", {"note": "from tab B, more", "base": new_base}, headers=HX
    )
    assert "another tab" not in response.content.decode()
    assert entry.revisions.count() == 1


@pytest.mark.parametrize("sent", [{}, {"base": ""}, {"base": "not-a-fingerprint"}])
def test_a_save_without_its_base_keeps_the_text_it_replaces(alice_client, queued, sent):
    entry = queued[0]
    alice_client.post(
        f"/entries/{entry.pk}/note/", {"note": "kept words", "base": note_fingerprint("")}
    )
    response = alice_client.post(f"/entries/{entry.pk}/note/", {"note": "new words", **sent},
                                 headers=HX)  # fmt: skip
    assert response.status_code == 200
    assert "Earlier versions (1)" in response.content.decode()
    entry.refresh_from_db()
    assert entry.note == "new words"
    assert list(entry.revisions.values_list("text", flat=True)) == ["kept words"]


def test_saving_the_note_as_it_is_writes_nothing_and_says_saved(
    alice_client, queued, django_assert_num_queries
):
    """A second Save (or a tab that saved these very words) finds them stored: no lock, no
    write, no earlier version; the answer is the same as for a save that wrote."""
    entry = queued[0]
    alice_client.post(f"/entries/{entry.pk}/note/", {"note": "12:04 the nitro part"})
    stamp = Entry.objects.get(pk=entry.pk).updated_at
    # the session with its person, the record, its earlier versions
    with django_assert_num_queries(3):
        response = alice_client.post(
            f"/entries/{entry.pk}/note/", {"note": "12:04 the nitro part"}, headers=HX
        )
    html = response.content.decode()
    assert "Note saved." in html and "Earlier versions" not in html
    assert "the nitro part" in html
    assert Entry.objects.get(pk=entry.pk).updated_at == stamp
    assert not entry.revisions.exists()


def test_reorder_refuses_unicode_digits(alice_client, queued):
    # Found by hypothesis: "¹".isdigit() is True, int("¹") fails.
    response = alice_client.post("/queue/reorder/", {"order": "¹,²"})
    assert response.status_code == 400


def test_settings_say_what_was_saved(alice_client, alice):
    def save(data) -> str:
        return alice_client.post("/settings/", data, follow=True).content.decode()

    assert "Saved: video thumbnails are off." in save({"speed_percent": "150"})
    both = save({"speed_percent": "175", "remote_images": "on"})
    assert "Saved: your speed is now 1.75x; video thumbnails are on." in both
    assert "Nothing to change: your speed is 1.75x." in save(
        {"speed_percent": "175", "remote_images": "on"}
    )
    page = alice_client.get("/settings/").content.decode()
    assert page.count('name="speed_percent"') == 5  # each speed once, one setting once
    assert page.count('name="remote_images"') == 1
