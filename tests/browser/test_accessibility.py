"""axe-core finds no WCAG 2.2 A/AA violation on any page, wide or on a 375 px phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User

from planner import digests, news, queue, sharing, tokens
from planner.models import Entry, News, RecommendedList, Telling
from sessions.models import Talk
from tests.browser.steps import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
VIEWS = [
    pytest.param({"width": 1280, "height": 900}, "light", id="desktop-light"),
    pytest.param({"width": 375, "height": 812}, "light", id="phone-light"),
    pytest.param({"width": 375, "height": 812}, "dark", id="phone-dark"),
]
PUBLIC = [
    "/",
    "/?q=lambda&topic=serverless",
    "/?q=nothing-matches-this",
    "/talks/aws-reinvent-2022/werner-vogels-cto-aws/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/conferences/",
    "/conferences/aws-reinvent-2022/",
    "/offline/",
    "/?sort=length&length=medium&q=secure",
]
SIGNED_IN = [
    "/",
    "/?status=planned&min_rating=3",
    "/?sort=watched",
    "/talks/1/lists/",
    "/plan/",
    "/talks/aws-reinvent-2022/werner-vogels-cto-aws/",
    "/talks/aws-reinvent-2022/adam-selipsky-ceo-aws/",
    "/talks/aws-reinvent-2022/peter-desantis-svp-aws/",
    "/queue/",
    "/queue/?status=watching",
    "/watched/",
    "/settings/",
    "/accounts/password_change/",
    "/welcome/",
    "/add/",
    "/add/?url=https://example.org/not-a-video",
    "/new/",
]


def assert_no_violations(page, url: str) -> None:
    page.goto(url)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, f"{url}\n{results.generate_report()}"


@pytest.fixture
def planned(live_catalog):
    user = User.objects.create_user("reader", "reader@example.com", PASSWORD)
    talks = list(Talk.objects.order_by("position"))
    queue.track(user, talks[0])
    watching = queue.track(user, talks[1], Entry.Status.WATCHING)
    watching.resume_seconds = 754
    watching.save()
    queue.track(user, talks[3])
    done = queue.track(user, talks[2], Entry.Status.WATCHED)
    done.rating, done.note = 4, "12:34 great diagram\n\n* a bullet with **bold**"
    done.save()
    done.tags.add("favourite")
    rlist = RecommendedList.objects.create(user=user, title="My picks", intro="Two good ones.")
    sharing.add_item(rlist, talks[2], blurb="Worth it.", share_note=True)
    sharing.add_item(rlist, talks[0], blurb="For infra people.")
    sharing.publish(rlist)
    News.objects.create(user=user, talk=talks[0])  # "New 1" in the header, and /new/
    news.recount({user.pk})
    # Emails asked for, not confirmed yet (Settings says so); a feed link on /new/.
    feed_token, feed_digest = tokens.new()
    Telling.objects.create(user=user, address="reader@example.com", digest_on=True,
                           feed_token=feed_token, feed_digest=feed_digest)  # fmt: skip
    # A talk not out yet: its card offers "Tell me when it's out".
    Talk.objects.filter(pk=talks[4].pk).update(video_provider="", video_ref="", video_since=None)
    return user


@pytest.mark.parametrize(("viewport", "scheme"), VIEWS)
def test_public_pages_have_no_axe_violations(browser, live_server, live_catalog, viewport, scheme):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    for url in PUBLIC:
        assert_no_violations(page, url)
    assert_no_violations(page, "/s/not-a-real-token/")  # the 404 page
    context.close()


@pytest.mark.parametrize(("viewport", "scheme"), VIEWS)
def test_signed_in_pages_have_no_axe_violations(browser, live_server, planned, viewport, scheme):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    sign_in(page, "reader")
    rlist = RecommendedList.objects.get(user=planned)
    off = digests.unsubscribe_url(planned.pk, "reader@example.com").split("/email/", 1)[1]
    for url in [*SIGNED_IN, "/lists/", f"/lists/{rlist.pk}/", f"/s/{rlist.share_token}/",
                f"/email/{off}"]:  # fmt: skip
        assert_no_violations(page, url)
    # The question before deleting a list, as a dialog.
    page.goto(f"/lists/{rlist.pk}/")
    page.get_by_role("button", name="Delete this list").click()
    page.get_by_role("dialog").wait_for()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()
    page.keyboard.press("Escape")
    # Add to a list, opened in place on a card, and its error.
    page.goto("/")
    page.locator(".card").first.get_by_role("link", name="Add to a list").click()
    page.get_by_role("button", name="Add to the list").click()
    page.get_by_text("Choose a list, or give a new one a title.").wait_for()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()
    # A form with an error shown next to its field.
    page.goto("/talks/aws-reinvent-2022/adam-selipsky-ceo-aws/")
    page.get_by_text("Change status or dates").click()
    page.get_by_label("Resume at").fill("99:99")
    page.get_by_label("Resume at").press("Enter")  # the Save button is for no-JS visitors
    page.get_by_text("Enter a time as mm:ss or h:mm:ss").wait_for()
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count == 0, results.generate_report()
    context.close()


def test_axe_check_catches_a_real_violation(browser):
    # Guards the guard: the same call reports an unlabeled field and a missing alt text.
    page = browser.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"><input></main></html>')
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    assert results.violations_count >= 2
    page.close()
