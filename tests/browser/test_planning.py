"""The planning journey in a real browser: with htmx, and again with JavaScript off."""

import re

import pytest
from playwright.sync_api import expect

from planner.models import Entry, Profile
from tests.browser.steps import scripts_ready
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

DESANTIS = "Peter DeSantis - SVP AWS"
SELIPSKY = "Adam Selipsky - CEO AWS"
VOGELS = "Werner Vogels - CTO AWS"


def sign_up(page, username: str) -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name=f"Welcome, {username}")).to_be_visible()
    page.get_by_role("button", name="Save and browse the talks").click()
    expect(page.locator(".account-menu summary")).to_contain_text("Account")


def settled(page) -> None:
    """Wait until htmx has swapped and wired up new content.

    Polled from Python: wait_for_function would eval a string, which our CSP forbids.
    """
    busy = "!!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    for _ in range(200):
        if not page.evaluate(busy):
            return
        page.wait_for_timeout(25)
    raise AssertionError("htmx never settled")


def queue_titles(page) -> list[str]:
    return page.locator(".queue-title").all_inner_texts()


def card(page, title: str):
    return page.locator(".card").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_planning_journey_with_htmx(page, live_catalog):
    sign_up(page, "planner")
    # A marker that a full page load would wipe: every action below is an htmx swap.
    page.evaluate("window.__noReload = true")

    for title in (DESANTIS, SELIPSKY, VOGELS):
        card(page, title).get_by_role("button", name=f"Add to queue {title}").click()
        expect(
            card(page, title).get_by_role("button", name=f"Remove from queue {title}")
        ).to_be_visible()
    expect(page.locator("#announce")).to_have_text(f"Added “{VOGELS}” to your queue.")
    assert page.evaluate("window.__noReload") is True

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    expect(page.locator(".queue-title")).to_have_count(3)
    scripts_ready(page)
    assert queue_titles(page) == [DESANTIS, SELIPSKY, VOGELS]
    expect(page.locator("#queue-totals")).to_contain_text("4:00:00 at 1.5x")
    page.evaluate("window.__noReload = true")

    # Drag Vogels above DeSantis.
    page.locator(".queue-row", has_text=VOGELS).drag_to(
        page.locator(".queue-row", has_text=DESANTIS)
    )
    expect(page.locator("#announce")).to_have_text("New order saved.")
    expect(page.locator(".queue-title").first).to_have_text(VOGELS)
    assert queue_titles(page) == [VOGELS, DESANTIS, SELIPSKY]
    settled(page)

    # Keyboard: focus "Move up" on Selipsky and press Enter.
    move_up = page.get_by_role("button", name=f"Move up “{SELIPSKY}”")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#announce")).to_have_text(f"Move up: “{SELIPSKY}”.")
    assert queue_titles(page) == [VOGELS, SELIPSKY, DESANTIS]
    expect(page.get_by_role("button", name=f"Move up “{SELIPSKY}”")).to_be_focused()
    settled(page)
    page.get_by_role("button", name=f"Move to top “{DESANTIS}”").click()
    expect(page.locator(".queue-title").first).to_have_text(DESANTIS)
    assert queue_titles(page) == [DESANTIS, VOGELS, SELIPSKY]
    # The first row can't go higher: Top and Up are off, and focus waits on Down.
    expect(page.get_by_role("button", name=f"Move to top “{DESANTIS}”")).to_be_disabled()
    expect(page.get_by_role("button", name=f"Move up “{DESANTIS}”")).to_be_disabled()
    expect(page.get_by_role("button", name=f"Move down “{DESANTIS}”")).to_be_focused()
    expect(page.get_by_role("button", name=f"Move down “{SELIPSKY}”")).to_be_disabled()
    assert page.evaluate("window.__noReload") is True

    # Watching DeSantis at 12:34; the link opens the video at that second.
    page.get_by_role("link", name=DESANTIS, exact=True).click()
    scripts_ready(page)  # the change saves through htmx: it must be listening
    page.get_by_text("Change status or dates").click()
    page.get_by_label("Watching", exact=True).check()  # saves on change
    expect(page.locator("#status .badge")).to_have_text("Watching")
    settled(page)
    page.get_by_label("Resume at").fill("12:34")
    page.get_by_label("Resume at").press("Enter")
    # The player resumes there (test_player.py); without JavaScript a link opens the
    # video at that second (test_key_steps_without_javascript).
    expect(page.get_by_role("button", name="Play here at 1.5x from 12:34")).to_be_visible()
    expect(page.get_by_role("link", name="Resume 12:34")).to_be_hidden()

    # Selipsky: watched, 4 stars, a note with a timestamp, a tag.
    page.goto("/talks/aws-reinvent-2022/adam-selipsky-ceo-aws/")
    page.evaluate("window.__noReload = true")
    page.get_by_text("Change status or dates").click()
    page.get_by_label("Watched", exact=True).check()  # saves on change
    expect(page.locator("#panel .badge")).to_have_text("Watched")
    settled(page)
    page.locator("#status").get_by_role("button", name="4 stars").click()
    expect(page.locator("#status .rating-label")).to_have_text("Rated 4 of 5")
    settled(page)
    page.get_by_label("My notes").fill("12:34 the fun facts slide\n\nSkippable otherwise.")
    # Autosave: no button pressed.
    expect(page.locator("#note-status")).to_contain_text("Saved at")
    expect(page.locator(".note-preview a")).to_have_attribute(
        "href", "https://youtu.be/Xus8C2s5K9A?t=754"
    )
    page.get_by_text("Tags and length").click()
    page.get_by_label("Add a tag").fill("keynote-recap")
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator("#tags .chip")).to_contain_text("keynote-recap")
    assert page.evaluate("window.__noReload") is True

    # Filter the catalog by the tag.
    page.goto("/")
    page.get_by_text("More filters").click()
    page.get_by_label("My tag").select_option("keynote-recap")
    expect(page.locator("#result-count")).to_have_text("1 talk")
    expect(page).to_have_url(re.compile(r"tag=keynote-recap"))
    expect(card(page, SELIPSKY)).to_be_visible()

    # Speed 2x: the totals change.
    page.get_by_role("navigation", name="Main").get_by_text("Account").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_label("2x").check()
    page.get_by_role("button", name="Save settings").click()
    page.goto("/queue/")
    expect(page.locator("#queue-totals")).to_contain_text("2:00:00 at 2x")
    expect(page.locator("#queue-totals")).to_contain_text("4:00:00 at 1x")
    expect(page.locator("#queue-totals")).to_contain_text("saves 2:00:00")

    # Reload: everything kept.
    page.reload()
    assert queue_titles(page) == [DESANTIS, VOGELS]
    page.goto("/watched/")
    expect(page.get_by_role("heading", name=SELIPSKY)).to_be_visible()
    expect(page.get_by_role("img", name="Rated 4 of 5")).to_be_visible()
    expect(page.get_by_text("the fun facts slide")).to_be_visible()
    entry = Entry.objects.get(talk__title=SELIPSKY)
    assert (entry.status, entry.rating, list(entry.tags.names())) == (
        "watched",
        4,
        ["keynote-recap"],
    )
    assert Profile.objects.get(user__username="planner").speed_percent == 200


def queue_vogels_on_its_page(page) -> None:
    page.goto("/talks/aws-reinvent-2022/werner-vogels-cto-aws/")
    page.get_by_role("button", name="Add to queue").click()
    expect(page.locator("#announce")).to_have_text(f"Added “{VOGELS}” to your queue.")
    settled(page)


def test_note_autosave_failure_is_shown_and_text_kept(page, live_catalog):
    sign_up(page, "offline")
    queue_vogels_on_its_page(page)
    page.route("**/note/", lambda route: route.abort())
    page.get_by_label("My notes").fill("do not lose me")
    expect(page.locator("#note-status")).to_contain_text(
        "Not saved: the server could not be reached."
    )
    expect(page.get_by_label("My notes")).to_have_value("do not lose me")
    page.errors.clear()  # the failed request is logged by the browser, as it should be
    page.unroute("**/note/")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#note-status")).to_contain_text("Saved at")
    assert Entry.objects.get(talk__title=VOGELS).note == "do not lose me"


def test_invalid_input_shows_error_next_to_control(page, live_catalog):
    sign_up(page, "typo")
    queue_vogels_on_its_page(page)
    scripts_ready(page)
    page.get_by_text("Change status or dates").click()
    page.get_by_label("Watching", exact=True).check()
    expect(page.locator("#status .badge")).to_have_text("Watching")
    settled(page)
    page.get_by_label("Resume at").fill("99:99")
    page.get_by_label("Resume at").press("Enter")
    expect(page.get_by_text("Enter a time as mm:ss or h:mm:ss")).to_be_visible()
    expect(page.get_by_label("Resume at")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#announce")).to_have_text("Not saved: please correct the error shown.")
    assert Entry.objects.get(talk__title=VOGELS).resume_seconds is None


def test_key_steps_without_javascript(browser, live_server, live_catalog):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_up(page, "nojs")
    for title in (DESANTIS, SELIPSKY, VOGELS):
        card(page, title).get_by_role("button", name=f"Add to queue {title}").click()
        expect(page.get_by_text(f"Added “{title}” to your queue.")).to_be_visible()
    page.goto("/queue/")
    assert queue_titles(page) == [DESANTIS, SELIPSKY, VOGELS]
    page.get_by_role("button", name=f"Move to top “{VOGELS}”").click()
    page.get_by_role("button", name=f"Move down “{DESANTIS}”").click()
    assert queue_titles(page) == [VOGELS, SELIPSKY, DESANTIS]

    page.get_by_role("link", name=DESANTIS, exact=True).click()
    page.get_by_text("Change status or dates").click()
    page.get_by_label("Watching", exact=True).check()
    page.get_by_label("Resume at").fill("12:34")
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_role("link", name="Resume 12:34")).to_have_attribute(
        "href", "https://youtu.be/R11YgBEZzqE?t=754"
    )
    page.locator("#status").get_by_role("button", name="5 stars").click()
    expect(page.locator("#status .rating-label")).to_have_text("Rated 5 of 5")
    page.get_by_label("My notes").fill("1:02:03 the SnapStart part")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note saved.")).to_be_visible()
    expect(page.locator(".note-preview a")).to_have_attribute(
        "href", "https://youtu.be/R11YgBEZzqE?t=3723"
    )
    page.get_by_text("Tags and length").click()
    page.get_by_label("Add a tag").fill("infra")
    page.get_by_role("button", name="Add tag").click()
    page.goto("/?tag=infra")
    expect(page.locator("#result-count")).to_have_text("1 talk")
    page.goto("/settings/")
    page.get_by_label("2x").check()
    page.get_by_role("button", name="Save settings").click()
    page.goto("/queue/")
    expect(page.locator("#queue-totals")).to_contain_text("at 2x")
    page.get_by_role("button", name=f"Remove {SELIPSKY}", exact=True).click()
    assert queue_titles(page) == [VOGELS, DESANTIS]
    context.close()
