"""Publish a list, open it signed out in a fresh browser, revoke it."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from planner import queue
from planner.models import Entry, ListItem
from sessions.models import Talk
from tests.browser.steps import scripts_ready, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def curator(live_catalog):
    user = User.objects.create_user("curator", "curator@example.com", PASSWORD)
    talks = {t.position: t for t in Talk.objects.all()}
    for position, rating, note in [
        (3, 5, "12:34 the Matrix parody"),
        (9, 4, "my private musings on the nines"),
    ]:
        entry = queue.track(user, talks[position], Entry.Status.WATCHED)
        entry.rating, entry.note = rating, note
        entry.save()
    return user


def test_publish_open_signed_out_revoke(browser, live_server, page, curator):
    sign_in(page, "curator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lists").click()
    page.get_by_label("Title").fill("Watch these first")
    page.get_by_label("Intro").fill("Two talks from re:Invent 2022.")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_role("heading", name="Watch these first", level=1)).to_be_visible()

    for title in (
        "Werner Vogels - CTO AWS",
        "Beyond five 9s: Lessons from our highest available data planes",
    ):
        page.get_by_label("Add a talk").select_option(label=title)
        page.get_by_role("button", name="Add to list").click()
    # Type into both talks, then press a button of the second: nothing typed is lost.
    first, second = page.locator(".list-items > li").first, page.locator(".list-items > li").nth(1)
    first.get_by_label("Why watch it").fill("The best keynote of the week.")
    first.get_by_label("Start at").fill("1:30")
    first.get_by_label("share my note").check()
    second.get_by_label("Why watch it").fill("Nines, explained.")
    second.get_by_role("button", name=re.compile("^Move to top")).click()
    expect(page.locator(".list-items > li").first).to_contain_text("Beyond five 9s")
    assert [i.blurb for i in ListItem.objects.order_by("position")] == [
        "Nines, explained.",
        "The best keynote of the week.",
    ]
    # With JavaScript it also saves as you type.
    page.locator(".list-items > li").nth(1).get_by_label("Why watch it").fill("The best keynote.")
    expect(page.locator("#list-save-status")).to_contain_text("All changes saved")
    assert ListItem.objects.get(talk__title="Werner Vogels - CTO AWS").blurb == "The best keynote."

    page.get_by_role("button", name="Publish at a link").click()
    link = page.get_by_label("Public link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/s/[A-Za-z0-9_-]{{43}}/", link)

    stranger = browser.new_context()
    public = stranger.new_page()
    public.goto(link)
    expect(public.get_by_role("heading", name="Watch these first", level=1)).to_be_visible()
    expect(public.get_by_text("Two talks from re:Invent 2022.")).to_be_visible()
    expect(public.get_by_text("The best keynote.", exact=True)).to_be_visible()
    expect(
        public.get_by_role("link", name="Watch on YouTube: Werner Vogels - CTO AWS")
    ).to_have_attribute("href", "https://youtu.be/RfvL_423a-I?t=90")
    expect(public.get_by_role("img", name="Rated 5 of 5")).to_be_visible()
    expect(public.get_by_text("the Matrix parody")).to_be_visible()
    expect(public.get_by_text("my private musings")).to_have_count(0)
    expect(public.get_by_role("button", name="Sign out")).to_have_count(0)
    assert (
        public.locator('meta[property="og:title"]').get_attribute("content") == "Watch these first"
    )

    # Asked first, in a dialog; Cancel changes nothing.
    page.get_by_role("button", name="Switch the link off").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Nobody can open this list by its link any more")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    assert public.goto(link).status == 200
    page.get_by_role("button", name="Switch the link off").click()
    dialog.get_by_role("button", name="Switch the link off").click()
    expect(page.get_by_text("The link is off")).to_be_visible()
    response = public.goto(link)
    assert response.status == 404
    expect(public.get_by_role("heading", name="Not found")).to_be_visible()
    stranger.close()


def test_leaving_with_unsaved_list_text_warns(page, curator):
    sign_in(page, "curator")
    page.goto("/lists/")
    page.get_by_label("Title").fill("Unsaved")
    page.get_by_role("button", name="Create list").click()
    asked = []
    page.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))
    scripts_ready(page)
    page.get_by_role("textbox", name="Intro").fill("typed, and the autosave has not run yet")
    with page.expect_event("dialog") as dialog:
        page.close(run_before_unload=True)
    assert dialog.value.type == "beforeunload"
    assert asked == ["beforeunload"]
    page.close()  # the page stayed (the dialog was dismissed): close it without asking


def test_list_editor_without_javascript(browser, live_server, curator):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "curator")
    page.goto("/lists/")
    page.get_by_label("Title").fill("No script")
    page.get_by_role("button", name="Create list").click()
    for title in ("Werner Vogels - CTO AWS",
                  "Beyond five 9s: Lessons from our highest available data planes"):  # fmt: skip
        page.get_by_label("Add a talk").select_option(label=title)
        page.get_by_role("button", name="Add to list").click()
    expect(page.get_by_label("Add a talk")).to_have_count(0)  # nothing left to offer
    items = page.locator(".list-items > li")
    items.nth(0).get_by_label("Why watch it").fill("One")
    items.nth(1).get_by_label("Why watch it").fill("Two")
    page.get_by_role("button", name="Save list").click()
    expect(page.get_by_text("List saved.")).to_be_visible()
    assert [i.blurb for i in ListItem.objects.order_by("position")] == ["One", "Two"]
    # Delete asks on a page of its own; Cancel goes back.
    page.get_by_role("button", name="Delete this list").click()
    expect(page.get_by_role("heading", name="Delete “No script”?")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("button", name="Delete this list").click()
    page.get_by_role("button", name="Delete this list").click()
    expect(page.get_by_text("Deleted “No script”")).to_be_visible()
    context.close()
