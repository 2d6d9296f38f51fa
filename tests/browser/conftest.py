"""Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from sessions.video import THUMBNAIL_HOSTS
from tests.conftest import FIXTURE

# A 1x1 GIF: the stand-in answer of the thumbnail hosts (i.ytimg.com and the others serve
# plain images at these URLs), so pages render offline as they do online.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MISSING = (
    "No Chromium at {} for the browser tests: apt-get install -y chromium, "
    "or set CHROMIUM=/path/to/chromium (or run pytest -m 'not browser')."
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Chromium:
    """One Chromium for the whole run, launched again if it died: a browser that crashed
    under one test (seen once in CI, while closing a page that had just answered a
    beforeunload dialog) fails that test, not every browser test after it."""

    def __init__(self, playwright) -> None:
        self.playwright = playwright
        self.browser = None

    def current(self):
        if self.browser is None or not self.browser.is_connected():
            self.browser = self.playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        return self.browser


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        # Once, in one line, instead of a traceback per browser test.
        pytest.exit(MISSING.format(CHROMIUM), returncode=1)
    with sync_playwright() as p:
        launcher = _Chromium(p)
        yield launcher
        if launcher.browser is not None and launcher.browser.is_connected():
            launcher.browser.close()


@pytest.fixture
def browser(chromium):
    return chromium.current()


@pytest.fixture(autouse=True)
def no_remote_images(settings):
    """Pages without thumbnails unless a test asks for them: a stalled image request
    must not decide whether a test about something else passes."""
    settings.REMOTE_IMAGES = False


@pytest.fixture
def page(browser, live_server, transactional_db):
    # Set up after the database and so torn down before it is emptied: a request the page
    # still makes (a progress save as it closes) never meets the flush's TRUNCATE (on
    # PostgreSQL the two deadlocked once, and the next test found the last one's rows).
    # The service worker is tested on its own (test_app_browser.py); elsewhere it would
    # only add a second, timing-dependent path between a test and the server.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  service_workers="block")  # fmt: skip
    for host in THUMBNAIL_HOSTS:
        context.route(
            f"https://{host}/**",
            lambda route: route.fulfill(status=200, content_type="image/gif", body=PIXEL),
        )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = watch_errors(page)
    page.errors = errors  # a test that provokes an error on purpose clears it
    yield page
    context.close()
    requests_done()
    assert errors == [], f"the browser reported errors: {errors}"


def watch_errors(page) -> list[str]:
    """The page's script errors and console errors, as they happen (a CSP violation is
    one). A 4xx answer is the app working (a form with a mistake; a progress save too
    soon after the last, which the player sends again): not counted."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(msg) -> None:
        if msg.type == "error" and not re.search(r"status of 4\d\d", msg.text):
            errors.append(msg.text)

    page.on("console", on_console)
    return errors


def requests_done(seconds: float = 5.0) -> None:
    """Wait for the live server's requests in flight to end: a request the page sent as
    it closed (a progress save on pagehide) may still be running, and on PostgreSQL it
    deadlocked with the flush's TRUNCATE under a loaded machine. The server answers each
    request on a thread of socketserver's (ThreadingMixIn: process_request_thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.02)


@pytest.fixture
def live_catalog(transactional_db):
    call_command("loaddata", FIXTURE, verbosity=0)
