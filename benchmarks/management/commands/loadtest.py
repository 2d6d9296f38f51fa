"""Many people at once: gunicorn with several workers, N users acting for S seconds.

Every user keeps a model of what their requests should have left behind; at the
end the database must hold exactly that. Prints figures and exits non-zero on
any 5xx, any "database is locked" or any lost update.
"""

import json
import random
import secrets
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from benchmarks.httpclient import Tab
from benchmarks.serving import gunicorn, production_env
from planner.models import Entry, Profile
from sessions.models import Talk

PASSWORD = "load-test-password-not-secret"


class Person(threading.Thread):
    def __init__(self, name, port, entries: dict[int, int], seconds: int, ready, seed: int):
        super().__init__(daemon=True)
        self.name_, self.port, self.entries, self.seconds = name, port, entries, seconds
        self.ready = ready
        self.rng = random.Random(seed)
        self.queue: list[int] = []  # talk ids, in the order the server should hold
        self.ratings: dict[int, int | None] = {}
        self.notes: dict[int, str] = {}
        self.requests = self.errors_5xx = self.locked = self.other_errors = 0
        self.latencies: list[float] = []
        self.crash = ""

    def call(self, path: str, data: dict) -> None:
        started = time.perf_counter()
        status, text = self.tab.post(path, data)
        self.latencies.append(time.perf_counter() - started)
        self.requests += 1
        if status >= 500:
            self.errors_5xx += 1
        elif status not in (200, 302):
            self.other_errors += 1
        if "database is locked" in text:
            self.locked += 1
        if status != 302:
            raise RuntimeError(f"{path} answered {status}")

    def run(self) -> None:
        try:
            self.act()
        except Exception as exc:  # reported as a failure of the whole run
            self.crash = f"{self.name_}: {exc!r}"

    def act(self) -> None:
        self.tab = Tab("127.0.0.1", self.port)
        try:
            self.tab.sign_in(self.name_, PASSWORD)
        finally:
            # Everyone starts acting together, once all have signed in (password
            # hashing is slow on purpose and is not what this run measures).
            self.ready.wait()
        self.deadline = time.monotonic() + self.seconds
        talks = list(self.entries)
        n = 0
        while time.monotonic() < self.deadline:
            n += 1
            action = self.rng.choice(["add", "add", "remove", "move", "reorder", "rate", "note"])
            try:
                if action == "add" or not self.queue:
                    talk = self.rng.choice(talks)
                    self.call(f"/talks/{talk}/track/", {"status": "queued"})
                    if talk not in self.queue:
                        self.queue.append(talk)
                elif action == "remove":
                    talk = self.rng.choice(self.queue)
                    self.call(f"/entries/{self.entries[talk]}/unqueue/", {})
                    self.queue.remove(talk)
                elif action == "move":
                    talk = self.rng.choice(self.queue)
                    direction = self.rng.choice(["up", "down", "top"])
                    self.call(f"/entries/{self.entries[talk]}/move/", {"direction": direction})
                    i = self.queue.index(talk)
                    self.queue.pop(i)
                    target = {"up": max(i - 1, 0), "down": min(i + 1, len(self.queue)), "top": 0}
                    self.queue.insert(target[direction], talk)
                elif action == "reorder":
                    order = self.queue[:]
                    self.rng.shuffle(order)
                    ids = ",".join(str(self.entries[t]) for t in order)
                    self.call("/queue/reorder/", {"order": ids})
                    self.queue = order
                elif action == "rate":
                    talk = self.rng.choice(talks)
                    rating = self.rng.choice([1, 2, 3, 4, 5, None])
                    self.call(f"/entries/{self.entries[talk]}/rating/", {"rating": rating or ""})
                    self.ratings[talk] = rating
                else:
                    talk = self.rng.choice(talks)
                    text = f"{self.name_} note {n}: {secrets.token_hex(4)}"
                    self.call(f"/entries/{self.entries[talk]}/note/", {"note": text})
                    self.notes[talk] = text
            except RuntimeError:
                # A failed request changed nothing on purpose; the model stays as it was.
                continue


class Command(BaseCommand):
    help = "Concurrency check: gunicorn with several workers, many users at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--out", type=Path, help="Write the figures here too")

    def handle(self, *args, users: int, seconds: int, workers: int, out: Path | None, **kw):
        if not Talk.objects.exists():
            call_command("load_catalog", verbosity=0)
        talks = list(Talk.objects.values_list("pk", flat=True))
        people = []
        for n in range(users):
            user, _ = User.objects.get_or_create(username=f"load-{n:02d}")
            user.set_password(PASSWORD)
            user.save()
            Profile.objects.get_or_create(user=user)
            Entry.objects.filter(user=user).delete()
            # Every talk gets a record up front (a note keeps it when unqueued),
            # so ids stay known while the queue changes.
            Entry.objects.bulk_create(
                Entry(user=user, talk_id=t, note="seed", note_html="<p>seed</p>") for t in talks
            )
            people.append(user)

        log_path = settings.BASE_DIR / "data" / "loadtest-gunicorn.log"
        env = production_env(WEB_CONCURRENCY=str(workers))
        with gunicorn(env, log=log_path) as (port, _server):
            ready = threading.Barrier(len(people) + 1)
            threads = []
            for n, user in enumerate(people):
                entries = dict(Entry.objects.filter(user=user).values_list("talk_id", "pk"))
                threads.append(Person(user.username, port, entries, seconds, ready, seed=n))
            for t in threads:
                t.start()
            ready.wait(timeout=300)
            started = time.monotonic()
            for t in threads:
                t.join(seconds + 120)
            elapsed = time.monotonic() - started
        server_log = log_path.read_text()

        crashed = [t.crash for t in threads if t.crash]
        lost = []
        for person, user in zip(threads, people, strict=True):
            rows = {e.talk_id: e for e in Entry.objects.filter(user=user)}
            order = [e.talk_id for e in Entry.objects.for_user(user).queued()]
            if order != person.queue:
                lost.append(f"{user.username}: queue {order} != {person.queue}")
            for talk, rating in person.ratings.items():
                if rows[talk].rating != rating:
                    lost.append(f"{user.username}: rating of {talk}")
            for talk, note in person.notes.items():
                if rows[talk].note != note:
                    lost.append(f"{user.username}: note of {talk}")
            positions = [e.position for e in rows.values() if e.position is not None]
            if len(positions) != len(set(positions)):
                lost.append(f"{user.username}: duplicate positions")
        latencies = sorted(x for t in threads for x in t.latencies)
        figures = {
            "database": connection.vendor,
            "users": users,
            "workers": workers,
            "seconds": round(elapsed, 1),
            "requests": sum(t.requests for t in threads),
            "requests_per_second": round(sum(t.requests for t in threads) / elapsed, 1),
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
            "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1) if latencies else None,
            "errors_5xx": sum(t.errors_5xx for t in threads),
            "other_errors": sum(t.other_errors for t in threads),
            "database_locked": sum(t.locked for t in threads)
            + server_log.count("database is locked"),
            "lost_updates": len(lost),
            "crashed_users": len(crashed),
        }
        self.stdout.write(json_dumps(figures))
        if out:
            out.write_text(json_dumps(figures))
        for line in (crashed + lost)[:20]:
            self.stderr.write(line)
        failed = figures["errors_5xx"] or figures["database_locked"] or lost or crashed
        if failed or not figures["requests"]:
            raise CommandError("load test failed: see the figures above")


def json_dumps(data) -> str:
    return json.dumps(data, indent=2)
