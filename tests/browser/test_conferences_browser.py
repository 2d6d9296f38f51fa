"""The staff's Add-a-conference page in a browser: upload, preview, import, by keyboard;
and thumbnails that load into a fixed box (no layout shift)."""

from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import expect

from sessions import feeds
from sessions.models import Conference, Talk
from tests.browser.steps import sign_in
from tests.browser.test_accessibility import WCAG
from tests.conftest import PASSWORD
from tests.sources import serve
from tests.test_import_formats import SAMPLES

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(live_catalog):
    return User.objects.create_user("root", "root@example.com", PASSWORD, is_staff=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_add_a_conference_with_its_preview(page, staff, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "root")
    page.goto("/conferences/")
    page.get_by_role("link", name="Add a conference").click()
    page.get_by_label("Or upload a file").set_input_files(SAMPLES / "schedule.xml")
    page.get_by_role("button", name="Preview").press("Enter")

    preview = page.get_by_role("region", name="Preview: Example Chaos Congress 2024")
    expect(preview).to_contain_text("4 new talks")
    expect(preview).to_contain_text("Ein Blick unter die Haube: Größenordnungen")
    expect(preview).to_contain_text("Jördis Beispiel and Kim Example")
    expect(preview).to_contain_text("26:40 at 1.5x")  # a 40-minute slot at 1.5x
    page.wait_for_load_state()  # the stylesheet too: axe measures target sizes
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()
    assert not Talk.objects.filter(conference__slug="exc24").exists()

    page.get_by_role("button", name="Import 4 talks").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Example Chaos Congress 2024", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("4 talks created")
    assert Talk.objects.filter(conference__slug="exc24").count() == 4

    page.get_by_role("link", name="Browse its talks").click()
    expect(page.locator("#result-count")).to_have_text("4 talks")
    expect(page.locator(".no-video")).to_have_count(4)  # "No recording yet", and queueable
    page.wait_for_load_state()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()


def test_thumbnails_load_into_a_fixed_box(page, live_catalog, settings):
    settings.REMOTE_IMAGES = True
    page.goto("/")
    card = page.locator(".card").first
    thumb = card.locator(".thumb img")
    expect(thumb).to_have_attribute("loading", "lazy")
    box = card.locator(".thumb").bounding_box()
    assert round(box["width"] / box["height"], 2) == round(16 / 9, 2)
    height = card.bounding_box()["height"]
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_have_js_property("complete", True)
    assert card.bounding_box()["height"] == height


@pytest.mark.parametrize("javascript", [True, False])
def test_a_thumbnail_that_does_not_arrive_leaves_our_poster(browser, live_server, live_catalog,
                                                            settings, javascript):  # fmt: skip
    """Never the browser's broken-image mark or an alt text: the title on our own poster."""
    settings.REMOTE_IMAGES = True
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    context.route("https://i.ytimg.com/**", lambda route: route.abort())  # blocked, offline
    page = context.new_page()
    page.goto("/")
    card = page.locator(".card").first
    poster = card.locator(".thumb-poster")
    expect(poster).to_have_text("Peter DeSantis - SVP AWS")
    img = card.locator(".thumb img")
    expect(img).to_have_attribute("alt", "")
    card.locator(".thumb").scroll_into_view_if_needed()
    expect(img).to_have_js_property("complete", True)
    if javascript:
        expect(img).to_be_hidden()  # the poster shows instead
    # Nothing painted over the poster: a failed image with no alt text draws nothing.
    assert img.evaluate("(i) => i.naturalWidth") == 0
    expect(poster).to_be_visible()
    assert "Video still" not in page.content()
    context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_keep_a_conference_current_by_keyboard(page, staff, settings, width):
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    source, stop = serve()
    source.serve((SAMPLES / "schedule.xml").read_bytes())
    try:
        call_command("import_catalog", source.url, stdout=StringIO())
        page.set_viewport_size({"width": width, "height": 900})
        sign_in(page, "root")
        page.goto("/conferences/exc24/")
        kept = page.get_by_role("region", name="Kept current")
        expect(kept).to_contain_text("Not yet")
        kept.get_by_role("button", name="Refresh now").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text(
            "0 talks created, 0 updated, 4 unchanged"
        )
        source.status = 503
        kept.get_by_role("button", name="Refresh now").press("Enter")
        expect(page.get_by_role("status")).to_contain_text(
            "Not refreshed: the server answered 503 Service Unavailable. Nothing was changed."
        )
        expect(kept).to_contain_text("Last error")
        expect(kept).to_contain_text("Next try")
        kept.get_by_role("button", name="Pause automatic refresh").press("Enter")
        expect(kept).to_contain_text("Paused. The source is read only when you press Refresh now.")
        page.wait_for_load_state()
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert results.violations_count == 0, results.generate_report()
        kept.get_by_role("button", name="Resume automatic refresh").press("Enter")
        expect(page.get_by_role("status")).to_contain_text("Automatic refresh is on again")
    finally:
        stop()


@pytest.mark.parametrize("width", [1280, 375])
def test_staff_add_a_youtube_feed_and_place_an_upload_by_keyboard(page, staff, settings, width):
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    call_command("import_catalog", str(SAMPLES / "schedule.xml"), stdout=StringIO())
    youtube, stop = serve("/feeds/videos.xml")
    youtube.serve((SAMPLES / "youtube-feed.xml").read_bytes())
    try:
        page.set_viewport_size({"width": width, "height": 900})
        sign_in(page, "root")
        page.goto("/conferences/exc24/")
        page.get_by_label("YouTube playlist or channel").fill(youtube.url)
        page.get_by_label("YouTube playlist or channel").press("Enter")
        expect(page.get_by_role("status")).to_contain_text("2 attached to talks")
        place = page.get_by_role("region", name="Uploads to place (2)")
        upload = place.get_by_role("listitem").filter(has_text="exc24 - Lightning Talks")
        upload.get_by_label("It is the talk").select_option(index=1)
        upload.get_by_role("button", name="Attach").press("Enter")
        expect(page.get_by_role("status")).to_contain_text(
            "“exc24 - Lightning Talks” is now the recording of “Lightning Talks”."
        )
        expect(page.get_by_role("region", name="Uploads to place (1)")).to_be_visible()
        page.wait_for_load_state()
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert results.violations_count == 0, results.generate_report()
    finally:
        stop()


@pytest.mark.parametrize("javascript", [True, False])
def test_tell_me_when_its_out_then_new_for_you(browser, live_server, staff, settings, javascript):
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    call_command("import_catalog", str(SAMPLES / "schedule.xml"), stdout=StringIO())
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript,
                                  viewport={"width": 375, "height": 800})  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, "root")
    page.goto("/conferences/exc24/")
    page.get_by_role("link", name="Browse its talks").click()
    page.get_by_role("link", name="Soldering for everyone", exact=True).click()
    page.get_by_role("button", name="Tell me when it's out").click()
    expect(page.get_by_role("status")).to_contain_text("We'll tell you when “Soldering for")
    expect(page.get_by_text("We'll tell you when it's out.")).to_be_visible()
    expect(page.locator(".nav-news")).to_have_count(0)

    youtube, stop = serve("/feeds/videos.xml")  # the recording arrives with a feed
    youtube.serve((SAMPLES / "youtube-feed.xml").read_bytes())
    try:
        feeds.refresh_feed(feeds.add(Conference.objects.get(slug="exc24"), youtube.url))
    finally:
        stop()
    page.reload()
    news_link = page.get_by_role("link", name="New 1 for you")
    expect(news_link).to_be_visible()
    news_link.click()
    expect(page.get_by_role("heading", name="New for you", level=1)).to_be_visible()
    expect(page.locator(".news-unseen")).to_contain_text("Soldering for everyone")
    if javascript:  # axe is a script: a page without JavaScript never answers it
        page.wait_for_load_state()
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert results.violations_count == 0, results.generate_report()
    page.get_by_role("button", name="Mark 1 as seen").click()
    expect(page.get_by_role("status")).to_contain_text("Marked 1 as seen.")
    expect(page.locator(".nav-news")).to_have_count(0)
    context.close()
