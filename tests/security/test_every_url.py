"""Every URL in the URL conf, attacked: the suite lists the patterns itself, so a new view
that forgets a check (or is not classified here) fails it."""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from planner import backup, queue, sharing, tokens
from planner.models import Entry, RecommendedList, Telling, ViewingPlan
from tests.conftest import PASSWORD

# How each named URL may be used. "public": anyone may GET it. "personal": signed in only;
# anything with an object id in it must answer 404 to a different signed-in user.
PUBLIC = {
    "healthz", "catalog", "talk_detail", "shared_list", "login", "signup", "password_reset",
    "password_reset_done", "password_reset_confirm", "password_reset_complete",
    "conferences", "conference_detail", "manifest", "service_worker", "offline", "plan_time_zones",
    "transcript_page",
    "plan_feed",  # by its token only: any other token is a 404 (tests/test_plan_page.py)
    "news_feed",  # the same (tests/test_digests.py)
    # A signed link; its POST needs no CSRF token by design (RFC 8058; tests/test_digests.py).
    "email_unsubscribe",
}  # fmt: skip
# Staff only: the catalog's door. Signed out: sign in; signed in without staff: 404.
STAFF = {
    "conference_add",
    "conference_refresh",
    "conference_source",
    "feed_add",
    "feed_refresh",
    "feed_remove",
    "feed_source",
    "feed_video_place",
    "merge_talk",
    "talk_transcript",
}
PERSONAL_GET = {
    "queue", "watched", "settings", "lists", "list_detail", "list_markdown",
    "watched_markdown", "watched_csv", "backup_download", "password_change",
    "password_change_done", "welcome", "plan", "plan_ics",
    "add_talk",  # GET looks a link up; its POST adds (CSRF-checked below)
    "talk_to_list",  # GET shows the form; its POST adds (CSRF-checked below)
    "new_for_you",
    "email_confirm",  # the person's own signed link (tests/test_digests.py)
}  # fmt: skip
PERSONAL_POST = {
    "track", "reorder", "unqueue", "set_status", "rate", "save_note", "add_tag", "remove_tag",
    "set_length", "move", "list_delete", "list_add_item", "list_item_update", "list_item_move",
    "list_item_remove", "list_publish", "list_unpublish", "shared_list_add", "backup_restore",
    "logout", "undo_watched", "plan_feed_publish", "plan_feed_revoke", "save_progress",
    "save_speed", "tell_me", "news_seen", "news_feed_publish", "news_feed_revoke",
    "email_settings", "email_resend",
}  # fmt: skip
OWNED = {  # URLs naming one of alice's objects
    "unqueue", "set_status", "rate", "save_note", "add_tag", "remove_tag", "set_length", "move",
    "list_detail", "list_markdown", "list_delete", "list_add_item", "list_item_update",
    "list_item_move", "list_item_remove", "list_publish", "list_unpublish",
}  # fmt: skip
POST_DATA = {
    "status": "watched", "rating": "1", "note": "changed", "name": "mine", "length": "1:00",
    "direction": "down", "order": "1,2,3", "title": "changed", "intro": "changed",
    "position": "5", "duration": "60", "speed_percent": "200",
}  # fmt: skip


def named_patterns(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue  # Django's own, staff only, tested by Django
            yield from named_patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield p.name, prefix + str(p.pattern)


ALL = dict(named_patterns())


def test_every_url_is_classified():
    unknown = set(ALL) - PUBLIC - PERSONAL_GET - PERSONAL_POST - STAFF
    assert unknown == set(), f"classify these views in the attack suite: {sorted(unknown)}"


@pytest.fixture
def world(catalog):
    alice = User.objects.create_user("alice", "alice@example.com", PASSWORD)
    bob = User.objects.create_user("bob", "bob@example.com", PASSWORD)
    entry = queue.track(alice, catalog[0])
    queue.track(alice, catalog[1])
    entry.rating, entry.note = 5, "alice's note"
    entry.save()
    entry.tags.add("mine")
    watched = queue.track(alice, catalog[2], Entry.Status.WATCHED)
    rlist = RecommendedList.objects.create(user=alice, title="alice's list")
    item = sharing.add_item(rlist, catalog[0], blurb="alice's blurb")
    sharing.add_item(rlist, watched.talk)
    token = sharing.publish(rlist)
    feed_token, feed_digest = tokens.new()
    ViewingPlan.objects.create(user=alice, feed_token=feed_token, feed_digest=feed_digest)
    news_token, news_digest = tokens.new()
    Telling.objects.create(user=alice, address="alice@example.com", digest_on=True,
                           feed_token=news_token, feed_digest=news_digest)  # fmt: skip
    return {
        "alice": alice,
        "bob": bob,
        "kwargs": {
            "entry_id": entry.pk,
            "talk_id": catalog[3].pk,
            "list_id": rlist.pk,
            "item_id": item.pk,
            "token": token,
            "conference_slug": "aws-reinvent-2022",
            "slug": catalog[0].slug,
            "uidb64": "MQ",
            "token_": token,
            "pk": 1,
        },
    }


def url_for(name: str, kwargs: dict) -> str:
    from django.urls import reverse

    pattern = ALL[name]
    needed = {k: v for k, v in kwargs.items() if f"<{k}>" in pattern or f":{k}>" in pattern}
    if name == "password_reset_confirm":
        needed = {"uidb64": "MQ", "token": "set-password"}
    if name.startswith(("conference_", "feed_")) and "slug" in needed:
        needed = {**needed, "slug": "aws-reinvent-2022"}
    return reverse(name, kwargs=needed)


def snapshot(user) -> str:
    """Everything a person has, as text: any change shows."""
    data = backup.backup(user)
    data.pop("exported_at")
    lists = RecommendedList.objects.filter(user=user).values_list("title", "share_token")
    plans = list(ViewingPlan.objects.filter(user=user).values())
    telling = list(Telling.objects.filter(user=user).values())
    return json.dumps([data, sorted(lists), plans, telling, user.password], sort_keys=True,
                      default=str)  # fmt: skip


@pytest.mark.parametrize("name", sorted(PERSONAL_GET | PERSONAL_POST - {"logout"}))
def test_anonymous_is_sent_to_sign_in(world, name):
    before = snapshot(world["alice"])
    url = url_for(name, world["kwargs"])
    client = Client()
    for method in ("get", "post"):
        response = getattr(client, method)(url, POST_DATA)
        if response.status_code == 405:
            continue
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/accounts/login/?next="), (method, url)
    assert snapshot(world["alice"]) == before


@pytest.mark.parametrize("name", sorted(OWNED))
def test_another_user_gets_404_and_changes_nothing(world, name):
    before = snapshot(world["alice"])
    url = url_for(name, world["kwargs"])
    client = Client()
    client.force_login(world["bob"])
    for method in ("get", "post"):
        response = getattr(client, method)(url, POST_DATA)
        assert response.status_code in (404, 405), (method, url, response.status_code)
        response = getattr(client, method)(url, POST_DATA, headers={"HX-Request": "true"})
        assert response.status_code in (404, 405), (method, url, response.status_code)
    assert snapshot(world["alice"]) == before


@pytest.mark.parametrize(
    "name",
    sorted(PERSONAL_POST | {"signup", "password_reset", "login", "add_talk", "talk_to_list"}),
)
def test_post_without_csrf_token_is_refused(world, name):
    before = snapshot(world["alice"])
    url = url_for(name, world["kwargs"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["alice"])
    response = client.post(url, POST_DATA)
    assert response.status_code == 403, url
    assert snapshot(world["alice"]) == before


@pytest.mark.parametrize("name", sorted(ALL))
def test_get_never_changes_state(world, name):
    before = snapshot(world["alice"])
    url = url_for(name, world["kwargs"])
    client = Client()
    client.force_login(world["alice"])
    response = client.get(url, POST_DATA)
    assert response.status_code < 500, url
    if name != "logout":
        assert snapshot(world["alice"]) == before, url


@pytest.mark.parametrize("name", sorted(PERSONAL_POST - {"logout"}))
def test_state_changing_views_refuse_get(world, name):
    url = url_for(name, world["kwargs"])
    client = Client()
    client.force_login(world["alice"])
    assert client.get(url).status_code == 405, url


def catalog_state() -> str:
    from sessions.models import Conference, Talk

    return json.dumps(
        [list(Conference.objects.values()), list(Talk.objects.values_list("pk", "title"))],
        default=str,
    )


IMPORT_POST = {"url": "http://127.0.0.1:9/schedule.json", "token": "x", "title": "Mine"}


@pytest.mark.parametrize("name", sorted(STAFF))
def test_staff_pages_send_the_signed_out_to_sign_in_and_hide_from_others(world, name):
    before = catalog_state()
    url = url_for(name, world["kwargs"])
    for method in ("get", "post"):
        response = getattr(Client(), method)(url, IMPORT_POST)
        assert response.status_code in (302, 405), (method, url)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/accounts/login/?next=")
        client = Client()
        client.force_login(world["bob"])
        response = getattr(client, method)(url, IMPORT_POST)
        assert response.status_code in (404, 405), (method, url, response.status_code)
    assert catalog_state() == before


@pytest.mark.parametrize("name", sorted(STAFF))
def test_staff_posts_need_the_csrf_token(world, name):
    staff = User.objects.create_user("root", "root@example.com", PASSWORD, is_staff=True)
    before = catalog_state()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(url_for(name, world["kwargs"]), IMPORT_POST).status_code == 403
    assert catalog_state() == before


def test_refresh_refuses_get(world):
    staff = User.objects.create_user("root", "root@example.com", PASSWORD, is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(url_for("conference_refresh", world["kwargs"])).status_code == 405
