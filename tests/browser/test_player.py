"""The embedded player, offline: the IFrame Player API is answered by a stand-in that
follows the API reference's rules (tests/browser/fakes/youtube_iframe_api.js), the embed
page by a blank page, every other outside request is refused, and the CSP stays on (a
violation is a console error, which fails the test)."""

import json
import os
import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import expect

from planner import queue
from planner.models import Entry, Profile
from sessions.models import Talk
from tests.browser.steps import scripts_ready, sign_in
from tests.browser.test_accessibility import WCAG
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

FAKE_API = (Path(__file__).parent / "fakes" / "youtube_iframe_api.js").read_text()
VOGELS = "Werner Vogels - CTO AWS"
DESANTIS = "Peter DeSantis - SVP AWS"


@pytest.fixture
def viewer(live_catalog):
    user = User.objects.create_user("viewer", "viewer@example.com", PASSWORD)
    for talk in Talk.objects.order_by("position")[:3]:
        queue.track(user, talk)
    return user


def offline_youtube(page, **config) -> None:
    """Route the player's outside requests to stand-ins; refuse any other."""
    page.add_init_script(f"window.__fakeYouTubeConfig = {json.dumps(config)};")
    page.context.route(
        "https://**/*", lambda route: route.abort()
    )  # registered first: the routes below win
    page.context.route(
        "https://www.youtube.com/iframe_api",
        lambda route: route.fulfill(content_type="text/javascript", body=FAKE_API),
    )
    page.context.route(
        "https://www.youtube-nocookie.com/embed/**",
        lambda route: route.fulfill(
            content_type="text/html", body="<!doctype html><title>p</title>"
        ),
    )


def entry(title: str) -> Entry:
    return Entry.objects.get(user__username="viewer", talk__title=title)


def open_talk(page, title: str, **config) -> None:
    offline_youtube(page, **config)
    page.clock.install()
    sign_in(page, "viewer")
    page.goto(Talk.objects.get(title=title).get_absolute_url())
    scripts_ready(page)


def play(page) -> None:
    page.get_by_role("button", name="Play here").click()
    page.clock.run_for(1000)  # the API loads, the player is ready and plays


def eventually(check, seconds: float = 5.0):
    """A save is a fetch the page does not wait for: poll the database for its effect."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def calls(page) -> list:
    return page.evaluate("window.__fakeYouTube.calls")


def test_speed_applied_once_playing_progress_saved_and_restored(page, viewer):
    open_talk(page, DESANTIS, duration=3600)
    expect(page.get_by_role("button", name="Play here at 1.5x")).to_be_visible()
    assert page.locator("iframe").count() == 0  # nothing from the host before play
    play(page)
    status = page.locator("#player-status")
    expect(status).to_have_text("Playing at 1.5x.")
    expect(page.get_by_role("button", name="Play here")).to_be_hidden()  # the player is in
    rate_calls = [c for c in calls(page) if c[0] == "setPlaybackRate"]
    assert rate_calls == [["setPlaybackRate", 1.5, 1]]  # asked once, while PLAYING
    frame = page.locator("#player-frame")
    assert frame.get_attribute("referrerpolicy") == "strict-origin-when-cross-origin"
    assert frame.get_attribute("src").startswith(
        "https://www.youtube-nocookie.com/embed/R11YgBEZzqE?"
    )

    page.clock.run_for(20_000)  # 20 s at 1.5x: 30 s of video, one save on the way
    # The page's clock ran 20 s in an instant; the server's did not, and it takes one save
    # a second per record at most: the pause's save is refused (429) and the page tries
    # again a second later (its clock, moved on here) until the server takes it.
    page.keyboard.press("k")  # pause: saved at once, or retried

    def paused_position_saved():
        page.clock.run_for(1000)
        return (e := entry(DESANTIS)).resume_seconds and e.resume_seconds >= 29 and e

    record = eventually(paused_position_saved)
    assert record and record.status == Entry.Status.WATCHING
    assert 29 <= record.resume_seconds <= 36  # and the real second the clock also ran
    assert record.personal_seconds == 3600  # learned: the catalog only had an estimate
    assert Talk.objects.get(title=DESANTIS).duration_seconds is None  # never the catalog

    page.reload()
    scripts_ready(page)
    expect(page.get_by_role("button", name="Play here at 1.5x from 0:3")).to_be_visible()
    play(page)
    src = page.locator("#player-frame").get_attribute("src")
    assert f"start={record.resume_seconds}" in src


def test_the_last_seconds_mark_watched_and_offer_what_is_next(page, viewer):
    open_talk(page, DESANTIS, duration=100)
    play(page)
    page.clock.run_for(61_000)  # 91.5 s of a 100 s video at 1.5x: 8.5 s left, over 5%
    expect(page.locator("#player-status")).to_have_text("Playing at 1.5x.")
    page.clock.run_for(3_000)  # 96 s: under the last 5%
    expect(page.locator("#player-status")).to_have_text("Marked watched today.")
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    expect(page.locator("#player-next")).to_contain_text("Up next: Adam Selipsky - CEO AWS")
    record = eventually(lambda: (e := entry(DESANTIS)).status == Entry.Status.WATCHED and e)
    assert record and record.viewings.count() == 1


def test_a_long_keynote_is_not_watched_with_minutes_to_go(page, viewer):
    """Two hours: watched in the last 2 minutes (5% would be 6), never at 90%."""
    queue.set_status(entry(DESANTIS), Entry.Status.WATCHING, resume_seconds=6000, watched_on=None)
    open_talk(page, DESANTIS, duration=7200)
    play(page)
    page.clock.run_for(600_000)  # 6,900 s: 95.8%, five minutes left
    expect(page.locator("#player-status")).to_have_text("Playing at 1.5x.")
    assert entry(DESANTIS).status == Entry.Status.WATCHING
    page.clock.run_for(130_000)  # 7,095 s: 105 s left
    expect(page.locator("#player-status")).to_have_text("Marked watched today.")
    assert eventually(lambda: entry(DESANTIS).status == Entry.Status.WATCHED)


def test_the_speed_from_settings_and_a_rate_the_video_lacks(page, viewer):
    Profile.objects.filter(user=viewer).update(speed_percent=175)
    open_talk(page, DESANTIS, rates=[0.5, 1, 1.5, 2])
    play(page)
    # 1.75 is not offered: the player rounds toward 1, and the page says what is in effect.
    expect(page.locator("#player-status")).to_have_text(
        "Playing at 1.5x (this video does not offer 1.75x)."
    )


def test_keyboard_shortcuts_and_keeping_a_new_speed(page, viewer):
    open_talk(page, DESANTIS)
    page.get_by_role("button", name="Play here").focus()
    page.keyboard.press("Enter")
    page.clock.run_for(1000)
    expect(page.locator("#player-status")).to_have_text("Playing at 1.5x.")
    page.locator("h1").click()  # focus back on the page, out of the player's frame
    start = page.evaluate("window.__fakeYouTube.player.getCurrentTime()")
    page.keyboard.press("l")
    assert page.evaluate("window.__fakeYouTube.player.getCurrentTime()") == pytest.approx(
        start + 10
    )
    page.keyboard.press("j")
    assert page.evaluate("window.__fakeYouTube.player.getCurrentTime()") == pytest.approx(start)
    page.keyboard.press("]")
    page.clock.run_for(100)
    expect(page.locator("#player-status")).to_have_text("Playing at 1.75x.")
    offer = page.locator("#player-offer")
    expect(offer).to_contain_text("Keep 1.75x as your speed for every talk?")
    offer.get_by_role("button", name="Keep 1.75x").click()
    page.clock.run_for(500)
    expect(page.locator("#player-status")).to_have_text("Your speed is now 1.75x.")
    assert eventually(lambda: Profile.objects.get(user=viewer).speed_percent == 175)

    # Typing in a field never drives the player.
    page.get_by_role("textbox", name="My notes").fill("")
    page.get_by_role("textbox", name="My notes").type("kj l[]")
    assert page.evaluate("window.__fakeYouTube.player.getPlayerState()") == 1


def test_a_timestamp_in_a_note_seeks_the_player(page, viewer):
    queue.set_status(entry(DESANTIS), Entry.Status.WATCHING, resume_seconds=None, watched_on=None)
    record = entry(DESANTIS)
    record.note = "12:34 the chip"
    record.save()
    open_talk(page, DESANTIS)
    page.get_by_role("link", name="12:34").click()
    page.clock.run_for(1000)
    assert page.url.endswith(Talk.objects.get(title=DESANTIS).get_absolute_url())
    assert "start=754" in page.locator("#player-frame").get_attribute("src")


def test_the_talk_page_with_the_player_has_no_axe_violations(page, viewer):
    open_talk(page, DESANTIS)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()
    play(page)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()


def test_without_javascript_the_page_links_to_the_video(browser, live_server, viewer):
    queue.set_status(entry(DESANTIS), Entry.Status.WATCHING, resume_seconds=754, watched_on=None)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "viewer")
    page.goto(Talk.objects.get(title=DESANTIS).get_absolute_url())
    expect(page.get_by_role("button", name="Play here")).to_be_hidden()
    resume = page.get_by_role("link", name="Resume 12:34").first
    expect(resume).to_have_attribute("href", "https://youtu.be/R11YgBEZzqE?t=754")
    context.close()


@pytest.mark.skipif(
    not os.environ.get("REAL_YOUTUBE"), reason="set REAL_YOUTUBE=1 (needs the internet)"
)
def test_against_the_real_youtube(page, viewer):
    """Opt-in: the same speed rule against the real IFrame Player API."""
    sign_in(page, "viewer")
    page.goto(Talk.objects.get(title=DESANTIS).get_absolute_url())
    page.get_by_role("button", name="Play here").click()
    expect(page.locator("#player-status")).to_contain_text("Playing at 1.5x", timeout=30_000)


def test_a_video_change_resets_the_rate_and_the_speed_is_applied_again(page, viewer):
    open_talk(page, DESANTIS)
    play(page)
    expect(page.locator("#player-status")).to_have_text("Playing at 1.5x.")
    page.evaluate("window.__fakeYouTube.player.loadVideoById('AnOtHeR0001')")  # back at 1x
    assert page.evaluate("window.__fakeYouTube.player.getPlaybackRate()") == 1
    page.evaluate("window.__fakeYouTube.player.playVideo()")
    page.clock.run_for(1000)
    assert page.evaluate("window.__fakeYouTube.player.getPlaybackRate()") == 1.5
    rate_calls = [c for c in calls(page) if c[0] == "setPlaybackRate"]
    assert rate_calls == [["setPlaybackRate", 1.5, 1], ["setPlaybackRate", 1.5, 1]]


# Watch buttons elsewhere open this player ---------------------------------------


def test_watch_on_the_queue_plays_here_at_the_persons_speed_in_one_click(page, viewer):
    offline_youtube(page, duration=3600)
    page.clock.install()
    sign_in(page, "viewer")
    page.goto("/queue/")
    scripts_ready(page)
    page.get_by_role("link", name=f"Watch {DESANTIS}").click()  # the one click
    scripts_ready(page)
    page.clock.run_for(1000)
    expect(page.locator("#player-status")).to_have_text("Playing at 1.5x.")
    assert page.url.endswith(Talk.objects.get(title=DESANTIS).get_absolute_url())  # no #play
    page.reload()  # a reload does not start it again
    scripts_ready(page)
    expect(page.get_by_role("button", name="Play here")).to_be_visible()


def test_resume_on_home_starts_where_the_person_stopped(page, viewer):
    queue.set_status(entry(VOGELS), Entry.Status.WATCHING, resume_seconds=754, watched_on=None)
    offline_youtube(page, duration=3600)
    page.clock.install()
    sign_in(page, "viewer")
    scripts_ready(page)
    page.get_by_role("region", name="Continue watching").get_by_role("link").filter(
        has_text="Resume 12:34"
    ).click()
    scripts_ready(page)
    page.clock.run_for(1000)
    expect(page.locator("#player-status")).to_have_text("Playing at 1.5x.")
    assert "start=754" in page.locator("#player-frame").get_attribute("src")


def test_a_plan_part_starts_at_its_own_second(page, viewer):
    offline_youtube(page, duration=3600)
    page.clock.install()
    sign_in(page, "viewer")
    page.goto(Talk.objects.get(title=DESANTIS).get_absolute_url() + "#play=4050")
    scripts_ready(page)
    page.clock.run_for(1000)
    assert "start=4050" in page.locator("#player-frame").get_attribute("src")


# A player that never hangs ------------------------------------------------------


def test_a_player_script_that_does_not_load_is_said_in_words(page, viewer):
    queue.set_status(entry(DESANTIS), Entry.Status.WATCHING, resume_seconds=754, watched_on=None)
    open_talk(page, DESANTIS)
    page.context.route("https://www.youtube.com/iframe_api", lambda route: route.abort())
    page.get_by_role("button", name="Play here").click()
    status = page.locator("#player-status")
    expect(status).to_contain_text("YouTube didn't answer.")
    link = status.get_by_role("link", name="Open the video on YouTube at 12:34")
    expect(link).to_have_attribute("href", "https://youtu.be/R11YgBEZzqE?t=754")
    # The rest of the page still works: the note saves, the status changes.
    page.get_by_label("My notes").fill("still here")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#note-status")).to_contain_text("Saved at")
    page.errors.remove("Failed to load resource: net::ERR_FAILED")  # the refused script


def test_a_player_that_never_gets_ready_is_given_up_on_after_8_seconds(page, viewer):
    open_talk(page, DESANTIS, neverReady=True)
    page.get_by_role("button", name="Play here").click()
    status = page.locator("#player-status")
    page.clock.run_for(7_000)
    expect(status).to_have_text("Loading the player…")
    page.clock.run_for(1_500)
    expect(status).to_contain_text("YouTube didn't answer. Open the video on YouTube")
    expect(status.get_by_role("link")).to_have_attribute("href", "https://youtu.be/R11YgBEZzqE")


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (2, "YouTube did not accept this video's address."),
        (5, "YouTube's player cannot play this video in this browser."),
        (100, "YouTube says this video was removed or made private."),
        (101, "The video's owner does not allow it to be played outside YouTube."),
        (150, "The video's owner does not allow it to be played outside YouTube."),
    ],
)
def test_each_youtube_error_code_is_said_in_words(page, viewer, code, words):
    open_talk(page, DESANTIS, error=code)
    play(page)
    status = page.locator("#player-status")
    expect(status).to_contain_text(words)
    expect(status.get_by_role("link", name="Open the video on YouTube")).to_be_visible()
    page.clock.run_for(10_000)  # the load timer does not overwrite it later
    expect(status).to_contain_text(words)


def test_a_browser_that_holds_autoplay_is_asked_to_press_play(page, viewer):
    open_talk(page, DESANTIS, holdAutoplay=True)
    play(page)
    status = page.locator("#player-status")
    expect(status).to_have_text("Loading the player…")
    page.clock.run_for(4_500)
    expect(status).to_have_text("Press play in the video to start.")
    page.evaluate("window.__fakeYouTube.personPresses()")  # in the host's own frame
    page.clock.run_for(1000)
    expect(status).to_have_text("Playing at 1.5x.")


# Notes beside the video ----------------------------------------------------------


def test_note_at_the_current_second_in_two_actions(page, viewer):
    open_talk(page, DESANTIS, duration=3600)
    note_at = page.locator("#note-at")
    expect(note_at).to_be_hidden()  # nothing to stamp before the video plays
    play(page)
    page.clock.run_for(20_000)  # 30 s of video at 1.5x
    page.get_by_label("My notes").fill("intro")
    note_at.click()  # 1
    page.keyboard.type("the chip")  # 2
    value = page.get_by_label("My notes").input_value()
    assert re.fullmatch(r"intro\n0:(29|30|31) the chip", value), value
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".note-preview a").first).to_have_text(re.compile(r"0:3\d|0:29"))
    saved = eventually(lambda: "the chip" in entry(DESANTIS).note and entry(DESANTIS).note)
    assert saved


def test_wide_screen_notes_beside_the_player_phone_reads_in_order(page, viewer):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_talk(page, DESANTIS)
    player = page.locator("#play").bounding_box()
    notes = page.get_by_label("My notes").bounding_box()
    assert notes["x"] > player["x"] + player["width"]  # beside it
    assert notes["y"] < player["y"] + player["height"]  # at the same height
    page.set_viewport_size({"width": 375, "height": 800})
    tops = {
        name: page.locator(selector).bounding_box()["y"]
        for name, selector in [
            ("title", "h1"),
            ("player", "#play"),
            ("plan", "#panel"),
            ("verdict", "#verdict-heading"),
            ("notes", "#id_note"),
            ("outline", "#outline-heading"),
        ]
    }
    assert sorted(tops, key=tops.get) == ["title", "player", "plan", "verdict", "notes", "outline"]
    assert tops["verdict"] <= 1200, tops


def test_a_time_in_the_transcript_plays_from_there(page, viewer, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "R11YgBEZzqE.en.vtt"
    path.write_text("WEBVTT\n\n12:04.000 --> 12:09.000\nThe chip that does the work.\n")
    call_command("import_transcripts", str(path), verbosity=0)
    open_talk(page, DESANTIS)
    page.get_by_role("link", name="12:04").click()
    page.clock.run_for(1000)
    assert page.url.endswith(Talk.objects.get(title=DESANTIS).get_absolute_url())  # stayed
    assert "start=724" in page.locator("#player-frame").get_attribute("src")
    expect(page.locator("#player-status")).to_have_text("Playing at 1.5x.")


def test_the_transcript_follows_the_video_and_quotes_into_the_note(page, viewer, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "R11YgBEZzqE.en.vtt"
    cues = "".join(
        f"\n{m:02d}:{s:02d}.000 --> {m:02d}:{s + 30:02d}.000\nPart {n} of the talk.\n"
        for n, (m, s) in enumerate((minute, 0 if half == 0 else 29) for minute in range(20)
                                   for half in (0, 1))
    )  # fmt: skip
    path.write_text("WEBVTT\n" + cues)
    call_command("import_transcripts", str(path), verbosity=0)
    open_talk(page, DESANTIS, duration=3600)
    play(page)
    page.clock.run_for(400_000)  # 10 minutes of video at 1.5x
    current = page.locator(".transcript-passages li[aria-current=true]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("10:00")
    box = page.locator(".transcript-passages")
    assert box.evaluate("el => el.scrollTop") > 0  # kept in view inside its box
    assert page.evaluate("window.scrollY") == 0  # the page (and the player) stayed
    page.get_by_role("button", name="Quote the passage being said into my note").click()
    expect(page.get_by_label("My notes")).to_have_value(
        re.compile(r"^10:00 “Part \d+ of the talk\.”\n$")
    )
    box.dispatch_event("wheel")  # the person scrolls the transcript: it stops following
    expect(page.get_by_label("Follow the video")).not_to_be_checked()


def test_a_passage_quote_button_puts_it_into_the_note(page, viewer, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "R11YgBEZzqE.en.vtt"
    path.write_text(
        "WEBVTT\n\n00:05.000 --> 00:09.000\nGood evening.\n\n"
        "12:04.000 --> 12:09.000\nThe chip that does the work.\n"
    )
    call_command("import_transcripts", str(path), verbosity=0)
    open_talk(page, DESANTIS)
    page.get_by_label("My notes").fill("My own words.")
    page.get_by_role("button", name="Quote 12:04 into my note").click()
    expected = "My own words.\n12:04 “The chip that does the work.”\n"
    expect(page.get_by_label("My notes")).to_have_value(expected)
    page.clock.run_for(2000)  # typing's autosave
    eventually(lambda: entry(DESANTIS).note == expected)


def test_a_search_finds_what_is_said_and_plays_there(page, viewer, tmp_path):
    """The issue's walk: a phrase from the middle of a talk, "Said at 12:04", the player
    starting there at the person's speed, the passage marked."""
    from django.core.management import call_command

    path = tmp_path / "R11YgBEZzqE.en.vtt"
    cues = "".join(
        f"\n{m:02d}:00.000 --> {m:02d}:20.000\nMinute {m} of the talk.\n" for m in range(11)
    )
    cues += "\n12:04.000 --> 12:09.000\nThe nitro chip offloads the hypervisor.\n"
    cues += "\n13:00.000 --> 13:20.000\nAnd then we moved on.\n"
    path.write_text("WEBVTT\n" + cues)
    call_command("import_transcripts", str(path), verbosity=0)
    open_talk(page, DESANTIS, duration=3600)
    page.goto("/?q=chip+offloads+hyper")
    scripts_ready(page)
    link = page.get_by_role("link", name="Said at 12:04")
    expect(link.locator("xpath=..")).to_contain_text("nitro chip offloads the hypervisor")
    link.click()
    page.clock.run_for(2000)
    assert "start=724" in page.locator("#player-frame").get_attribute("src")
    expect(page.locator("#player-status")).to_have_text("Playing at 1.5x.")
    page.clock.run_for(1000)
    current = page.locator(".transcript-passages li[aria-current=true]")
    expect(current).to_contain_text("The nitro chip offloads the hypervisor.")


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (375, "dark")])
def test_transcripts_have_no_axe_violations(page, viewer, tmp_path, width, scheme):
    from django.core.management import call_command

    path = tmp_path / "R11YgBEZzqE.en.vtt"
    path.write_text("WEBVTT\n\n00:01.000 --> 00:40.000\nThe chip. It does the work.\n")
    call_command("import_transcripts", str(path), verbosity=0)
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    open_talk(page, DESANTIS)
    url = Talk.objects.get(title=DESANTIS).get_absolute_url()
    search = "/?q=does+the+work"  # found by what is said: the passage on the card
    for address in (url, f"{url}transcript/", f"{url}transcript/?q=chip+work", search):
        page.goto(address)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert results.violations_count == 0, f"{address}\n{results.generate_report()}"
    expect(page.locator(".said")).to_contain_text("Said at 0:01")  # the search, checked last
