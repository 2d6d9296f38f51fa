"""Add a talk in a real browser, and the installable app: the host's lookup answered by
the loopback stand-in (tests/found_hosts.py; the server asks it, so no browser route can),
the service worker's offline page, and Chromium's own installability check."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import expect

from planner.models import Entry
from sessions.models import Talk
from tests import found_hosts
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.steps import scripts_ready, sign_in
from tests.browser.test_accessibility import WCAG
from tests.conftest import PASSWORD
from tests.found_hosts import YOUTUBE_ID

pytestmark = pytest.mark.browser
TITLE = "Queues all the way down: back-pressure in practice"


@pytest.fixture
def finder(live_catalog, settings):
    server, endpoints = found_hosts.start()
    settings.VIDEO_LOOKUP_ENDPOINTS = endpoints
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    user = User.objects.create_user("finder", "f@example.com", PASSWORD)
    yield user
    server.shutdown()


def test_paste_a_link_and_it_is_queued_in_three_actions(page, finder):
    sign_in(page, "finder")
    page.goto("/queue/")
    page.get_by_role("link", name="Add it by its link").click()
    page.get_by_label("Link to the video").fill(f"https://youtu.be/{YOUTUBE_ID}")  # 1
    page.get_by_role("button", name="Look it up").click()  # 2
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    page.get_by_role("button", name="Add to my queue").click()  # 3
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("and queued it")
    assert Entry.objects.get(user=finder, talk__title=TITLE).in_queue

    page.goto("/add/")
    page.get_by_label("Link to the video").fill(f"https://www.youtube.com/watch?v={YOUTUBE_ID}")
    page.get_by_role("button", name="Look it up").click()
    expect(page.get_by_role("heading", name="Already in your queue")).to_be_visible()
    assert Talk.objects.filter(title=TITLE).count() == 1


def test_a_host_that_does_not_answer_and_a_typed_title(page, finder):
    sign_in(page, "finder")
    page.goto("/add/")
    page.get_by_label("Link to the video").fill("https://youtu.be/downdowndow")
    page.get_by_role("button", name="Look it up").click()
    expect(page.get_by_role("status")).to_contain_text("YouTube did not answer")
    page.get_by_label("Title").fill("A talk a friend sent me")
    page.get_by_role("button", name="Add to my queue").click()
    expect(page.get_by_role("heading", name="A talk a friend sent me")).to_be_visible()
    assert Entry.objects.get(user=finder, talk__title="A talk a friend sent me").in_queue


def test_a_catalog_talks_link_is_that_talk(page, finder):
    vogels = Talk.objects.get(title="Werner Vogels - CTO AWS")
    sign_in(page, "finder")
    page.goto(f"/add/?url=https://youtu.be/{vogels.video_ref}")
    expect(page.get_by_role("heading", name="It's in the catalog")).to_be_visible()
    page.get_by_role("button", name="Add to my queue").click()
    expect(page.get_by_role("heading", name=vogels.title)).to_be_visible()
    assert Talk.objects.filter(video_ref=vogels.video_ref).count() == 1
    assert Entry.objects.get(user=finder, talk=vogels).in_queue


def test_shared_from_android_signed_out_then_in(page, finder):
    """Android's share sheet opens the share target with the link in `text`."""
    page.goto(f"/add/?title=YouTube&text=Worth+a+look+https%3A%2F%2Fyoutu.be%2F{YOUTUBE_ID}")
    page.get_by_label("Username").fill("finder")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Title")).to_have_value(TITLE)


def test_without_javascript_too(browser, live_server, finder):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "finder")
    page.goto("/add/")
    page.get_by_label("Link to the video").fill(f"https://youtu.be/{YOUTUBE_ID}")
    page.get_by_role("button", name="Look it up").click()
    page.get_by_role("button", name="Add to my queue").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    context.close()
    assert Entry.objects.get(user=finder, talk__title=TITLE).in_queue


@pytest.mark.parametrize("width", [1280, 375])
def test_the_add_pages_have_no_axe_violations(page, finder, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "finder")
    for url in ("/add/", f"/add/?url=https://youtu.be/{YOUTUBE_ID}", "/add/?url=nope"):
        page.goto(url)
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert results.violations_count == 0, f"{url}\n{results.generate_report()}"


@pytest.fixture
def app_browser(browser, tmp_path, live_server):
    """A browser profile of its own (Chromium says an off-the-record one can't install)."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        headless=True, base_url=live_server.url, viewport={"width": 375, "height": 812},
    )  # fmt: skip
    yield context
    context.close()


def test_installable_and_offline(app_browser, finder):
    page = app_browser.new_page()
    sign_in(page, "finder")
    scripts_ready(page)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = app_browser.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and "share_target" in manifest["data"]

    page.reload()  # now under the worker's control
    app_browser.set_offline(True)
    page.goto("/queue/")
    expect(page.get_by_role("heading", name="You're offline")).to_be_visible()
    assert "finder" not in page.content()  # the kept page is nobody's
    app_browser.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", name="Talks")).to_be_visible()
