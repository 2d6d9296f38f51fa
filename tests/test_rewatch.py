"""Rewatches keep the diary: every viewing stays, in pages, exports and backups."""

import csv
import datetime
import io
import json

import pytest
from django.core import signing
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet
from django.utils import timezone

from planner import backup, exports, queue
from planner.models import Entry, Viewing

HX = {"HX-Request": "true"}


def test_requeueing_a_watched_talk_keeps_it_in_the_diary(alice_client, alice, catalog):
    """The bug: "Add to queue" on a watched talk's card emptied its diary line."""
    talk = catalog[2]
    alice_client.post(f"/talks/{talk.pk}/track/", {"status": "watched"})
    entry = Entry.objects.get(user=alice, talk=talk)
    alice_client.post(f"/entries/{entry.pk}/rating/", {"rating": "4"})
    alice_client.post(f"/entries/{entry.pk}/note/", {"note": "12:00 the best bit", "base": ""})

    response = alice_client.post(
        f"/talks/{talk.pk}/track/", {"status": "queued", "fragment": "card"}, headers=HX
    )
    assert "Added" in response.content.decode()
    diary = alice_client.get("/watched/").content.decode()
    card = f'<a href="{talk.get_absolute_url()}" id="title-{talk.pk}">{talk.title}</a>'
    assert card in diary  # its diary card
    assert 'aria-label="Rated 4 of 5"' in diary
    assert "the best bit" in diary
    assert "Queued to watch again" in diary
    entry.refresh_from_db()
    assert (entry.status, entry.rating) == ("queued", 4)


def test_a_rating_is_kept_by_the_record_and_its_viewing_or_by_neither(alice, catalog, monkeypatch):
    """The record and its latest viewing hold the same rating: a failure between the two
    writes must not leave them apart. (On PostgreSQL both are one statement: see below.)"""
    if connection.vendor == "postgresql":
        pytest.skip("one statement on PostgreSQL: nothing comes between the two writes")
    entry = queue.track(alice, catalog[0])
    queue.set_status(entry, "watched", None, datetime.date(2026, 10, 3))
    entry.refresh_from_db()
    entry.set_rating(3)

    def fails(*args, **kwargs):
        raise DatabaseError("the connection went away")

    monkeypatch.setattr(QuerySet, "update", fails)  # the viewing's write; the record's is save()
    with pytest.raises(DatabaseError):
        entry.set_rating(5)
    assert Entry.objects.get(pk=entry.pk).rating == 3
    assert list(entry.viewings.values_list("rating", flat=True)) == [3]


def test_a_rating_writes_the_record_and_only_its_latest_viewing(alice, catalog):
    """What set_rating writes, on either database (on PostgreSQL in one statement that
    reads the status as it writes): the record, and the newest viewing of a watched talk;
    an earlier viewing keeps its own rating, a talk no longer watched keeps its viewings'."""
    entry = queue.track(alice, catalog[0])
    queue.set_status(entry, "watched", None, datetime.date(2026, 10, 3))
    entry.refresh_from_db()
    entry.set_rating(2)
    Viewing.objects.create(entry=entry, watched_on=datetime.date(2026, 11, 5))
    entry.set_rating(4)
    assert list(entry.viewings.values_list("watched_on", "rating")) == [
        (datetime.date(2026, 11, 5), 4),
        (datetime.date(2026, 10, 3), 2),
    ]
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.QUEUED)
    entry.refresh_from_db()
    entry.set_rating(5)
    assert Entry.objects.get(pk=entry.pk).rating == 5
    assert sorted(entry.viewings.values_list("rating", flat=True)) == [2, 4]


def test_a_rewatch_is_a_second_viewing_with_its_own_date_and_rating(alice_client, alice, catalog):
    talk = catalog[0]
    entry = queue.track(alice, talk)
    queue.set_status(entry, "watched", None, datetime.date(2026, 10, 3))
    entry.refresh_from_db()
    entry.set_rating(3)
    queue.track(alice, talk)  # again, later
    alice_client.post(f"/entries/{entry.pk}/status/", {"status": "watched"})
    entry.refresh_from_db()
    entry.set_rating(5)

    viewings = list(entry.viewings.values_list("watched_on", "rating"))
    assert viewings == [(timezone.localdate(), 5), (datetime.date(2026, 10, 3), 3)]
    page = alice_client.get(talk.get_absolute_url()).content.decode()
    assert f"Watched {timezone.localdate():%-d %b %Y} (and 1 more time)" in page
    entry.note = "the second time it clicked"
    entry.save()
    diary = alice_client.get("/watched/").content.decode()
    assert diary.count(f">{talk.title}</a>") == 2
    assert 'aria-label="Rated 3 of 5"' in diary and 'aria-label="Rated 5 of 5"' in diary
    assert diary.count("the second time it clicked") == 1  # with the latest viewing
    assert diary.count("An earlier viewing") == 1


def test_marking_a_talk_watched_twice_on_one_day_keeps_one_viewing(alice_client, alice, catalog):
    talk = catalog[0]
    alice_client.post(f"/talks/{talk.pk}/track/", {"status": "watched"})
    entry = Entry.objects.get(user=alice, talk=talk)
    queue.set_status(entry, "watching", 60, None)  # "watch again", then done the same day
    response = alice_client.post(
        f"/talks/{talk.pk}/track/", {"status": "watched", "fragment": "card"}, headers=HX
    )
    assert list(entry.viewings.values_list("watched_on", flat=True)) == [timezone.localdate()]

    # Its Undo puts the status back and keeps the viewing that was there before the click.
    token = response.content.decode().split('name="token" value="')[1].split('"')[0]
    alice_client.post("/entries/undo-watched/", {"token": token, "fragment": "card"}, headers=HX)
    entry.refresh_from_db()
    assert (entry.status, entry.resume_seconds) == ("watching", 60)
    assert list(entry.viewings.values_list("watched_on", flat=True)) == [timezone.localdate()]
    diary = alice_client.get("/watched/").content.decode()
    assert diary.count(f">{talk.title}</a>") == 1


def test_changing_the_date_of_a_watched_talk_moves_its_latest_viewing(alice_client, alice, catalog):
    entry = queue.track(alice, catalog[0], Entry.Status.WATCHED)
    alice_client.post(
        f"/entries/{entry.pk}/status/", {"status": "watched", "watched_on": "2026-11-01"}
    )
    assert list(entry.viewings.values_list("watched_on", flat=True)) == [datetime.date(2026, 11, 1)]


def test_marking_watched_clears_the_resume_time(alice_client, alice, catalog):
    entry = queue.track(alice, catalog[0])
    queue.set_status(entry, "watching", 754, None)
    alice_client.post(f"/entries/{entry.pk}/status/", {"status": "watched", "resume": "12:34"})
    entry.refresh_from_db()
    assert (entry.status, entry.resume_seconds) == ("watched", None)


# One-click watched and its Undo -------------------------------------------------


def _queue3(alice, catalog):
    return [queue.track(alice, talk) for talk in catalog[:3]]


def test_mark_watched_from_a_queue_row_offers_undo_that_puts_it_back(alice_client, alice, catalog):
    entries = _queue3(alice, catalog)
    middle = entries[1]
    queue.set_status(middle, "watching", 600, None)
    response = alice_client.post(
        f"/talks/{middle.talk_id}/track/",
        {"status": "watched", "fragment": "queue"},
        headers={**HX, "HX-Current-URL": "http://testserver/queue/"},
    )
    html = response.content.decode()
    assert f"Marked “{middle.talk.title}” as watched today." in html
    assert 'action="/entries/undo-watched/"' in html and 'hx-target="#queue"' in html
    assert middle.talk.title not in html.split('id="announce"')[0]  # left the queue
    token = html.split('name="token" value="')[1].split('"')[0]

    response = alice_client.post(
        "/entries/undo-watched/", {"token": token, "fragment": "queue"}, headers=HX
    )
    assert "back in your queue" in response.content.decode()
    middle.refresh_from_db()
    assert (middle.status, middle.resume_seconds) == ("watching", 600)
    assert [e.pk for e in Entry.objects.for_user(alice).queued()] == [e.pk for e in entries]
    assert not Viewing.objects.exists()


def test_mark_watched_without_javascript_shows_undo_under_the_message(alice_client, alice, catalog):
    talk = catalog[4]
    response = alice_client.post(
        f"/talks/{talk.pk}/track/", {"status": "watched", "next": "/"}, follow=True
    )
    html = response.content.decode()
    assert f"Marked “{talk.title}” as watched today." in html
    assert 'action="/entries/undo-watched/"' in html
    token = html.split('name="token" value="')[1].split('"')[0]
    # Shown once: the next page does not offer it again.
    assert 'name="token"' not in alice_client.get("/").content.decode()
    response = alice_client.post("/entries/undo-watched/", {"token": token, "next": "/"})
    assert response.status_code == 302
    # It was not in the plan before the click: the record goes again.
    assert not Entry.objects.filter(user=alice, talk=talk).exists()


def test_undo_refuses_another_persons_or_a_forged_token(client, alice, bob, catalog):
    entry, before = queue.mark_watched(alice, catalog[0])
    token = queue.undo_token(entry, before)
    client.force_login(bob)
    assert client.post("/entries/undo-watched/", {"token": token}).status_code == 400
    forged = signing.dumps([entry.pk, "queued", 1, None, None], salt="undo-watched:999")
    assert client.post("/entries/undo-watched/", {"token": forged}).status_code == 400
    assert Entry.objects.get(pk=entry.pk).status == "watched"


def test_undo_after_a_later_change_changes_nothing(alice_client, alice, catalog):
    entry, before = queue.mark_watched(alice, queue.track(alice, catalog[0]).talk)
    token = queue.undo_token(entry, before)
    alice_client.post(f"/entries/{entry.pk}/status/", {"status": "skipped"})
    alice_client.post("/entries/undo-watched/", {"token": token})
    entry.refresh_from_db()
    assert entry.status == "skipped"
    assert entry.viewings.count() == 1


# Exports and backups ------------------------------------------------------------


@pytest.fixture
def rewatched(alice, catalog):
    entry = queue.track(alice, catalog[2])
    queue.set_status(entry, "watched", None, datetime.date(2026, 9, 1))
    entry.refresh_from_db()
    entry.set_rating(3)
    queue.track(alice, catalog[2])
    queue.set_status(entry, "watched", None, datetime.date(2026, 11, 20))
    entry.refresh_from_db()
    entry.set_rating(5)
    return entry


def test_csv_has_a_row_per_viewing(alice_client, rewatched):
    rows = list(csv.reader(io.StringIO(alice_client.get("/watched/export.csv").content.decode())))
    assert [(r[0], r[3]) for r in rows[1:]] == [("2026-11-20", "5"), ("2026-09-01", "3")]


def test_markdown_diary_names_every_day(alice, rewatched):
    text = exports.diary_markdown(alice)
    assert "Watched on 20 November 2026, 01 September 2026." in text
    assert text.count(f"## {rewatched.talk.title}") == 1  # the writeup has one section a video


def test_backup_round_trip_keeps_every_viewing(alice, bob, rewatched):
    data = backup.backup(alice)
    assert data["version"] == 3
    assert data["entries"][0]["viewings"] == [
        {"watched_on": "2026-11-20", "rating": 5},
        {"watched_on": "2026-09-01", "rating": 3},
    ]
    backup.restore(bob, backup.parse_backup(json.dumps(data).encode()))
    mine = Entry.objects.get(user=bob)
    assert list(mine.viewings.values_list("watched_on", "rating")) == [
        (datetime.date(2026, 11, 20), 5),
        (datetime.date(2026, 9, 1), 3),
    ]
    # Importing it again adds nothing twice.
    backup.restore(bob, backup.parse_backup(json.dumps(data).encode()))
    assert mine.viewings.count() == 2


def test_version_1_backups_still_read(bob, catalog):
    old = {
        "format": "catch-up-backup",
        "version": 1,
        "profile": {"speed_percent": 150},
        "entries": [
            {
                "talk": {"conference": "aws-reinvent-2022", "video_id": catalog[0].video_ref},
                "status": "watched",
                "rating": 4,
                "watched_on": "2022-12-05",
            }
        ],
        "lists": [],
    }
    backup.restore(bob, backup.parse_backup(json.dumps(old).encode()))
    entry = Entry.objects.get(user=bob)
    assert list(entry.viewings.values_list("watched_on", "rating")) == [
        (datetime.date(2022, 12, 5), 4)
    ]


def test_backup_with_a_bad_viewing_is_refused(catalog):
    bad = {
        "format": "catch-up-backup",
        "version": 2,
        "profile": {},
        "lists": [],
        "entries": [{"talk": {"video_id": catalog[0].video_ref}, "viewings": [{"rating": 2}]}],
    }
    with pytest.raises(backup.BackupError, match="viewing 1: 'watched_on' is missing"):
        backup.parse_backup(json.dumps(bad).encode())


@pytest.mark.django_db(transaction=True)
def test_migration_turns_every_watched_date_into_a_viewing(catalog):
    """Including the records a re-queue had hidden from the diary."""
    executor = MigrationExecutor(connection)
    executor.migrate([("planner", "0003_note_revisions")])
    apps = executor.loader.project_state([("planner", "0003_note_revisions")]).apps
    User = apps.get_model("auth", "User")
    OldEntry = apps.get_model("planner", "Entry")
    user = User.objects.create(username="old")
    talks = [t.pk for t in catalog[:3]]
    OldEntry.objects.create(user=user, talk_id=talks[0], status="watched", rating=4,
                            watched_on=datetime.date(2022, 12, 5))  # fmt: skip
    OldEntry.objects.create(user=user, talk_id=talks[1], status="queued", position=1,
                            watched_on=datetime.date(2022, 12, 6))  # fmt: skip
    OldEntry.objects.create(user=user, talk_id=talks[2], status="queued", position=2)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    got = sorted(Viewing.objects.values_list("entry__talk_id", "watched_on", "rating"))
    assert got == [
        (talks[0], datetime.date(2022, 12, 5), 4),
        (talks[1], datetime.date(2022, 12, 6), None),
    ]


def test_undo_on_a_plainly_queued_talk_keeps_the_record_in_its_place(alice, catalog):
    entries = _queue3(alice, catalog)
    entry, before = queue.mark_watched(alice, catalog[0])
    restored = queue.undo_watched(entry, before)
    assert restored.pk == entries[0].pk
    queued = list(Entry.objects.for_user(alice).queued().values_list("pk", flat=True))
    assert queued == [e.pk for e in entries]
