"""Stored payloads never run in a real browser (with the CSP on, a blocked one would show too)."""

import pytest
from django.contrib.auth.models import User

from planner import queue, sharing
from planner.models import Entry, RecommendedList
from sessions.models import Talk
from tests.conftest import PASSWORD
from tests.security.test_xss import PAYLOADS

pytestmark = pytest.mark.browser


def test_no_payload_runs_anywhere(page, live_catalog):
    user = User.objects.create_user("mallory", "m@example.com", PASSWORD)
    talks = list(Talk.objects.order_by("position")[:3])
    all_payloads = "\n\n".join(PAYLOADS)
    for talk in talks:
        entry = queue.track(user, talk, Entry.Status.WATCHED)
        entry.note = f"12:34 {all_payloads}"
        entry.save()
        entry.tags.add(*(p[:50] for p in PAYLOADS[:3]))
    rlist = RecommendedList.objects.create(user=user, title=PAYLOADS[1], intro=all_payloads)
    for talk in talks:
        sharing.add_item(rlist, talk, blurb=PAYLOADS[2], share_note=True)
    token = sharing.publish(rlist)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("mallory")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    urls = ["/", "/queue/", "/watched/", "/lists/", f"/lists/{rlist.pk}/", f"/s/{token}/"]
    urls += [t.get_absolute_url() for t in talks]
    for url in urls:
        page.goto(url)
        # Images have failed (onerror) and any hx-trigger=load request has come back.
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__xss") is None, url
    # An htmx swap of stored content, too.
    page.goto(talks[0].get_absolute_url())
    page.get_by_role("button", name="Save note").click()
    page.locator("#note-status").filter(has_text="Saved at").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__xss") is None
