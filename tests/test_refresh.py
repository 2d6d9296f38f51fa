"""Conferences imported from an address keep themselves current (sessions.refresh, the
worker's clock and `manage.py refresh_catalogs`)."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from benchmarks.serving import database_env
from planner import background
from sessions import refresh, schedule
from sessions.models import Conference, Source, Talk
from sessions.tasks import refresh_conference
from tests import workers
from tests.conftest import page_text
from tests.sources import serve
from tests.test_import_formats import SAMPLES

UTC = datetime.UTC
DURING = datetime.datetime(2024, 12, 28, 12, 0, tzinfo=UTC)  # the sample's second day


def frab(n: int, title_of_first: str = "Talk 1") -> bytes:
    """A frab schedule.xml of n talks on 27 and 28 December 2024."""
    events = "".join(
        f"""<event guid="00000000-0000-4000-8000-{i:012d}" id="{i}">
          <date>2024-12-{27 + i % 2}T1{i % 10}:00:00+01:00</date><start>1{i % 10}:00</start>
          <duration>00:30</duration><room>Saal</room><slug>exs24-{i}</slug>
          <title>{title_of_first if i == 1 else f"Talk {i}"}</title><type>Talk</type>
          <language>en</language><persons><person id="{i}">Speaker {i}</person></persons>
        </event>"""
        for i in range(1, n + 1)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<schedule><version>1</version>
  <conference><acronym>exs24</acronym><title>Example Source Summit 2024</title>
    <start>2024-12-27</start><end>2024-12-28</end><days>2</days></conference>
  <day index="1" date="2024-12-27"><room name="Saal">{events}</room></day>
</schedule>""".encode()


@pytest.fixture
def source(settings):
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    server, stop = serve()
    server.serve(frab(12))
    yield server
    stop()


def imported(source) -> Conference:
    call_command("import_catalog", source.url, stdout=StringIO())
    return Conference.objects.get(slug="exs24")


# The rule, alone ---------------------------------------------------------------------


def at(day: str, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hour:02}:00:00+00:00")


DATES = schedule.Dates(datetime.date(2025, 3, 10), datetime.date(2025, 3, 12), at("2025-01-02"))


@pytest.mark.parametrize(
    ("now", "every"),
    [
        (at("2025-03-01"), schedule.DAY),  # before the conference: its schedule may change
        (at("2025-03-10", 0), schedule.HOUR),  # its first day
        (at("2025-03-26", 23), schedule.HOUR),  # 14 days after its last
        (at("2025-03-27", 1), schedule.DAY),
        (at("2025-05-25", 23), schedule.DAY),  # 60 days more
        (at("2025-05-26", 1), schedule.WEEK),
    ],
)
def test_hourly_while_recent_then_daily_then_weekly(now, every):
    assert schedule.pace(now, DATES) == every


def test_a_source_without_dates_is_recent_for_14_days_after_its_import():
    undated = schedule.Dates(None, None, at("2025-01-02"))
    assert schedule.pace(at("2025-01-15"), undated) == schedule.HOUR
    assert schedule.pace(at("2025-01-17"), undated) == schedule.DAY
    assert schedule.pace(at("2025-03-18"), undated) == schedule.WEEK


def test_a_failing_source_is_tried_later_each_time_at_most_a_day_apart():
    now = at("2025-03-11")
    waits = [schedule.next_try(now, schedule.HOUR, n) - now for n in range(7)]
    hours = [w / schedule.HOUR for w in waits]
    assert hours == [1, 2, 4, 8, 16, 24, 24]
    assert schedule.next_try(now, schedule.WEEK, 3) - now == schedule.WEEK  # never sooner
    assert schedule.next_try(now, schedule.HOUR, 10_000) - now == schedule.DAY


def test_three_months_of_failures_give_up():
    assert not schedule.gives_up(at("2025-04-01"), None)
    assert not schedule.gives_up(at("2025-04-01"), at("2025-01-02"))
    assert schedule.gives_up(at("2025-04-02"), at("2025-01-02"))


# One refresh -------------------------------------------------------------------------


def test_an_import_from_an_address_is_kept_current_from_then_on(db, source):
    conference = imported(source)
    kept = Source.objects.get(conference=conference)
    assert kept.paused == "" and kept.next_at is None
    now = timezone.now()  # long after the sample's days: weekly
    assert refresh.due(now) == []
    assert refresh.due(kept.imported_at + schedule.WEEK) == [conference]


def test_an_unchanged_source_costs_one_conditional_request(db, source):
    conference = imported(source)
    first = refresh.refresh(conference, now=DURING)
    assert first.ok and not first.changed
    assert "0 talks created, 0 updated, 12 unchanged" in first.lines[0]
    kept = Source.objects.get(conference=conference)
    assert kept.etag == source.etag and kept.last_modified
    assert kept.next_at == DURING + schedule.HOUR  # during the conference: hourly

    second = refresh.refresh(conference, now=DURING)
    assert second.lines == ["Example Source Summit 2024: unchanged (the source said so)"]
    assert source.requests[-1]["If-None-Match"] == source.etag
    assert source.requests[-1]["If-Modified-Since"] == kept.last_modified


def test_a_changed_source_is_applied_once(db, source):
    conference = imported(source)
    refresh.refresh(conference, now=DURING)
    source.serve(frab(13, title_of_first="Talk 1, now with its real title"))
    changed = refresh.refresh(conference, now=DURING)
    assert changed.ok and changed.changed
    assert "1 talk created, 1 updated, 11 unchanged" in changed.lines[0]
    assert Talk.objects.filter(title="Talk 1, now with its real title").exists()
    assert Source.objects.get(conference=conference).changed_at == DURING
    again = refresh.refresh(conference, now=DURING + schedule.HOUR)
    assert not again.changed and Talk.objects.count() == 13


def test_a_server_without_validators_is_read_but_the_same_bytes_are_not_applied(db, source):
    source.validators = False
    conference = imported(source)
    refresh.refresh(conference, now=DURING)
    same = refresh.refresh(conference, now=DURING)
    assert same.lines == ["Example Source Summit 2024: unchanged (the same file as before)"]
    assert source.requests[-1]["If-None-Match"] is None


@pytest.mark.parametrize("listed", [0, 1])
def test_a_source_that_suddenly_lists_almost_nothing_is_not_applied(db, source, listed):
    conference = imported(source)
    source.serve(frab(listed))
    outcome = refresh.refresh(conference, now=DURING)
    assert not outcome.ok
    assert Talk.objects.filter(conference=conference).count() == 12
    kept = Source.objects.get(conference=conference)
    if listed:
        assert "the source lists 1 talk where we have 12: not applied" in kept.error
    else:
        assert "no talks found" in kept.error


def test_a_failing_source_backs_off_says_why_and_is_paused_after_three_months(db, source):
    conference = imported(source)
    source.status = 503
    for n, wait in enumerate([2, 4, 8], start=1):
        outcome = refresh.refresh(conference, now=DURING)
        kept = Source.objects.get(conference=conference)
        assert not outcome.ok and kept.failures == n
        assert kept.error == "the server answered 503 Service Unavailable"
        assert kept.next_at == DURING + wait * schedule.HOUR
        assert kept.failing_since == DURING
    refresh.refresh(conference, now=DURING + schedule.GIVE_UP_AFTER)
    kept = Source.objects.get(conference=conference)
    assert kept.paused == Source.Paused.FAILURES
    assert refresh.due(DURING + 2 * schedule.GIVE_UP_AFTER) == []
    # Staff start it again: due at once; one good answer clears the failures.
    source.status = 200
    refresh.pause(refresh.source_of(conference), False)
    assert refresh.due() == [conference]
    assert refresh.refresh(conference).ok
    kept = Source.objects.get(conference=conference)
    assert (kept.failures, kept.failing_since, kept.error) == (0, None, "")


def test_a_refresh_keeps_a_pause_saved_while_it_ran(db, source, monkeypatch):
    conference = imported(source)
    real_write = refresh.write_catalog

    def write_while_staff_pause(*args, **kwargs):
        refresh.pause(refresh.source_of(conference), True)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(refresh, "write_catalog", write_while_staff_pause)
    assert refresh.refresh(conference, now=DURING).ok
    assert Source.objects.get(conference=conference).paused == Source.Paused.STAFF


# The clock and the worker ------------------------------------------------------------


def test_the_clock_queues_one_refresh_a_due_source(db, source):
    conference = imported(source)
    later = timezone.now() + schedule.WEEK + schedule.HOUR
    assert refresh.enqueue_due(later) == [conference]
    assert refresh.enqueue_due(later) == []  # one is waiting
    assert DBTaskResult.objects.count() == 1
    # Queued over an hour ago and never run (a lost queue): queued again.
    assert refresh.enqueue_due(later + refresh.QUEUED_FOR + schedule.HOUR) == [conference]


def test_the_worker_runs_what_is_queued(db, source, monkeypatch):
    # In-process, inside the test's transaction: the worker's "drop old connections
    # between tasks" would close the test's own (a real worker runs in a process of its
    # own: test_a_worker_killed_mid_refresh_is_retried_by_the_next).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    conference = imported(source)
    refresh.enqueue_due(timezone.now() + schedule.WEEK + schedule.HOUR)
    out = StringIO()
    call_command("run_worker", "--batch", stdout=out)
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert "12 unchanged" in task.return_value
    kept = Source.objects.get(conference=conference)
    assert kept.queued_at is None and kept.checked_at is not None


def running_task(worker: str, started_minutes_ago: int) -> DBTaskResult:
    result = refresh_conference.enqueue(1)
    task = DBTaskResult.objects.get(id=result.id)
    task.status = TaskResultStatus.RUNNING
    task.started_at = timezone.now() - datetime.timedelta(minutes=started_minutes_ago)
    task.worker_ids = [worker]
    task.save()
    return task


def test_a_task_whose_worker_died_is_queued_again(db):
    here = background.worker_id().rpartition(":")[0]
    child = subprocess.Popen(["true"])  # a process that has ended: its pid is free
    child.wait()
    lost = running_task(f"{here}:{child.pid}", 1)
    alive = running_task(f"{here}:{os.getppid()}", 1)
    elsewhere_old = running_task("another-host:12", 61)
    elsewhere_new = running_task("another-host:13", 5)
    assert background.recover() == 2
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[lost.id] == statuses[elsewhere_old.id] == TaskResultStatus.READY
    assert statuses[alive.id] == statuses[elsewhere_new.id] == TaskResultStatus.RUNNING


def test_a_worker_killed_mid_refresh_is_retried_by_the_next(transactional_db, source):
    conference = imported(source)
    refresh.refresh(conference, now=DURING)  # validators stored
    source.serve(frab(13))
    source.delay = 30  # the refresh hangs on the source while we kill its worker
    refresh.enqueue_due(timezone.now() + schedule.WEEK + schedule.HOUR)
    env = workers.environment(CATALOG_IMPORT_ALLOW_PRIVATE_URLS="true")
    # Asked three times: the import, the refresh above, the worker.
    workers.kill_when_busy(env, lambda: len(source.requests) == 3, "asked the source")
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.RUNNING  # as the killed worker left it
    assert Talk.objects.count() == 12

    source.delay = 0
    assert "queued again" in workers.run_to_the_end(env)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 2
    assert Talk.objects.count() == 13  # applied once
    assert Source.objects.get(conference=conference).queued_at is None


# The command -------------------------------------------------------------------------


def test_refresh_catalogs_runs_what_is_due_or_what_it_is_told(db, source):
    imported(source)
    out = StringIO()
    call_command("refresh_catalogs", stdout=out)
    assert out.getvalue() == "Nothing is due: every source was read recently enough.\n"
    call_command("refresh_catalogs", "--all", stdout=out)
    assert "Example Source Summit 2024: 0 talks created, 0 updated, 12 unchanged" in (
        out.getvalue()
    )
    out = StringIO()
    call_command("refresh_catalogs", "exs24", stdout=out)
    assert out.getvalue() == "Example Source Summit 2024: unchanged (the source said so)\n"
    with pytest.raises(CommandError, match="no conference nope"):
        call_command("refresh_catalogs", "nope")
    source.status = 500
    with pytest.raises(CommandError, match="1 of 1 sources failed"):
        call_command("refresh_catalogs", "--all", stdout=out)
    assert "not refreshed: the server answered 500" in out.getvalue()


# What staff see ----------------------------------------------------------------------


def test_staff_see_how_the_source_is_kept_current_and_can_pause_it(staff_client, source):
    imported(source)
    page = page_text(staff_client.get("/conferences/exs24/"))
    assert "Kept current" in page
    assert "read again by itself, weekly for now" in page
    assert "Last checked Not yet" in page and "Next check" in page

    response = staff_client.post("/conferences/exs24/refresh/", follow=True)
    page = page_text(response)
    assert "0 talks created, 0 updated, 12 unchanged" in page
    assert "Last success" in page

    response = staff_client.post("/conferences/exs24/source/", {"refresh": "pause"}, follow=True)
    page = page_text(response)
    assert "Automatic refresh paused: the source is read only when you press Refresh now." in page
    assert "Paused. The source is read only when you press Refresh now." in page
    assert "Next check" not in page
    assert refresh.due(timezone.now() + 2 * schedule.GIVE_UP_AFTER) == []

    source.status = 502
    page = page_text(staff_client.post("/conferences/exs24/refresh/", follow=True))
    assert "Not refreshed: the server answered 502 Bad Gateway. Nothing was changed." in page
    assert "Last error" in page and "the server answered 502 Bad Gateway" in page

    response = staff_client.post("/conferences/exs24/source/", {"refresh": "resume"}, follow=True)
    page = page_text(response)
    assert "Automatic refresh is on again" in page
    assert "Next try" in page  # the last try failed; it is due now
    bad = staff_client.post("/conferences/exs24/source/", {"refresh": "sometimes"}, follow=True)
    assert "Nothing changed: choose Pause or Resume." in page_text(bad)


def test_only_staff_see_the_source_status(client, alice_client, source):
    imported(source)
    for someone in (client, alice_client):
        page = page_text(someone.get("/conferences/exs24/"))
        assert "Example Source Summit 2024" in page and "Kept current" not in page


def test_the_clock_alone_queues_for_another_backends_workers(transactional_db, source):
    conference = imported(source)
    Source.objects.filter(pk=conference.pk).update(next_at=timezone.now())
    env = {**os.environ, **database_env()}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    clock = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--clock-only", "--clock", "0.2"],
        cwd=django_settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not DBTaskResult.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.6)  # a few more beats: still one task
    finally:
        clock.send_signal(signal.SIGINT)
        out, _ = clock.communicate(timeout=10)
    assert clock.returncode == 0
    assert "Queued a refresh of exs24" in out
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY  # for the workers to run
    assert source.requests[-1:] == source.requests[:1]  # the clock itself fetched nothing


def test_the_worker_says_what_to_run_under_another_tasks_backend(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with pytest.raises(CommandError, match="run that backend's own workers"):
        call_command("run_worker", "--batch")


def test_recordings_that_arrive_later_are_brought_by_the_worker(db, settings, monkeypatch):
    """A media.ccc.de conference whose listing grows as recordings are released: the
    worker's next beat brings the new one; a second run changes nothing."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # as above
    settings.CATALOG_IMPORT_ALLOW_PRIVATE_URLS = True
    listing = json.loads((SAMPLES / "mediaccc.json").read_bytes())
    for event in listing["events"]:
        event.pop("url", None)  # its own page (sessions.details): tests/test_details.py
    early = {**listing, "events": listing["events"][:2]}
    server, stop = serve("/public/conferences/exc24")
    try:
        server.serve(json.dumps(early).encode())
        call_command("import_catalog", server.url, stdout=StringIO())
        conference = Conference.objects.get(slug="exc24")
        assert conference.talks.exclude(video_ref="").count() == 2
        server.serve(json.dumps(listing).encode())
        Source.objects.filter(pk=conference.pk).update(next_at=timezone.now())  # it is due
        call_command("run_worker", "--batch", stdout=StringIO())
        assert conference.talks.exclude(video_ref="").count() == 3
        assert "1 talk created" in Source.objects.get(pk=conference.pk).result
        out = StringIO()
        call_command("run_worker", "--batch", stdout=out)  # nothing is due
        call_command("refresh_catalogs", "--all", stdout=out)
        assert "Example Chaos Congress 2024: unchanged (the source said so)" in out.getvalue()
        refreshes = DBTaskResult.objects.filter(task_path__endswith=".refresh_conference")
        assert conference.talks.count() == 3 and refreshes.count() == 1
    finally:
        stop()
