"""The evening loop in the browser: one-click actions, focus, keys, rating races, touch."""

import re
import threading
import time

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from planner import queue
from planner.models import Entry
from sessions.models import Talk
from tests.browser.steps import sign_in
from tests.browser.test_planning import settled
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

VOGELS = "Werner Vogels - CTO AWS"
VOGELS_URL = "/talks/aws-reinvent-2022/werner-vogels-cto-aws/"


@pytest.fixture
def viewer(live_catalog):
    user = User.objects.create_user("viewer", "viewer@example.com", PASSWORD)
    talks = list(Talk.objects.order_by("position"))
    for talk in talks[:4]:
        queue.track(user, talk)
    return user


def entry(title: str) -> Entry:
    return Entry.objects.get(user__username="viewer", talk__title=title)


def quick_click(page, selector: str) -> None:
    """Found, focused and clicked in one step in the page, as a finger lands on whatever
    is there. Playwright's own click finds the button, then presses and releases: an
    answer swapped in between replaces that button and the click goes nowhere (as for a
    person whose press straddles the swap). Not what these tests are about, and under
    load it happens."""
    page.evaluate("s => { const b = document.querySelector(s); b.focus(); b.click(); }", selector)


def test_quick_clicks_on_the_stars_show_what_was_saved(page, viewer, monkeypatch):
    queue.track(viewer, Talk.objects.get(title=VOGELS), Entry.Status.WATCHED)
    # Count the ratings being saved at once, on the server: the browser's own request
    # events can report the next request before the last one's end.
    saving, lock, save = {"now": 0, "most": 0, "order": []}, threading.Lock(), Entry.set_rating

    def counted(self, rating):
        with lock:
            saving["now"] += 1
            saving["most"] = max(saving["most"], saving["now"])
        try:
            save(self, rating)
        finally:
            with lock:
                saving["now"] -= 1
                saving["order"].append(rating)

    monkeypatch.setattr(Entry, "set_rating", counted)
    sign_in(page, "viewer")
    page.goto(VOGELS_URL)
    status = page.locator("#status")
    for stars in ("1 star", "3 stars", "5 stars"):  # as fast as a person clicks
        quick_click(page, f'#status button[aria-label="{stars}"]')
    # One request at a time, the last one wins: what shows is what was saved.
    expect(status.locator(".rating-label")).to_have_text("Rated 5 of 5")
    settled(page)
    assert saving["most"] == 1 and saving["order"][-1] == 5 and len(saving["order"]) >= 2, saving
    expect(status.get_by_role("button", name="5 stars")).to_have_attribute("aria-pressed", "true")
    expect(status.get_by_role("button", name="5 stars")).to_be_focused()
    assert entry(VOGELS).rating == 5


def test_quick_clicks_on_the_stars_while_the_server_is_slow_keep_the_last(
    page, viewer, monkeypatch
):
    """What a person clicked last is what is saved, however slow the server."""
    queue.track(viewer, Talk.objects.get(title=VOGELS), Entry.Status.WATCHED)
    save = Entry.set_rating

    def slow(self, rating):
        time.sleep(0.4)  # a busy server: the next clicks land while this one is saved
        save(self, rating)

    monkeypatch.setattr(Entry, "set_rating", slow)
    sign_in(page, "viewer")
    page.goto(VOGELS_URL)
    ratings = []
    page.on("request", lambda r: "/rating/" in r.url and ratings.append(r.post_data))
    status = page.locator("#status")
    for stars in ("1 star", "3 stars", "5 stars"):
        quick_click(page, f'#status button[aria-label="{stars}"]')
    expect(status.locator(".rating-label")).to_have_text("Rated 5 of 5", timeout=5000)
    settled(page)
    assert entry(VOGELS).rating == 5
    # The first click and the last, one at a time; the 3 waited and was replaced by the 5.
    assert [re.search(r"rating=(\d)", data)[1] for data in ratings] == ["1", "5"]
    expect(status.get_by_role("button", name="5 stars")).to_have_attribute("aria-pressed", "true")


def test_a_second_status_change_while_the_first_is_saved_is_the_one_kept(page, viewer, monkeypatch):
    """The status form is replaced by its own answer too: the change made while the
    first one is saved is sent after it, with what the person chose, not dropped."""
    slowed = queue.set_status

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return slowed(*args, **kwargs)

    monkeypatch.setattr(queue, "set_status", slow)
    sign_in(page, "viewer")
    page.goto(VOGELS_URL)
    sent = []
    page.on("request", lambda r: "/status/" in r.url and sent.append(r.post_data))
    page.get_by_text("Change status or dates").click()
    page.get_by_label("Watched", exact=True).check()  # saves on change
    page.get_by_label("Watching", exact=True).check()  # while that one is saved
    expect(page.locator("#status .badge")).to_have_text("Watching", timeout=5000)
    settled(page)
    assert entry(VOGELS).status == "watching"
    assert [re.search(r"status=(\w+)", data)[1] for data in sent] == ["watched", "watching"]
    expect(page.get_by_label("Watching", exact=True)).to_be_checked()


def test_the_message_never_covers_the_field_it_is_about_on_a_phone(page, viewer):
    """At 375 px the message at the foot of the screen sat over the date field that was
    just refused, focus ring and all (WCAG 2.4.11): the focused field is kept clear."""
    page.set_viewport_size({"width": 375, "height": 700})
    sign_in(page, "viewer")
    page.goto(VOGELS_URL)
    page.get_by_text("Change status or dates").click()
    page.get_by_label("Watched", exact=True).check()
    expect(page.locator("#status .badge")).to_have_text("Watched")
    settled(page)
    day = page.get_by_label("Watched on")
    day.fill("2099-01-01")
    # At the foot of the screen, where the message shows, as a phone's keyboard leaves it.
    day.evaluate("field => field.scrollIntoView({block: 'end'})")
    day.dispatch_event("change")
    message = page.locator("#announce")
    expect(message).to_contain_text("Not saved")
    expect(page.locator("#status .errorlist")).to_have_text("That date is in the future.")
    settled(page)
    focused, shown = page.evaluate(
        """() => [document.activeElement.getBoundingClientRect().toJSON(),
                  document.getElementById('announce').getBoundingClientRect().toJSON()]"""
    )
    assert page.evaluate("document.activeElement.name") == "watched_on"
    assert focused["bottom"] <= shown["top"], (focused, shown)
    # And Tab from there keeps the next control clear of it as well.
    page.keyboard.press("Tab")
    focused, shown = page.evaluate(
        """() => [document.activeElement.getBoundingClientRect().toJSON(),
                  document.getElementById('announce').getBoundingClientRect().toJSON()]"""
    )
    assert focused["bottom"] <= shown["top"] or focused["top"] >= shown["bottom"]


def test_keyboard_marks_watched_from_the_talk_page_in_two_presses(page, viewer):
    sign_in(page, "viewer")
    page.goto(VOGELS_URL)
    # Reaching the plan panel: the control just before it is the talk's last topic link.
    page.locator(".talk-head a").last.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=f"Mark watched {VOGELS}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status .badge")).to_have_text("Watched")
    assert entry(VOGELS).status == "watched"
    # Focus went to what replaced the button, the Undo, not to the page body.
    undo = page.get_by_role("button", name=f"Undo marking “{VOGELS}” watched")
    expect(undo).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status .badge")).to_have_text("Queued")
    assert entry(VOGELS).status == "queued"
    assert entry(VOGELS).viewings.count() == 0
    # Focus lands on the control that came back in the Undo's place.
    expect(page.get_by_role("button", name=f"Mark watched {VOGELS}")).to_be_focused()


def test_mark_watched_on_a_card_then_undo_puts_it_back_in_its_place(page, viewer):
    sign_in(page, "viewer")
    page.evaluate("window.__noReload = true")
    before = [e.talk.title for e in Entry.objects.for_user(viewer).queued().select_related("talk")]
    card = page.locator("#talk-" + str(entry(VOGELS).talk_id))
    card.get_by_role("button", name=f"Mark watched {VOGELS}").click()
    expect(page.locator("#announce")).to_contain_text(f"Marked “{VOGELS}” as watched today.")
    expect(card.locator(".badge")).to_have_text("Watched")
    expect(card.get_by_role("button", name="1 star", exact=True)).to_be_visible()  # rate it now
    card.get_by_role("button", name="4 stars").click()
    expect(card.get_by_role("button", name="4 stars")).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("button", name="4 stars")).to_be_focused()
    settled(page)
    assert entry(VOGELS).viewings.get().rating == 4

    page.reload()  # the Undo offered in the announcement is gone with the page; do it again
    card.get_by_role("button", name=re.compile("Queue to watch again")).click()
    expect(card.locator(".badge")).to_have_text("Queued")
    card.get_by_role("button", name=f"Mark watched {VOGELS}").click()
    page.get_by_role("button", name=f"Undo marking “{VOGELS}” watched").click()
    expect(page.locator("#announce")).to_contain_text("back in your queue")
    expect(card.locator(".badge")).to_have_text("Queued")
    # The first viewing stays in the diary; the undone one is gone.
    assert entry(VOGELS).viewings.count() == 1
    page.goto("/watched/")
    expect(page.get_by_role("heading", name=VOGELS)).to_be_visible()
    page.goto("/queue/")
    after = page.locator(".queue-title").all_inner_texts()
    assert after == [t for t in before if t != VOGELS] + [VOGELS]


def test_resume_in_one_click_from_the_home_page(page, viewer):
    watching = entry(VOGELS)
    queue.set_status(watching, Entry.Status.WATCHING, 1834, None)
    sign_in(page, "viewer")
    section = page.get_by_role("region", name="Continue watching")
    expect(section.get_by_role("progressbar")).to_have_attribute("value", "25")
    resume = section.get_by_role("link", name=f"Resume {VOGELS} at 30:34")
    expect(resume).to_have_attribute("href", VOGELS_URL + "#play")  # our player, there
    up_next = page.get_by_role("region", name="Up next")
    expect(up_next).to_contain_text("Your queue: 4 talks, 4:40:00 at 1.5x")
    expect(up_next.get_by_role("listitem")).to_have_count(3)  # in progress is listed above


def test_queue_rows_drag_by_touch(browser, live_server, viewer):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 1800}, has_touch=True
    )
    page = context.new_page()
    sign_in(page, "viewer")
    page.goto("/queue/")
    titles = page.locator(".queue-title").all_inner_texts()
    handle = page.locator(".queue-row").nth(0).locator(".drag-handle")
    target = page.locator(".queue-row").nth(2).bounding_box()
    start = handle.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    to_y = target["y"] + target["height"] * 0.75
    base = {"pointerId": 7, "pointerType": "touch", "isPrimary": True, "bubbles": True,
            "button": 0, "clientX": x}  # fmt: skip
    handle.dispatch_event("pointerdown", {**base, "clientY": y})
    for step in range(1, 6):
        page.locator("body").dispatch_event(
            "pointermove", {**base, "clientY": y + (to_y - y) * step / 5}
        )
    page.locator("body").dispatch_event("pointerup", {**base, "clientY": to_y})
    expect(page.locator("#announce")).to_have_text("New order saved.")
    expected = [titles[1], titles[2], titles[0], titles[3]]
    assert page.locator(".queue-title").all_inner_texts() == expected
    saved = Entry.objects.for_user(viewer).queued().select_related("talk")
    assert [e.talk.title for e in saved] == expected
    context.close()


def test_without_javascript_no_drag_handles_and_watched_offers_undo(browser, live_server, viewer):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "viewer")
    page.goto("/queue/")
    expect(page.locator(".drag-handle").first).to_be_hidden()
    page.get_by_role("button", name=f"Mark watched {VOGELS}").click()
    expect(page.get_by_text(f"Marked “{VOGELS}” as watched today.")).to_be_visible()
    assert VOGELS not in page.locator(".queue-title").all_inner_texts()
    page.get_by_role("button", name=f"Undo marking “{VOGELS}” watched").click()
    expect(page.get_by_text(f"Undone: “{VOGELS}” is back in your queue.")).to_be_visible()
    assert page.locator(".queue-title").all_inner_texts()[2] == VOGELS
    # One click rates from a card, too.
    page.goto("/")
    card = page.locator("#talk-" + str(entry(VOGELS).talk_id))
    card.get_by_role("button", name=f"Mark watched {VOGELS}").click()
    card.get_by_role("button", name="3 stars").click()
    expect(page.get_by_text("Rated 3 of 5.")).to_be_visible()
    expect(card.get_by_role("button", name="3 stars")).to_have_attribute("aria-pressed", "true")
    assert entry(VOGELS).rating == 3
    context.close()


def test_without_javascript_a_phones_queue_rows_put_the_moves_under_the_talk(
    browser, live_server, viewer
):
    """At 375 px without the drag handle the row is one column: the Move buttons once sat
    over the talk's length."""
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 375, "height": 800}
    )
    page = context.new_page()
    sign_in(page, "viewer")
    page.goto("/queue/")
    row = page.locator(".queue-row").first
    main = row.locator(".queue-main").bounding_box()
    moves = row.locator(".move-group").bounding_box()
    assert moves["y"] >= main["y"] + main["height"]
    context.close()


def tab_stops(page, selector: str) -> list[str]:
    """The controls Tab reaches inside `selector`, in order (their accessible names)."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(
            selector + " :is(a[href], button, input, select, textarea)")]
          .filter((el) => el.tabIndex >= 0 && !el.disabled && el.offsetParent !== null)
          .map((el) => el.id || el.textContent.trim())""",
        selector,
    )


def test_a_card_is_four_keyboard_stops_and_undo_gives_focus_back(page, viewer):
    talk = Talk.objects.get(title__startswith="Building next-gen applications")
    sign_in(page, "viewer")
    card = f"#talk-{talk.pk}"
    # The title, the two actions, Add to a list (no "More", no Watch, no topic links).
    assert tab_stops(page, card) == [
        f"title-{talk.pk}",
        f"queue-toggle-{talk.pk}",
        f"watched-{talk.pk}",
        f"to-list-link-{talk.pk}",
    ]
    assert page.locator(f"{card} .chip").count() >= 1  # topics are there, as words
    assert page.locator(f"{card} a.chip").count() == 0
    page.locator(f"#queue-toggle-{talk.pk}").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Mark watched
    undo = page.get_by_role("button", name=re.compile("Undo marking"))
    expect(undo).to_be_focused()
    page.keyboard.press("Enter")  # Undo
    expect(page.locator(f"#watched-{talk.pk}")).to_be_focused()  # back where the person was
    assert page.evaluate("window.scrollY") > 0  # not the top of the page


def test_a_mouse_drag_scrolls_near_the_edge_and_selects_no_text(browser, live_server, viewer):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1000, "height": 640})
    page = context.new_page()
    sign_in(page, "viewer")
    page.goto("/queue/")
    page.locator("html.js").wait_for(state="attached")
    source = page.locator(".queue-row").first.locator(".queue-source").bounding_box()
    x, y = source["x"] + 20, source["y"] + source["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):  # down to the window's bottom edge, and stay there
        page.mouse.move(x, y + (635 - y) * step / 10)
    page.wait_for_timeout(600)
    assert page.evaluate("window.scrollY") > 0  # the page scrolled by itself
    assert page.evaluate("window.getSelection().toString()") == ""
    page.mouse.up()
    expect(page.locator("#announce")).to_have_text("New order saved.")
    saved = [e.talk.title for e in Entry.objects.for_user(viewer).queued().select_related("talk")]
    assert saved == page.locator(".queue-title").all_inner_texts()
    assert saved[0] != Talk.objects.order_by("position")[0].title  # it moved down
    context.close()


def test_a_queue_row_names_the_conference_and_speaker(page, viewer):
    sign_in(page, "viewer")
    page.goto("/queue/")
    row = page.locator(".queue-row").first
    expect(row.locator(".queue-source")).to_have_text("AWS re:Invent 2022 · Peter DeSantis")
    # Its picture's place (the browser tests turn pictures from video hosts off).
    expect(row.locator(".thumb")).to_have_attribute("aria-hidden", "true")


def test_add_to_a_list_from_a_card_in_place(page, viewer):
    from planner.models import RecommendedList

    RecommendedList.objects.create(user=viewer, title="For the team")
    talk = Talk.objects.get(title__startswith="Building next-gen applications")
    sign_in(page, "viewer")
    page.evaluate("window.__noReload = true")
    card = page.locator(f"#talk-{talk.pk}")
    card.get_by_role("link", name=f"Add to a list {talk.title}").click()
    expect(card.get_by_label("List", exact=True)).to_be_focused()  # the form took the link's place
    card.get_by_label("List", exact=True).select_option(label="For the team")
    card.get_by_role("button", name="Add to the list").click()
    expect(card.locator(".to-list-done")).to_contain_text(
        f"Added “{talk.title}” to “For the team”."
    )
    expect(page.locator("#announce")).to_contain_text("Added")
    assert page.evaluate("window.__noReload") is True  # the page was not reloaded
    assert RecommendedList.objects.get(title="For the team").items.get().talk == talk


def test_queue_the_third_card_from_home_in_twelve_tabs(page, live_catalog):
    User.objects.create_user("keys", "keys@example.com", PASSWORD)
    sign_in(page, "keys")
    third = Talk.objects.order_by("-conference_id", "position")[2]
    tabs = 0
    while page.evaluate("document.activeElement.textContent.trim()") != "Skip to the talks":
        page.keyboard.press("Tab")
        tabs += 1
    page.keyboard.press("Enter")
    while page.evaluate("document.activeElement.id") != f"queue-toggle-{third.pk}":
        page.keyboard.press("Tab")
        tabs += 1
        assert tabs <= 12, page.evaluate("document.activeElement.outerHTML")
    page.keyboard.press("Enter")
    expect(page.locator("#announce")).to_contain_text(f"Added “{third.title}” to your queue.")
    assert Entry.objects.get(user__username="keys").talk == third


def test_without_javascript_watch_sort_and_add_to_a_list(browser, live_server, viewer):
    from planner.models import RecommendedList

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "viewer")
    # Watch from the queue: the talk's page, with its host's link at hand.
    page.goto("/queue/")
    page.get_by_role("link", name="Watch Peter DeSantis - SVP AWS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peter DeSantis - SVP AWS")
    expect(page.get_by_role("link", name="Watch on YouTube")).to_be_visible()
    # Sort and length are a plain form.
    page.goto("/")
    page.get_by_label("Order").select_option(label="Shortest first")
    page.get_by_label("Length at your speed").select_option(label="30–60 min")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"length=medium"))
    expect(page.get_by_role("heading", name="Shortest first")).to_be_visible()
    # Add to a list: a page of its own, and back where the person was.
    card = page.locator(".card").first
    title = card.locator(".card-title").inner_text()
    card.get_by_role("link", name="Add to a list").click()
    page.get_by_label("A new list").fill("Short ones")  # no list yet: only a new one
    page.get_by_role("button", name="Add to the list").click()
    expect(page.get_by_text(f"Added “{title}” to “Short ones”.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"sort=length"))
    assert RecommendedList.objects.get(title="Short ones").items.get().talk.title == title
    context.close()


def test_the_stars_fill_up_to_the_one_under_the_pointer(page, viewer):
    queue.track(viewer, Talk.objects.get(title=VOGELS), Entry.Status.WATCHED)
    entry(VOGELS).set_rating(1)
    sign_in(page, "viewer")
    page.goto(VOGELS_URL)
    stars = page.locator("#status .star")

    def filled() -> list[bool]:
        return [s.locator(".star-on").is_visible() for s in stars.all()]

    assert filled() == [True, False, False, False, False]  # the rating
    stars.nth(3).hover()
    assert filled() == [True, True, True, True, False]  # what a click would save
    page.mouse.move(0, 0)
    assert filled() == [True, False, False, False, False]
    stars.nth(2).focus()  # the keyboard sees the same
    assert filled() == [True, True, True, False, False]
