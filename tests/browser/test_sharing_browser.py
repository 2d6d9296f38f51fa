"""Publish a list, open it signed out in a fresh browser, revoke it."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from planner import queue
from planner.models import Entry
from sessions.models import Talk
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
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
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
    first = page.locator(".list-items > li").first
    first.get_by_label("Why watch it").fill("The best keynote of the week.")
    first.get_by_label("Start at").fill("1:30")
    first.get_by_label("share my note").check()
    first.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_text("Saved “Werner Vogels - CTO AWS”.")).to_be_visible()

    page.get_by_role("button", name="Publish at a link").click()
    link = page.get_by_label("Public link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/s/[A-Za-z0-9_-]{{43}}/", link)

    stranger = browser.new_context()
    public = stranger.new_page()
    public.goto(link)
    expect(public.get_by_role("heading", name="Watch these first", level=1)).to_be_visible()
    expect(public.get_by_text("Two talks from re:Invent 2022.")).to_be_visible()
    expect(public.get_by_text("The best keynote of the week.")).to_be_visible()
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

    page.get_by_role("button", name="Switch the link off").click()
    expect(page.get_by_text("The link is off")).to_be_visible()
    response = public.goto(link)
    assert response.status == 404
    expect(public.get_by_role("heading", name="Not found")).to_be_visible()
    stranger.close()
