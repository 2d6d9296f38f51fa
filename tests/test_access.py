"""Every personal URL: anonymous people are sent to sign in, others get 404."""

import pytest
from django.forms.models import model_to_dict

from planner import queue
from planner.models import Entry

ENTRY_POSTS = [
    ("unqueue", {}),
    ("status", {"status": "watched"}),
    ("rating", {"rating": "1"}),
    ("note", {"note": "bob was here"}),
    ("tags", {"name": "bob"}),
    ("tags/remove", {"name": "mine"}),
    ("length", {"length": "1:00"}),
    ("move", {"direction": "down"}),
]
PERSONAL_GETS = ["/queue/", "/watched/", "/settings/"]


@pytest.fixture
def alices_entry(alice, catalog) -> Entry:
    queue.track(alice, catalog[1])
    entry = queue.track(alice, catalog[0])
    entry.rating, entry.note = 5, "alice's private note"
    entry.save()
    entry.tags.add("mine")
    return entry


def snapshot(entry: Entry) -> dict:
    entry = Entry.objects.get(pk=entry.pk)
    return {**model_to_dict(entry, exclude=["tags"]), "tags": sorted(entry.tags.names())}


@pytest.mark.parametrize(("action", "data"), ENTRY_POSTS)
def test_entry_actions_anonymous_are_sent_to_sign_in(client, alices_entry, action, data):
    before = snapshot(alices_entry)
    url = f"/entries/{alices_entry.pk}/{action}/"
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/accounts/login/?next={url}"
    assert snapshot(alices_entry) == before


@pytest.mark.parametrize(("action", "data"), ENTRY_POSTS)
def test_entry_actions_of_another_user_are_404(client, bob, alices_entry, action, data):
    before = snapshot(alices_entry)
    client.force_login(bob)
    assert client.post(f"/entries/{alices_entry.pk}/{action}/", data).status_code == 404
    hx = {"HX-Request": "true"}
    assert client.post(f"/entries/{alices_entry.pk}/{action}/", data, headers=hx).status_code == 404
    assert snapshot(alices_entry) == before


@pytest.mark.parametrize(("action", "data"), ENTRY_POSTS)
def test_entry_actions_owner_succeeds(alice_client, alices_entry, action, data):
    response = alice_client.post(f"/entries/{alices_entry.pk}/{action}/", data)
    assert response.status_code == 302


@pytest.mark.parametrize(("action", "data"), ENTRY_POSTS)
def test_entry_actions_unknown_id_is_404(alice_client, alices_entry, action, data):
    assert alice_client.post(f"/entries/987654/{action}/", data).status_code == 404


@pytest.mark.parametrize(("action", "data"), ENTRY_POSTS)
def test_entry_actions_refuse_get(alice_client, alices_entry, action, data):
    before = snapshot(alices_entry)
    assert alice_client.get(f"/entries/{alices_entry.pk}/{action}/", data).status_code == 405
    assert snapshot(alices_entry) == before


@pytest.mark.parametrize("url", PERSONAL_GETS)
def test_personal_pages_anonymous_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", PERSONAL_GETS)
def test_personal_pages_show_nothing_of_another_user(client, bob, alices_entry, url):
    queue.set_status(alices_entry, "watched", None, None)
    client.force_login(bob)
    html = client.get(url).content.decode()
    assert alices_entry.talk.title not in html
    assert "alice's private note" not in html


def test_track_and_reorder_anonymous_are_sent_to_sign_in(client, catalog):
    response = client.post(f"/talks/{catalog[0].pk}/track/", {"status": "queued"})
    assert response.headers["Location"].startswith("/accounts/login/")
    response = client.post("/queue/reorder/", {"order": "1,2"})
    assert response.headers["Location"].startswith("/accounts/login/")
    assert not Entry.objects.exists()


def test_talk_page_shows_only_my_record(client, bob, alices_entry):
    client.force_login(bob)
    html = client.get(alices_entry.talk.get_absolute_url()).content.decode()
    assert "alice's private note" not in html
    assert "Add to queue" in html
    assert "Remove from queue" not in html


def test_talk_page_anonymous_invites_sign_in(client, alices_entry):
    html = client.get(alices_entry.talk.get_absolute_url()).content.decode()
    assert "to queue this talk, rate it and take notes" in html
    assert "alice's private note" not in html


def test_not_found_page_is_friendly(client, catalog, settings):
    settings.DEBUG = False
    response = client.get("/talks/aws-reinvent-2022/nope/")
    assert response.status_code == 404
    assert "There is nothing at this address" in response.content.decode()
