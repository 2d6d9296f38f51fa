"""What the player tells the server: cheap progress saves, a learned length kept per
person, a new default speed; and none of it reaches anyone else's records."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from planner import queue
from planner.models import Entry, Profile
from sessions.models import Talk


def progress(client: Client, talk: Talk, **data):
    return client.post(f"/talks/{talk.pk}/progress/", data)


def test_a_save_is_one_update_and_answers_204(
    alice_client, alice, catalog, django_assert_num_queries
):
    queue.track(alice, catalog[0])
    Entry.objects.filter(user=alice).update(updated_at=timezone.now() - timedelta(seconds=2))
    # session with its person and profile, the talk, one UPDATE
    with django_assert_num_queries(3):
        response = progress(alice_client, catalog[0], position=754, duration=7000)
    assert response.status_code == 204 and response.content == b""
    entry = Entry.objects.get(user=alice, talk=catalog[0])
    assert (entry.status, entry.resume_seconds) == (Entry.Status.WATCHING, 754)
    assert entry.position is not None  # still in its place in the queue


def test_first_play_of_a_talk_not_in_the_plan_makes_it_watching(alice_client, alice, catalog):
    assert progress(alice_client, catalog[5], position=30).status_code == 204
    entry = Entry.objects.get(user=alice, talk=catalog[5])
    assert (entry.status, entry.resume_seconds) == (Entry.Status.WATCHING, 30)


def test_a_learned_length_is_the_persons_and_only_replaces_an_estimate(
    alice_client, alice, catalog
):
    estimated, real = catalog[0], catalog[1]
    Talk.objects.filter(pk=real.pk).update(duration_seconds=3000)
    version = Talk.objects.values_list("pk", "duration_seconds").order_by("pk")[:2]
    before = list(version)
    progress(alice_client, estimated, position=10, duration=6543)
    progress(alice_client, real, position=10, duration=6543)
    assert Entry.objects.get(user=alice, talk=estimated).personal_seconds == 6543
    assert Entry.objects.get(user=alice, talk=real).personal_seconds is None
    assert list(version) == before  # the catalog rows are not written
    progress(alice_client, estimated, position=20, duration=9999)
    assert Entry.objects.get(user=alice, talk=estimated).personal_seconds == 6543  # kept


def test_a_watched_talk_stays_watched(alice_client, alice, catalog):
    queue.track(alice, catalog[0], Entry.Status.WATCHED)
    progress(alice_client, catalog[0], position=99)
    entry = Entry.objects.get(user=alice, talk=catalog[0])
    assert (entry.status, entry.resume_seconds) == (Entry.Status.WATCHED, None)


def test_another_persons_save_never_touches_my_record(alice, bob, catalog):
    mine = queue.track(alice, catalog[0], Entry.Status.WATCHING)
    mine.resume_seconds = 100
    mine.save()
    client = Client()
    client.force_login(bob)
    assert progress(client, catalog[0], position=5).status_code == 204
    mine.refresh_from_db()
    assert (mine.status, mine.resume_seconds) == (Entry.Status.WATCHING, 100)
    assert Entry.objects.get(user=bob, talk=catalog[0]).resume_seconds == 5


@pytest.mark.parametrize(
    "data", [{}, {"position": "-1"}, {"position": "soon"}, {"position": "10", "duration": "0"}]
)
def test_bad_reports_are_400_and_change_nothing(alice_client, alice, catalog, data):
    assert progress(alice_client, catalog[0], **data).status_code == 400
    assert not Entry.objects.filter(user=alice).exists()


def test_a_flood_of_saves_is_refused_per_person(alice_client, alice, bob, catalog):
    codes = [progress(alice_client, catalog[0], position=n).status_code for n in range(10)]
    assert codes == [204] + [429] * 9  # one a second at most, checked in the UPDATE
    assert Entry.objects.get(user=alice, talk=catalog[0]).resume_seconds == 0
    Entry.objects.filter(user=alice).update(updated_at=timezone.now() - timedelta(seconds=2))
    assert progress(alice_client, catalog[0], position=42).status_code == 204
    client = Client()
    client.force_login(bob)
    assert progress(client, catalog[0], position=1).status_code == 204  # bob is not limited
    # Starting many new talks (each makes a record) is limited per person too.
    codes = [progress(client, talk, position=1).status_code for talk in catalog[1:13]]
    assert 429 not in codes
    for talk in catalog[:13]:
        Entry.objects.filter(user=bob, talk=talk).delete()
    codes = [progress(client, talk, position=1).status_code for talk in catalog[:13]]
    assert codes.count(429) == 26 - 20 and codes[-1] == 429


def test_the_csrf_token_may_come_in_the_body(alice, catalog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(catalog[0].get_absolute_url())
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert progress(client, catalog[0], position=3).status_code == 403
    response = progress(client, catalog[0], position=3, csrfmiddlewaretoken=token)
    assert response.status_code == 204


def test_a_new_default_speed(alice_client, alice):
    assert alice_client.post("/settings/speed/", {"speed_percent": "175"}).status_code == 204
    assert Profile.objects.get(user=alice).speed_percent == 175
    assert alice_client.post("/settings/speed/", {"speed_percent": "300"}).status_code == 400
    assert Profile.objects.get(user=alice).speed_percent == 175


def test_only_a_page_that_plays_a_video_lets_its_host_in(client, catalog):
    talk_policy = client.get(catalog[0].get_absolute_url()).headers["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com https://www.youtube.com" in talk_policy
    assert "script-src 'self' 'nonce-" in talk_policy and "https://www.youtube.com" in talk_policy
    assert "unsafe-inline" not in talk_policy and "unsafe-eval" not in talk_policy
    home_policy = client.get("/").headers["Content-Security-Policy"]
    assert "youtube" not in home_policy.replace("i.ytimg.com", "")


def test_the_queue_shows_how_far_a_talk_in_progress_is(alice_client, alice, catalog):
    entry = queue.track(alice, catalog[3], Entry.Status.WATCHING)  # a 1-hour estimate
    entry.resume_seconds = 900
    entry.save()
    html = alice_client.get("/queue/").content.decode()
    assert '<progress max="100" value="25" aria-label="25% watched">25%</progress>' in html
    # One click resumes in our player, which starts where the person stopped.
    assert f'href="{catalog[3].get_absolute_url()}#play" id="resume-{catalog[3].pk}"' in html
    assert "Resume 15:00" in html
