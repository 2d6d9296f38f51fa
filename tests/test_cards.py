"""Talk cards keep their public part in memory per catalog version (planner.cards): the
page must be the same HTML whether it was in memory or drawn, and nothing personal
may travel from one person's page to another's."""

import re

import pytest
from django.core.cache import caches

from planner import queue
from planner.models import Entry, Profile
from sessions.models import Talk


def same_parts(html: str) -> str:
    """The page less what differs on every response (nonces, masked CSRF tokens)."""
    html = re.sub(r'(nonce="|csrftoken": "|name="csrfmiddlewaretoken" value=")[^"]+"', "", html)
    return html


def card_of(html: str, talk: Talk) -> str:
    return re.search(rf'<li class="card" id="talk-{talk.pk}">.*?\n</li>', html, re.S)[0]


def page(client, **query) -> str:
    response = client.get("/", query)
    assert response.status_code == 200
    return same_parts(response.content.decode())


@pytest.fixture
def states(alice, bob, make_talks):
    """Alice has talks in every state and watches at 1.5x; Bob at 2x, pictures off."""
    talks = make_talks(6)
    queue.track(alice, talks[0])
    watching = queue.track(alice, talks[1])
    queue.set_status(watching, Entry.Status.WATCHING, resume_seconds=90, watched_on=None)
    watched = queue.track(alice, talks[2], Entry.Status.WATCHED)
    Entry.objects.filter(pk=watched.pk).update(rating=4)
    Profile.objects.update_or_create(user=alice, defaults={"speed_percent": 150})
    Profile.objects.update_or_create(
        user=bob, defaults={"speed_percent": 200, "remote_images": False}
    )
    queue.track(bob, talks[3])
    return talks


@pytest.mark.parametrize("who", ["anon", "alice", "bob"])
def test_page_is_the_same_from_memory_as_drawn(client, alice, bob, states, who):
    if who != "anon":
        client.force_login({"alice": alice, "bob": bob}[who])
    drawn = page(client)
    from_memory = page(client)
    assert from_memory == drawn
    caches["cards"].clear()
    caches["pages"].clear()
    assert page(client) == drawn


def test_one_persons_cards_never_show_on_anothers_page(client, alice, bob, states):
    client.force_login(alice)
    mine = page(client)
    client.force_login(bob)
    theirs = page(client)  # every card now comes from memory filled by Alice's page
    caches["cards"].clear()
    client.force_login(bob)
    assert page(client) == theirs
    first, watching, watched, bobs = (card_of(theirs, t) for t in states[:4])
    assert "Add to queue" in first and "badge-queued" not in first
    assert "Resume" not in watching and "★" not in watched
    assert "Remove from queue" in card_of(theirs, states[3]) and bobs
    assert "at 2x" in first and "at 1.5x" not in theirs
    assert 'class="thumb thumb-none"' in first and "<img" not in first
    assert "Resume 1:30" in card_of(mine, watching_talk := states[1]) and watching_talk
    assert "at 1.5x" in card_of(mine, states[0]) and "<img" in card_of(mine, states[0])


def test_a_changed_talk_shows_at_once(client, states):
    before = page(client)
    assert "Talk number 0<" in before
    Talk.objects.filter(pk=states[0].pk).update(title="Renamed by an import")
    after = page(client)
    assert "Renamed by an import" in card_of(after, states[0])
    states[1].tags.set(["brand-new-topic"])
    assert '<span class="chip chip-text">brand-new-topic</span>' in card_of(page(client), states[1])


def test_an_htmx_card_answer_is_the_card_on_the_page(alice_client, alice, states):
    page(alice_client)  # cards in memory
    talk = states[4]
    response = alice_client.post(
        f"/talks/{talk.pk}/track/",
        {"status": "queued", "fragment": "card", "next": "/"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/",
    )
    fragment = card_of(same_parts(response.content.decode()), talk)
    assert "Remove from queue" in fragment
    # The answer also carries the live region's news, inside the card it replaces.
    fragment = re.sub(r'\s*<div id="announce" hx-swap-oob="innerHTML">.*?</div>\s*(?=\n</li>)', "",
                      fragment)  # fmt: skip
    assert fragment == card_of(page(alice_client), talk)


def test_signed_out_results_kept_whole_never_reach_a_signed_in_page(client, alice, states):
    signed_out = page(client)
    assert "Add to queue" not in signed_out
    htmx = client.get("/", {"q": "talk"}, HTTP_HX_REQUEST="true").content.decode()
    assert htmx.startswith('\n<div id="results">') and "6 talks matching" in htmx
    assert client.get("/", {"q": "talk"}, HTTP_HX_REQUEST="true").content.decode() == htmx
    assert "<html" not in htmx and 'hx-swap-oob="innerHTML">6 talks matching' in htmx
    client.force_login(alice)
    mine = page(client)
    assert "Add to queue" in mine and "Resume 1:30" in mine
    assert card_of(mine, states[0]) != card_of(signed_out, states[0])


def test_kept_filters_show_each_persons_own_tags_and_choice(client, alice, bob, states):
    Entry.objects.get(user=alice, talk=states[0]).tags.add("alices-tag")
    Entry.objects.get(user=bob, talk=states[3]).tags.add("bobs-tag")
    client.force_login(alice)
    for _ in range(2):  # drawn, then kept
        mine = page(client, kind="keynote")
        assert '<option value="alices-tag">' in mine and "bobs-tag" not in mine
        assert '<option value="keynote" selected>' in mine
    client.force_login(bob)
    for _ in range(2):
        theirs = page(client, kind="keynote")
        assert '<option value="bobs-tag">' in theirs and "alices-tag" not in theirs
    assert '<option value="keynote">' in page(client, kind="breakout")
