"""Any talk onto a list from its card or page: choose a list or make one."""

import pytest

from planner.models import ListItem, RecommendedList

HX = {"HX-Request": "true"}


@pytest.fixture
def mine(alice):
    return RecommendedList.objects.create(user=alice, title="For the team")


def test_a_talk_nobody_queued_goes_on_a_list(alice_client, alice, catalog, mine):
    talk = catalog[8]
    page = alice_client.get(f"/talks/{talk.pk}/lists/?next=/").content.decode()
    assert '<option value="" selected>Choose a list</option>' in page
    assert f'<option value="{mine.pk}">For the team</option>' in page
    response = alice_client.post(f"/talks/{talk.pk}/lists/", {"rlist": mine.pk, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert list(mine.items.values_list("talk_id", flat=True)) == [talk.pk]
    follow = alice_client.get("/").content.decode()
    assert f"Added “{talk.title}” to “For the team”." in follow


def test_a_new_list_is_made_on_the_way(alice_client, alice, catalog):
    talk = catalog[2]
    page = alice_client.get(f"/talks/{talk.pk}/lists/").content.decode()
    assert 'name="rlist"' not in page  # no list yet: only a title to give
    assert "A new list" in page
    response = alice_client.post(f"/talks/{talk.pk}/lists/", {"title": "  Async  "}, headers=HX)
    html = response.content.decode()
    rlist = RecommendedList.objects.get(user=alice)
    assert rlist.title == "Async"
    assert f"Added “{talk.title}” to “Async”." in html
    assert f'href="/lists/{rlist.pk}/"' in html
    assert ListItem.objects.get(recommended_list=rlist).speed_percent == 150


def test_twice_on_the_same_list_is_said_and_kept_once(alice_client, catalog, mine):
    talk = catalog[0]
    for _ in range(2):
        response = alice_client.post(f"/talks/{talk.pk}/lists/", {"rlist": mine.pk}, headers=HX)
    assert f"“{talk.title}” is on “For the team” already." in response.content.decode()
    assert mine.items.count() == 1


def test_nothing_chosen_is_refused_beside_the_form(alice_client, catalog, mine):
    response = alice_client.post(f"/talks/{catalog[0].pk}/lists/", {"rlist": ""}, headers=HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a list, or give a new one a title." in html
    assert html.strip().startswith('<div class="to-list"')  # the form again, in its place
    assert not ListItem.objects.exists()


def test_someone_elses_list_is_not_offered_or_taken(alice_client, bob, catalog, mine):
    theirs = RecommendedList.objects.create(user=bob, title="Bob's")
    page = alice_client.get(f"/talks/{catalog[0].pk}/lists/").content.decode()
    assert "Bob&#x27;s" not in page
    response = alice_client.post(f"/talks/{catalog[0].pk}/lists/", {"rlist": theirs.pk})
    assert response.status_code == 400
    assert "That list is gone; choose another." in response.content.decode()
    assert not theirs.items.exists()


def test_cards_and_the_talk_page_offer_it(alice_client, catalog):
    talk = catalog[4]
    home = alice_client.get("/").content.decode()
    assert (
        f'id="to-list-link-{talk.pk}" aria-labelledby="to-list-link-{talk.pk} title-{talk.pk}"'
        in home
    )
    assert f'href="/talks/{talk.pk}/lists/?next=%2F"' in home
    page = alice_client.get(talk.get_absolute_url()).content.decode()
    assert f'id="to-list-link-{talk.pk}"' in page


def test_signed_out_the_form_asks_to_sign_in(client, catalog):
    response = client.get(f"/talks/{catalog[0].pk}/lists/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert 'id="to-list-link-' not in client.get("/").content.decode()
