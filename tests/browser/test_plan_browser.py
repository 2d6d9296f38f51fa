"""The plan page in a browser: set a budget by keyboard, read the finish date, make the
calendar link, see the plan follow a reorder, switch the link off; with JavaScript off
too; and axe-core on the page, wide and on a phone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import expect

from planner import queue
from planner.models import ViewingPlan
from sessions.models import Talk
from tests.browser.steps import scripts_ready, sign_in
from tests.browser.test_accessibility import WCAG
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def viewer(live_catalog):
    user = User.objects.create_user("viewer", "viewer@example.com", PASSWORD)
    for talk in Talk.objects.order_by("position")[:3]:
        queue.track(user, talk)
    ViewingPlan.objects.create(user=user, time_zone="Europe/Berlin")
    return user


def set_budget(page, minutes: dict[str, str], first_day: str) -> None:
    for day, value in minutes.items():
        page.get_by_label(day, exact=True).fill(value)
    page.get_by_label("First day").fill(first_day)
    page.get_by_label("First day").press("Enter")  # the form submits from the keyboard


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 812}]
)
def test_plan_a_budget_subscribe_reorder_and_switch_off(page, viewer, viewport):
    page.set_viewport_size(viewport)
    sign_in(page, "viewer")
    page.goto("/plan/")
    scripts_ready(page)
    week = dict.fromkeys(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], "45")
    set_budget(page, week | {"Saturday": "120", "Sunday": "0"}, "2030-12-02")
    expect(page.get_by_role("status")).to_contain_text("Your time is saved")
    heading = page.get_by_role("heading", level=2, name="You’ll finish on")
    expect(heading).to_contain_text("You’ll finish on Saturday 7 December")
    expect(page.locator(".plan-day").first).to_contain_text("Mon 2 Dec, 20:00–20:45")
    page.wait_for_load_state()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    # One click makes the link and copies it (no page load).
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("window.__noReload = true")
    page.get_by_role("button", name="Make a calendar link and copy it").click()
    expect(page.locator("#announce")).to_have_text(
        "Your calendar link is made and copied: paste it into your calendar app."
    )
    subscribe = page.get_by_role("link", name="Subscribe in a calendar app")
    expect(subscribe).to_have_attribute("href", re.compile(r"^webcal://.+\.ics$"))
    feed_url = page.get_by_label("Private calendar link").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == feed_url
    assert page.evaluate("window.__noReload") is True
    path = feed_url.split("//", 1)[1].split("/", 1)[1]
    assert b"SUMMARY:Watch: Peter DeSantis - SVP AWS" in Client().get(f"/{path}").content

    # Move the last talk to the top: the plan and the feed follow.
    page.goto("/queue/")
    last = page.locator(".queue-row").last
    last.get_by_role("button", name="Top").click()
    expect(page.locator(".queue-row").first).to_contain_text("Werner Vogels")
    page.goto("/plan/")
    expect(page.locator(".plan-day").first).to_contain_text("Werner Vogels")
    assert b"SUMMARY:Watch: Werner Vogels - CTO AWS" in Client().get(f"/{path}").content

    page.get_by_role("button", name="Switch the link off").click()
    dialog = page.get_by_role("dialog")  # asked first
    expect(dialog).to_contain_text("Calendars subscribed to it stop getting your plan")
    dialog.get_by_role("button", name="Switch the link off").click()
    expect(page.get_by_role("status")).to_contain_text("The calendar link is switched off")
    assert Client().get(f"/{path}").status_code == 404


def test_the_plan_without_javascript(browser, live_server, viewer):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "viewer")
    page.goto("/plan/")
    set_budget(page, {"Monday": "240", "Sunday": "0"}, "2030-12-02")
    expect(page.get_by_text("Your time is saved")).to_be_visible()
    expect(page.locator(".plan-day").first).to_contain_text("Mon 2 Dec, 20:00–00:00")
    page.get_by_role("button", name="Make a calendar link").click()
    expect(page.get_by_label("Private calendar link")).to_have_value(
        re.compile(r"/plan/feed/[A-Za-z0-9_-]{43}\.ics$")
    )
    page.get_by_role("button", name="Switch the link off").click()  # no dialog without JS
    expect(page.get_by_text("The calendar link is switched off")).to_be_visible()
    context.close()


def test_the_time_zone_is_typed_with_suggestions_and_starts_as_the_browsers(
    browser, live_server, viewer
):
    ViewingPlan.objects.filter(user=viewer).update(time_zone="")
    context = browser.new_context(base_url=live_server.url, timezone_id="America/Chicago")
    page = context.new_page()
    sign_in(page, "viewer")
    page.goto("/plan/")
    scripts_ready(page)
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("America/Chicago")  # offered from the browser, not yet saved
    assert page.locator("#time-zones option").count() == 0  # not carried by the page
    zone.focus()
    expect(page.locator("#time-zones option[value='Europe/Berlin']")).to_have_count(1)
    zone.fill("new york")
    zone.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your time is saved")
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    context.close()
