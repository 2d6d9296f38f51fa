"""The list editor is one form: nothing typed on the page is lost, whichever button is pressed."""

import pytest

from planner import queue, sharing
from planner.models import Entry, ListItem, RecommendedList

HX = {"HX-Request": "true"}


@pytest.fixture
def two(alice, catalog) -> RecommendedList:
    rlist = RecommendedList.objects.create(user=alice, title="Evening", intro="")
    for talk in catalog[:3]:
        queue.track(alice, talk, Entry.Status.WATCHED)
    sharing.add_item(rlist, catalog[0], blurb="")
    sharing.add_item(rlist, catalog[1], blurb="")
    return rlist


def page_data(rlist, **typed) -> dict:
    """What the browser sends for the list page's form, with `typed` changes."""
    data = {"title": rlist.title, "intro": rlist.intro}
    for item in rlist.items.all():
        p = f"item{item.pk}"
        data |= {f"{p}-blurb": item.blurb, f"{p}-speed_percent": str(item.speed_percent),
                 f"{p}-start": ""}  # fmt: skip
    return data | typed


def blurbs(rlist) -> list[str]:
    return list(rlist.items.order_by("position").values_list("blurb", flat=True))


def test_the_page_is_one_form_with_one_save(alice_client, two):
    html = alice_client.get(f"/lists/{two.pk}/").content.decode()
    assert html.count("<form") - html.count('action="/accounts/logout/"') == 1
    assert html.count(">Save list</button>") == 1
    assert 'formaction="/lists/' in html  # every other button submits the same form


def test_two_blurbs_typed_then_one_save_keeps_both(alice_client, two):
    """The bug: talk 2's Save sent only talk 2's fields and talk 1's blurb was gone."""
    first, second = two.items.order_by("position")
    data = page_data(two, **{f"item{first.pk}-blurb": "One", f"item{second.pk}-blurb": "Two"})
    response = alice_client.post(f"/lists/{two.pk}/", data)
    assert response.status_code == 302
    assert blurbs(two) == ["One", "Two"]


@pytest.mark.parametrize("action", ["move", "remove", "add", "publish"])
def test_any_button_saves_what_was_typed_first(alice_client, two, catalog, action):
    first, second = two.items.order_by("position")
    data = page_data(two, title="Renamed", **{f"item{first.pk}-blurb": "Typed"})
    url = {
        "move": (f"/lists/{two.pk}/items/{second.pk}/move/", {"direction": "top"}),
        "remove": (f"/lists/{two.pk}/items/{second.pk}/remove/", {}),
        "add": (f"/lists/{two.pk}/items/", {"talk": str(catalog[2].pk)}),
        "publish": (f"/lists/{two.pk}/publish/", {}),
    }[action]
    assert alice_client.post(url[0], data | url[1]).status_code == 302
    two.refresh_from_db()
    assert two.title == "Renamed"
    assert ListItem.objects.get(pk=first.pk).blurb == "Typed"


def test_an_error_in_one_talk_keeps_every_typed_text_and_saves_the_rest(alice_client, two):
    first, second = two.items.order_by("position")
    data = page_data(
        two,
        **{f"item{first.pk}-blurb": "Saved anyway", f"item{second.pk}-blurb": "Kept on screen",
           f"item{second.pk}-start": "99:99"},
    )  # fmt: skip
    response = alice_client.post(
        f"/lists/{two.pk}/items/{first.pk}/move/", data | {"direction": "down"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Not moved: please correct the errors below first" in html
    assert "Enter a time as mm:ss" in html
    assert 'value="Kept on screen"' in html and 'value="99:99"' in html
    assert blurbs(two) == ["Saved anyway", ""]  # and nothing moved


def test_autosave_answers_with_its_status_only(alice_client, two):
    first, _ = two.items.order_by("position")
    response = alice_client.post(
        f"/lists/{two.pk}/", page_data(two, **{f"item{first.pk}-blurb": "Auto"}), headers=HX
    )
    html = response.content.decode()
    assert html.strip().startswith('<p id="list-save-status"')
    assert "All changes saved at" in html
    assert "<input" not in html  # the fields being typed in are never replaced
    assert blurbs(two)[0] == "Auto"
    bad = alice_client.post(f"/lists/{two.pk}/", page_data(two, title=""), headers=HX)
    assert bad.status_code == 422
    assert "Not saved: Title: This field is required" in bad.content.decode()
    two.refresh_from_db()
    assert two.title == "Evening"


def test_add_a_talk_offers_only_talks_not_on_the_list(alice_client, two, catalog):
    html = alice_client.get(f"/lists/{two.pk}/").content.decode()
    menu = html.split('name="talk"')[1].split("</select>")[0]
    assert catalog[2].title in menu
    assert catalog[0].title not in menu and catalog[1].title not in menu
    response = alice_client.post(f"/lists/{two.pk}/items/", {"talk": str(catalog[0].pk)})
    assert response.status_code == 400
    assert "on this list already" in response.content.decode()
    assert "Added" not in response.content.decode()
    assert two.items.count() == 2


def test_delete_asks_first_and_says_the_link_breaks(alice_client, two):
    sharing.publish(two)
    response = alice_client.post(f"/lists/{two.pk}/delete/", page_data(two, title="Typed"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Delete “Evening”?" in html and "The shared link stops working." in html
    assert 'name="confirm" value="yes"' in html
    assert RecommendedList.objects.filter(pk=two.pk).exists()
    response = alice_client.post(f"/lists/{two.pk}/delete/", {"confirm": "yes"})
    assert response.headers["Location"] == "/lists/"
    assert not RecommendedList.objects.filter(pk=two.pk).exists()


def test_page_warns_before_leaving_with_unsaved_text(alice_client, two):
    html = alice_client.get(f"/lists/{two.pk}/").content.decode()
    assert "data-warn-unsaved" in html
    assert html.count("data-confirm=") == 1  # delete (the list is not published)


def test_a_stale_autosave_never_brings_back_a_switched_off_link_or_undoes_a_move(alice_client, two):
    sharing.publish(two)
    first, second = two.items.order_by("position")
    stale = page_data(two, **{f"item{first.pk}-blurb": "late"})  # typed before the clicks
    alice_client.post(f"/lists/{two.pk}/unpublish/", {"confirm": "yes"})
    alice_client.post(f"/lists/{two.pk}/items/{second.pk}/move/", {"direction": "top"})
    assert alice_client.post(f"/lists/{two.pk}/", stale, headers=HX).status_code == 200
    two.refresh_from_db()
    assert (two.share_token, two.share_digest) == ("", None)
    assert list(two.items.order_by("position").values_list("pk", "blurb")) == [
        (second.pk, ""),
        (first.pk, "late"),
    ]


def test_an_intro_saved_from_the_editor_is_what_the_public_page_renders(alice_client, client, two):
    alice_client.post(f"/lists/{two.pk}/", page_data(two, intro="Start **here**."), headers=HX)
    token = sharing.publish(two)
    assert "Start <strong>here</strong>." in client.get(f"/s/{token}/").content.decode()
