"""Staff fold a talk someone added into the catalog's own talk: every person's records,
viewings, notes, tags and list places follow it; nothing anyone wrote is dropped."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from planner import notes, queue, sharing
from planner.merge import merge_talk
from planner.models import NOTE_MAX_CHARS, Entry, NoteRevision, RecommendedList, Viewing
from sessions import lookup, video, writer
from sessions.models import FoundTalk, Recording, Talk
from tests.conftest import PASSWORD


@pytest.fixture
def added(alice, catalog) -> Talk:
    item = lookup.blank(video.Recording("vimeo", "76979871"))
    item.title = "Werner's keynote, as a friend sent it"
    return writer.add_found_talk(item, None, alice.pk, credited=True)[0]


@pytest.fixture
def vogels(catalog) -> Talk:
    return Talk.objects.get(title="Werner Vogels - CTO AWS")


def test_a_record_of_the_added_talk_only_moves_as_it_is(alice, added, vogels):
    queue.track(alice, added)
    notes.save(Entry.objects.get(user=alice, talk=added), "12:00 the good part", "")
    done = merge_talk(added, vogels)
    entry = Entry.objects.get(user=alice, talk=vogels)
    assert (done.moved, done.joined) == (1, 0)
    assert entry.in_queue and entry.note == "12:00 the good part"
    assert "youtu.be/" + vogels.video_ref in entry.note_html  # the note links the new video
    assert not Talk.objects.filter(pk=added.pk).exists()
    assert not FoundTalk.objects.exists()


def test_records_of_both_are_joined_and_nothing_is_lost(alice, bob, added, vogels):
    mine = queue.track(alice, vogels)
    mine.rating = 4
    mine.save()
    notes.save(mine, "My own note", "")
    theirs = queue.track(alice, added, Entry.Status.WATCHED)
    Viewing.objects.filter(entry=theirs).update(watched_on=datetime.date(2026, 11, 20), rating=5)
    theirs.rating = 5
    theirs.save()
    notes.save(theirs, "First version", "")
    notes.save(theirs, "From the added talk", "")  # keeps "First version" as a revision
    theirs.tags.add("friends")
    queue.track(bob, added)
    position = Entry.objects.get(user=alice, talk=vogels).position

    done = merge_talk(added, vogels)
    assert (done.moved, done.joined) == (1, 1)
    entry = Entry.objects.get(user=alice, talk=vogels)
    assert entry.note == "My own note\n\nFrom the added talk"
    assert entry.rating == 4  # the target's own rating wins; the other is in the viewing
    assert entry.status == Entry.Status.QUEUED and entry.position == position
    assert list(entry.viewings.values_list("rating", flat=True)) == [5]
    assert "First version" in NoteRevision.objects.filter(entry=entry).values_list(
        "text", flat=True
    )
    assert list(entry.tags.names()) == ["friends"]
    assert Entry.objects.filter(user=alice).count() == 1
    assert Entry.objects.get(user=bob, talk=vogels).in_queue


def test_a_note_too_long_to_join_is_kept_as_an_earlier_version(alice, added, vogels):
    mine = queue.track(alice, vogels)
    notes.save(mine, "x" * (NOTE_MAX_CHARS - 10), "")
    theirs = queue.track(alice, added)
    notes.save(theirs, "the other note", "")
    merge_talk(added, vogels)
    entry = Entry.objects.get(user=alice, talk=vogels)
    assert entry.note == "x" * (NOTE_MAX_CHARS - 10)
    assert entry.revisions.filter(text="the other note").exists()


def test_queue_places_stay_whole(alice, added, vogels, catalog):
    queue.track(alice, catalog[0])
    queue.track(alice, added)  # second in the queue
    queue.track(alice, catalog[1])
    merge_talk(added, vogels)
    order = list(Entry.objects.for_user(alice).queued().values_list("talk__title", flat=True))
    assert order == [catalog[0].title, vogels.title, catalog[1].title]


def test_list_places_and_recordings_follow(alice, added, vogels):
    rlist = RecommendedList.objects.create(user=alice, title="Picks")
    sharing.add_item(rlist, added, blurb="Watch it.")
    merge_talk(added, vogels)
    assert list(rlist.items.values_list("talk_id", "blurb")) == [(vogels.pk, "Watch it.")]
    assert set(Recording.objects.filter(talk=vogels).values_list("provider", "reference")) == {
        ("youtube", vogels.video_ref), ("vimeo", "76979871")
    }  # fmt: skip


def test_staff_merge_from_the_talk_page(alice, added, vogels):
    staff = User.objects.create_user("root", "r@example.com", PASSWORD, is_staff=True)
    client = Client()
    client.force_login(staff)
    page = client.get(added.get_absolute_url()).content.decode()
    assert "Staff: is this a catalog talk?" in page
    assert "Staff: is this" not in client.get(vogels.get_absolute_url()).content.decode()
    bad = client.post(f"/talks/{added.pk}/merge/", {"target": "/talks/nope/nope/"}, follow=True)
    assert "Not merged: No talk at that address." in bad.content.decode()
    response = client.post(
        f"/talks/{added.pk}/merge/", {"target": f"https://planner.test{vogels.get_absolute_url()}"}
    )
    assert response["Location"] == vogels.get_absolute_url()
    assert not Talk.objects.filter(pk=added.pk).exists()


def test_only_staff_may_merge(alice_client, added, vogels):
    response = alice_client.post(f"/talks/{added.pk}/merge/", {"target": str(vogels.pk)})
    assert response.status_code == 404
    assert Talk.objects.filter(pk=added.pk).exists()
    assert "Staff: is this" not in alice_client.get(added.get_absolute_url()).content.decode()
