"""The benchmark's own parts that a wrong figure could hide behind: the bare baseline
really is bare, and the import benchmark runs every format, the writeup first."""

import io
import json
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.core.management import call_command

from planner import queue
from planner.models import Entry
from sessions.models import Conference


def test_the_bare_view_is_django_with_nothing_else():
    script = (
        "import json, io\n"
        "from benchmarks.bare import application\n"
        "from django.conf import settings\n"
        "seen = {}\n"
        "def start(status, headers): seen.update(status=status, headers=dict(headers))\n"
        "environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/', 'SERVER_NAME': '127.0.0.1',\n"
        "           'SERVER_PORT': '80', 'wsgi.input': io.BytesIO(), 'wsgi.url_scheme': 'http'}\n"
        "body = b''.join(application(environ, start))\n"
        "print(json.dumps({'body': body.decode(), 'status': seen['status'],\n"
        "  'middleware': settings.MIDDLEWARE, 'apps': settings.INSTALLED_APPS,\n"
        "  'database': settings.DATABASES['default'].get('ENGINE')}))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(settings.BASE_DIR)}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer == {
        "body": "ok",
        "status": "200 OK",
        "middleware": [],
        "apps": [],
        "database": "django.db.backends.dummy",  # Django's stand-in when there is none
    }


def test_import_benchmark_runs_every_format_with_the_writeup_first(db):
    out = io.StringIO()
    call_command("bench_import", sizes="20", stdout=out)
    table = out.getvalue()
    lines = table.strip().splitlines()
    rows = [
        line.split()[0]
        for line in lines[lines.index(next(x for x in lines if x.startswith("format"))) + 1 :]
    ]
    assert rows[0] == "writeup"
    assert {"frab-xml", "schedule-json", "mediaccc", "sessionize", "ytdlp", "pyvideo"} <= set(rows)
    assert "ms/talk" in table
    assert not Conference.objects.exists()  # each format's conference is removed after it


def test_the_soak_finds_what_the_database_lost(alice, catalog):
    """The soak's verdict can fail: an acknowledged rating or queue place the database
    does not hold is named, and a person whose model matches is not."""
    from benchmarks.management.commands.soak import Command, Figures, Person

    talks = catalog[:3]
    entries = {t.pk: Entry.objects.create(user=alice, talk=t, note="seed").pk for t in talks}
    person = Person(alice, "session", [1], {}, entries, 0, 0, Figures(), threading.Lock())
    assert Command().compare([person]) == []

    person.records[talks[0].pk].rating = 4  # acknowledged, never written
    person.queue = [talks[1].pk]
    problems = Command().compare([person])
    assert len(problems) == 2
    assert any("queue [] != acknowledged" in p for p in problems)
    assert any(f"talk {talks[0].pk}" in p and "rating=4" in p for p in problems)

    queue.track(alice, talks[1])
    Entry.objects.filter(user=alice, talk=talks[0]).update(rating=4)
    person.records[talks[1].pk].status = "queued"
    assert Command().compare([person]) == []


def test_seeding_refuses_a_database_that_already_holds_talks(catalog):
    """A benchmark seeded into another one's data measured that data and said nothing."""
    from django.core.management.base import CommandError

    from benchmarks.management.commands.bench import refuse_unless_fresh

    with pytest.raises(CommandError, match="already holds 13 talks"):
        refuse_unless_fresh()
    Conference.objects.all().delete()
    refuse_unless_fresh()  # a new site's database: nothing to say
