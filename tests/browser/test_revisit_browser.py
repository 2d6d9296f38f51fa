"""A revisit of an unchanged page costs a 304, and the page still works: its scripts run
and its htmx actions save (the 304 carries no new policy: tests/test_kept.py)."""

import pytest
from django.contrib.auth.models import User

from planner import queue
from planner.models import Entry
from planner.serving import kept
from sessions.models import Talk
from tests.browser.steps import scripts_ready, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_revisit_is_a_304_and_the_page_still_works(browser, live_server, live_catalog,
                                                      monkeypatch):  # fmt: skip
    answered_304 = []
    original = kept.not_modified
    monkeypatch.setattr(kept, "not_modified", lambda etag: answered_304.append(etag)
                        or original(etag))  # fmt: skip
    # A context of its own: any route (the page fixture's) turns the browser's cache off.
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    user = User.objects.create_user("reader", "r@example.com", PASSWORD)
    talks = list(Talk.objects.order_by("position")[:3])
    for talk in talks:
        queue.track(user, talk)
    sign_in(page, "reader")
    statuses = []

    def seen(response) -> None:
        if response.url.endswith("/queue/") and response.request.is_navigation_request():
            asked = response.request.all_headers().get("if-none-match")
            statuses.append((response.status, asked))

    page.on("response", seen)
    page.goto("/queue/")
    page.goto("/queue/")  # kept now, with its ETag
    page.goto("/queue/")  # the browser asks If-None-Match
    # The browser shows its stored copy (Playwright reports it as the 200 it stored).
    assert statuses[-1][1] and answered_304 == [statuses[-1][1]] * len(answered_304), statuses
    assert len(answered_304) >= 1
    scripts_ready(page)  # app.js ran
    assert errors == []
    # Still a working page: a move through htmx saves.
    page.get_by_role("button", name="Move up").last.click()
    page.locator(".htmx-request").first.wait_for(state="detached")
    order = list(Entry.objects.for_user(user).queued().values_list("talk_id", flat=True))
    assert order == [talks[0].pk, talks[2].pk, talks[1].pk]
    context.close()
