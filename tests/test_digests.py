"""Told by email (planner.digests): opt in, confirm the address, one digest a few minutes
after the news and at most one a day, RFC 8058 unsubscribe, and an outbox that never
loses a digest and never makes a second one. Every email goes through Django's SMTP
backend to a real SMTP server on loopback (tests/mailserver.py)."""

import datetime
import re
import time
from io import StringIO
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from planner import digests, news, queue, tokens
from planner.models import Digest, News, Telling
from planner.tasks import send_digest
from tests import workers
from tests.conftest import page_text
from tests.mailserver import text_of
from tests.test_import_formats import SAMPLES

ATOM = "{http://www.w3.org/2005/Atom}"
LATER = datetime.timedelta(minutes=6)  # past the few minutes the news settle


def link_in(message) -> str:
    return re.search(r"http://testserver(\S+)", text_of(message))[1]


@pytest.fixture
def site(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def confirmed(alice, alice_client, smtp, site):
    """alice has opted in and opened the confirmation link."""
    alice_client.post("/settings/email/", {"digest_on": "on", "address": "alice@example.com"})
    alice_client.get(link_in(smtp.messages.pop()))
    assert Telling.objects.get(user=alice).mails
    return alice


def run_worker(monkeypatch) -> str:
    # In-process, inside the test's transaction (see tests/test_refresh.py).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    out = StringIO()
    call_command("run_worker", "--batch", stdout=out)
    return out.getvalue()


def recordings_arrive() -> None:
    call_command("import_catalog", str(SAMPLES / "mediaccc.json"), stdout=StringIO())


def test_opting_in_sends_a_confirmation_first(alice, alice_client, smtp, site):
    page = page_text(alice_client.get("/settings/"))
    assert "Email me when talks I wait for are out" in page
    response = alice_client.post(
        "/settings/email/", {"digest_on": "on", "address": "alice@example.org"}, follow=True
    )
    page = page_text(response)
    assert "We sent a link to alice@example.org: the emails start once you open it" in page
    assert "Not confirmed yet: open the link we sent to alice@example.org." in page
    [message] = smtp.messages
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == "Confirm your address for Catch-up"
    assert not Telling.objects.get(user=alice).mails

    page = page_text(alice_client.get(link_in(message), follow=True))
    assert "Confirmed: emails about new talks go to alice@example.org." in page
    assert "Emails go to alice@example.org (confirmed" in page

    # A new address is confirmed again; the old link does not confirm it.
    alice_client.post("/settings/email/", {"digest_on": "on", "address": "a@example.net"})
    assert not Telling.objects.get(user=alice).mails
    page = page_text(alice_client.get(link_in(message), follow=True))
    assert "This confirmation link is not valid any more" in page
    assert not Telling.objects.get(user=alice).mails
    assert len(smtp.messages) == 2  # the new address's link


def test_a_confirmation_link_is_the_persons_own_and_expires(alice, bob, smtp, site):
    telling = digests.telling_of(alice)
    telling.digest_on = True
    telling.save()
    url = digests.confirm_url(telling).removeprefix("http://testserver")
    other = Client()
    other.force_login(bob)
    assert "not valid any more" in page_text(other.get(url, follow=True))
    assert not Telling.objects.get(user=alice).confirmed_at
    mine = Client()
    mine.force_login(alice)
    later = time.time() + digests.CONFIRM_FOR.total_seconds() + 60
    with pytest.MonkeyPatch.context() as m:
        m.setattr("django.core.signing.time.time", lambda: later)
        assert "not valid any more" in page_text(mine.get(url, follow=True))
    assert "Confirmed" in page_text(mine.get(url, follow=True))
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page


def test_bad_email_settings_say_why_and_keep_the_rest(alice, alice_client, smtp):
    response = alice_client.post("/settings/email/", {"digest_on": "on", "address": ""})
    assert response.status_code == 400
    page = page_text(response)
    assert "Give the address to send the emails to." in page
    assert "Playback speed" in page  # the page's other form is still there, as saved
    response = alice_client.post("/settings/email/", {"digest_on": "on", "address": "nope"})
    assert response.status_code == 400 and "Enter a valid email address." in page_text(response)
    assert smtp.messages == []
    # Saving the speed keeps the email setting as it was saved.
    alice_client.post("/settings/email/", {"address": "alice@example.com"})
    alice_client.post("/settings/", {"speed_percent": 200, "remote_images": "on"})
    assert Telling.objects.get(user=alice).address == "alice@example.com"


def test_a_mail_server_that_is_away_is_said_and_the_setting_kept(alice, alice_client, smtp):
    smtp.refuse = True
    page = page_text(alice_client.post(
        "/settings/email/", {"digest_on": "on", "address": "alice@example.com"}, follow=True
    ))  # fmt: skip
    assert "Saved, but we could not send the confirmation to alice@example.com" in page
    assert Telling.objects.get(user=alice).digest_on
    smtp.refuse = False
    page = page_text(alice_client.post("/settings/email/confirm/", follow=True))
    assert "We sent a link to alice@example.com" in page and len(smtp.messages) == 1


def test_confirmations_are_limited(alice, alice_client, smtp, settings):
    settings.CONFIRM_RATE_PER_HOUR = 2
    for _ in range(2):
        alice_client.post("/settings/email/confirm/")  # nothing to confirm yet: not counted
    alice_client.post("/settings/email/", {"digest_on": "on", "address": "alice@example.com"})
    alice_client.post("/settings/email/confirm/")
    page = page_text(alice_client.post("/settings/email/confirm/", follow=True))
    assert "Too many confirmation emails from your address" in page
    assert len(smtp.messages) == 2


def test_one_digest_a_few_minutes_after_the_news(exc24, confirmed, smtp, monkeypatch):
    alice = confirmed
    waited = exc24["Ein Blick unter die Haube: Größenordnungen"]
    news.wait(alice, waited, True)
    queued = exc24["Soldering for everyone"]
    queue.track(alice, queued)
    recordings_arrive()  # both
    assert News.objects.filter(user=alice).count() == 2
    now = timezone.now()
    assert digests.enqueue_due(now) == []  # the news settle first
    [digest] = digests.enqueue_due(now + LATER)
    assert DBTaskResult.objects.count() == 1
    assert digests.enqueue_due(now + LATER) == []  # queued once
    assert smtp.messages == []

    run_worker(monkeypatch)
    [message] = smtp.messages
    assert message["Subject"] == "2 talks you wanted are out"
    assert message["To"] == "alice@example.com"
    plain = text_of(message)
    assert "2 talks you wanted can be watched now:" in plain
    assert "Ein Blick unter die Haube: Größenordnungen\nExample Chaos Congress 2024 · " in plain
    assert "Jördis Beispiel and Kim Example · 28:12 at 1.5x\n" in plain
    assert f"Soldering for everyone\n{queued.conference.name} · " in plain
    assert f"http://testserver{queued.get_absolute_url()}\n" in plain
    assert f"http://testserver{waited.get_absolute_url()}\n" in plain
    html = text_of(message, "html")
    assert f'<a href="http://testserver{waited.get_absolute_url()}"' in html
    # RFC 8058: a one-click unsubscribe address, also in the body.
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in plain and unsubscribe.replace("&", "&amp;") in html
    digest.refresh_from_db()
    assert digest.sent_at and digest.next_at is None
    assert set(digest.news.values_list("talk", flat=True)) == {waited.pk, queued.pk}
    sent = DBTaskResult.objects.get(task_path__endswith="send_digest")
    assert sent.return_value == "sent to alice@example.com: 2 talks"

    run_worker(monkeypatch)
    assert digests.enqueue_due(now + LATER * 2) == [] and len(smtp.messages) == 1
    assert send_digest.call(digest.pk).startswith("sent already")  # a retry sends nothing


def test_at_most_one_digest_a_day(exc24, confirmed, smtp, monkeypatch):
    alice = confirmed
    talks = list(exc24.values())
    now = timezone.now()
    first = News.objects.create(user=alice, talk=talks[0], created_at=now)
    [d1] = digests.enqueue_due(now + LATER)
    run_worker(monkeypatch)
    second = News.objects.create(user=alice, talk=talks[1], created_at=now + LATER * 2)
    assert digests.enqueue_due(now + LATER * 4) == []  # a day has not passed
    [d2] = digests.enqueue_due(now + LATER + datetime.timedelta(days=1, seconds=1))
    run_worker(monkeypatch)
    assert [m["Subject"] for m in smtp.messages] == [
        f"Out now: {talks[0].title}",
        f"Out now: {talks[1].title}",
    ]
    assert [News.objects.get(pk=n.pk).digest for n in (first, second)] == [d1, d2]


def test_what_is_not_mailed(exc24, alice, bob, confirmed, smtp):
    talks = list(exc24.values())
    now = timezone.now()
    # Seen on the site already; from before the confirmation; someone who never confirmed.
    News.objects.create(user=alice, talk=talks[0], created_at=now, seen_at=now)
    News.objects.create(user=alice, talk=talks[1], created_at=now - datetime.timedelta(days=1))
    Telling.objects.create(user=bob, address="bob@example.com", digest_on=True)
    News.objects.create(user=bob, talk=talks[0], created_at=now)
    assert digests.enqueue_due(now + LATER) == []


def test_switched_off_before_it_went_out(exc24, confirmed, smtp, monkeypatch):
    alice = confirmed
    now = timezone.now()
    News.objects.create(user=alice, talk=next(iter(exc24.values())), created_at=now)
    [digest] = digests.enqueue_due(now + LATER)
    Telling.objects.filter(user=alice).update(digest_on=False)
    run_worker(monkeypatch)
    assert smtp.messages == []
    digest.refresh_from_db()
    assert digest.sent_at is None and digest.next_at is None and "switched off" in digest.error


def test_a_refusing_mail_server_is_tried_again_later(exc24, confirmed, smtp, monkeypatch):
    alice = confirmed
    now = timezone.now()
    News.objects.create(user=alice, talk=next(iter(exc24.values())), created_at=now)
    [digest] = digests.enqueue_due(now + LATER)
    smtp.refuse = True
    run_worker(monkeypatch)
    digest.refresh_from_db()
    assert digest.sent_at is None and digest.tries == 1 and "Try again later" in digest.error
    assert digest.next_at > timezone.now() + datetime.timedelta(minutes=4)
    assert digests.enqueue_due(timezone.now()) == []  # not yet
    smtp.refuse = False
    assert digests.enqueue_due(digest.next_at) == [digest]
    run_worker(monkeypatch)
    assert len(smtp.messages) == 1
    digest.refresh_from_db()
    assert digest.sent_at and digest.tries == 2 and digest.error == ""
    assert Digest.objects.count() == 1  # the same digest, not a second


def test_one_click_unsubscribe(exc24, confirmed, smtp, monkeypatch):
    alice = confirmed
    News.objects.create(user=alice, talk=next(iter(exc24.values())))
    digests.enqueue_due(timezone.now() + LATER)
    run_worker(monkeypatch)
    url = smtp.messages[0]["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    # A mail client's one click: a POST with no cookie and no CSRF token (RFC 8058).
    client = Client(enforce_csrf_checks=True)
    page = page_text(client.get(url))
    assert "Stop the emails about new talks to alice@example.com" in page
    assert Telling.objects.get(user=alice).digest_on  # opening the link changes nothing
    response = client.post(url, "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200
    assert "Done: no more emails about new talks to alice@example.com" in page_text(response)
    assert not Telling.objects.get(user=alice).digest_on
    assert "sessionid" not in response.cookies  # no session: the link is the key
    assert client.post(url[:-3] + "xyz/").status_code == 404  # altered


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_digest_loses_nothing_and_repeats_at_most_one(
    exc24,
    confirmed,
    smtp,
):
    alice = confirmed
    News.objects.create(user=alice, talk=next(iter(exc24.values())))
    [digest] = digests.enqueue_due(timezone.now() + LATER)
    smtp.received = 0  # (the confirmation)
    smtp.hold = 30  # the server holds the message while we kill the worker
    env = workers.environment(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port),
                              EMAIL_USE_TLS="false", SITE_URL="http://testserver")  # fmt: skip
    workers.kill_when_busy(env, lambda: smtp.received == 1, "sent the digest")
    digest.refresh_from_db()
    assert digest.sent_at is None  # killed before it could mark it

    smtp.hold = 0
    assert "queued again" in workers.run_to_the_end(env)
    digest.refresh_from_db()
    assert digest.sent_at is not None
    time.sleep(0.5)  # the held message is answered after its client is gone
    ids = {m["Message-ID"] for m in smtp.messages}
    assert 1 <= len(smtp.messages) <= 2 and len(ids) == 1  # never lost, at most repeated once
    workers.run_to_the_end(env)
    assert len(smtp.messages) <= 2 and Digest.objects.count() == 1


# The Atom feed --------------------------------------------------------------------------


def feed_entries(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    return [
        {
            "title": e.findtext(f"{ATOM}title"),
            "link": e.find(f"{ATOM}link").get("href"),
            "summary": e.findtext(f"{ATOM}summary"),
            "id": e.findtext(f"{ATOM}id"),
        }
        for e in root.iter(f"{ATOM}entry")
    ]


def test_the_private_atom_feed(exc24, alice, alice_client, bob, settings):
    settings.SITE_URL = "https://planner.example"
    page = page_text(alice_client.get("/new/"))
    assert "In your feed reader" in page and "Make a feed link" in page
    page = page_text(alice_client.post("/new/feed/new/", {"next": "/new/"}, follow=True))
    assert "Your feed link is ready: add it to your feed reader." in page
    telling = Telling.objects.get(user=alice)
    url = f"/new/feed/{telling.feed_token}/"
    assert f"http://testserver{url}" in page

    assert feed_entries(Client(), url) == []
    talks = list(exc24.values())
    for talk in talks[:3]:
        News.objects.create(user=alice, talk=talk)
    News.objects.create(user=bob, talk=talks[0])  # not hers
    entries = feed_entries(Client(), url)  # a feed reader: no cookie
    assert sorted(e["title"] for e in entries) == sorted(t.title for t in talks[:3])
    first = next(e for e in entries if e["title"] == talks[0].title)
    assert first["link"] == f"http://testserver{talks[0].get_absolute_url()}"
    assert first["summary"].startswith("Example Chaos Congress 2024 · ")
    assert first["summary"].endswith(" at 1.5x (estimated)")
    assert first["id"].startswith("tag:planner.example,2026:news/")
    response = Client().get(url)
    assert not response.cookies and "private" in response["Cache-Control"]

    # A new link replaces the old one; switched off, the link answers 404.
    alice_client.post("/new/feed/new/")
    assert Client().get(url).status_code == 404
    telling.refresh_from_db()
    url = f"/new/feed/{telling.feed_token}/"
    assert len(feed_entries(Client(), url)) == 3
    page = page_text(alice_client.post("/new/feed/off/", {"next": "/new/"}, follow=True))
    assert "The feed link is switched off." in page and "Make a feed link" in page
    assert Client().get(url).status_code == 404
    assert Client().get("/new/feed/not-a-token/").status_code == 404


def test_staff_see_why_a_digest_was_not_sent(exc24, confirmed, smtp, monkeypatch, client):
    News.objects.create(user=confirmed, talk=next(iter(exc24.values())))
    digests.enqueue_due(timezone.now() + LATER)
    smtp.refuse = True
    run_worker(monkeypatch)
    staff = User.objects.create_user("staff", password="x", is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = page_text(client.get("/admin/planner/digest/"))
    assert "alice@example.com" in page
    assert "the mail server answered 451 4.3.0 Try again later" in page


@pytest.mark.usefixtures("no_lazy_loads")
def test_the_atom_feed_query_count_is_constant(exc24, alice, django_assert_num_queries):
    for talk in exc24.values():
        News.objects.create(user=alice, talk=talk)
    token, digest = tokens.new()
    Telling.objects.create(user=alice, feed_token=token, feed_digest=digest)
    with django_assert_num_queries(2):  # the person by the token, their news with talks
        assert len(feed_entries(Client(), f"/new/feed/{token}/")) == len(exc24)
