"""The catalog's order and its length filter: "how long at my speed", for an app about
fitting talks into evenings."""

import re

import pytest
from django.test import Client

from planner import queue
from planner.models import Entry, Profile
from sessions.models import Talk

HX = {"HX-Request": "true"}


def titles(html: str) -> list[str]:
    return re.findall(r'<a id="title-\d+" href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def short_talk(catalog) -> Talk:
    """A breakout whose real length is known: 24 minutes."""
    talk = catalog[5]
    Talk.objects.filter(pk=talk.pk).update(duration_seconds=24 * 60)
    return Talk.objects.get(pk=talk.pk)


def test_length_is_measured_at_the_persons_speed(client, alice_client, alice, catalog, short_talk):
    # Signed out (1.5x): keynotes (2 h estimates) take 80 min, breakouts (1 h) 40 min,
    # the 24-minute talk 16 min.
    html = client.get("/", {"length": "long"}).content.decode()
    assert "3 talks" in html
    assert set(titles(html)) == {t.title for t in catalog if t.kind == "keynote"}
    assert "9 talks" in client.get("/", {"length": "medium"}).content.decode()
    assert titles(client.get("/", {"length": "short"}).content.decode()) == [short_talk.title]
    # At 1x the breakouts take an hour: over an hour is "long" (an hour is not under it).
    Profile.objects.filter(user=alice).update(speed_percent=100)
    assert "12 talks" in alice_client.get("/", {"length": "long"}).content.decode()
    assert "0 talks" in alice_client.get("/", {"length": "medium"}).content.decode()


def test_sorted_shortest_first_and_newest_first(client, catalog, short_talk):
    html = client.get("/", {"sort": "length"}).content.decode()
    shown = titles(html)
    assert shown[0] == short_talk.title
    assert shown[-3:] == [t.title for t in catalog if t.kind == "keynote"]  # 2 h, source order
    assert '<h2 id="section-1">Shortest first</h2>' in html
    assert "Keynotes</h2>" not in html  # one list, not the source's sections
    Talk.objects.filter(pk=catalog[7].pk).update(held_on="2022-12-01")
    assert titles(client.get("/", {"sort": "date"}).content.decode())[0] == catalog[7].title


def test_most_watched_here_follows_what_people_do(client, alice, bob, catalog):
    assert titles(client.get("/", {"sort": "watched"}).content.decode())[0] == catalog[0].title
    queue.mark_watched(alice, catalog[9])
    queue.mark_watched(bob, catalog[9])
    queue.mark_watched(bob, catalog[4])
    shown = titles(client.get("/", {"sort": "watched"}).content.decode())
    assert shown[:2] == [catalog[9].title, catalog[4].title]
    # Queued: a different count, and the same page asked again sees the change at once.
    queue.track(alice, catalog[11])
    assert titles(client.get("/", {"sort": "queued"}).content.decode())[0] == catalog[11].title
    queue.track(bob, catalog[12])
    queue.track(alice, catalog[12])
    assert titles(client.get("/", {"sort": "queued"}).content.decode())[0] == catalog[12].title
    assert Entry.objects.count() == 6


def test_the_order_and_length_sit_beside_the_search_and_combine_with_it(client, catalog):
    html = client.get("/", {"q": "serverless", "sort": "length", "length": "medium"}).content
    html = html.decode()
    main = html[html.index('class="filters-main"') : html.index('class="more-filters"')]
    assert '<label for="id_sort">Order</label>' in main
    assert '<label for="id_length">Length at your speed</label>' in main
    assert '<option value="length" selected>Shortest first</option>' in main
    assert '<details class="more-filters">' in html  # nothing under More filters is set
    assert "matching “serverless”" in html


@pytest.mark.parametrize("bad", [{"sort": "random"}, {"length": "forever"}])
def test_an_unknown_order_or_length_is_refused_with_a_message(client, catalog, bad):
    response = client.get("/", bad)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_queue_filters_by_length_but_keeps_its_own_order(alice_client, alice, catalog):
    for talk in catalog[:5]:
        queue.track(alice, talk)
    html = alice_client.get("/queue/", {"length": "long"}).content.decode()
    assert 'id="id_sort"' not in html
    assert titles(html) == [t.title for t in catalog[:3]]
    assert Client().get("/queue/", {"length": "long"}).status_code == 302
