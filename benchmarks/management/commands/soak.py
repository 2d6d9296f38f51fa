"""Proof under load and faults: two app servers on one PostgreSQL, many people, and
things breaking on purpose while they use it.

Each simulated person uses the real forms (queue, reorder, move, rate, notes with their
base, mark watched, player progress, remove) against one of two gunicorn servers
(production settings, the committed gunicorn.conf.py), and keeps a model of what the
server acknowledged. A request whose outcome is unknown (the connection broke, a 5xx)
is followed by what a person does: they reload their data (the backup download) and go
on from what the server shows. During the run: kill -9 one worker; kill -9 one whole
server and start it again; restart PostgreSQL. At the end every person's records are
read from the database and compared with their model: any acknowledged write lost, any
wrong state, any duplicate queue position, or any 5xx outside the few seconds after a
fault fails the run. Prints figures; exits non-zero on failure.
"""

import http.client
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.test import Client, override_settings
from django.utils import timezone

from benchmarks.serving import free_port, production_env
from planner.models import Entry, note_fingerprint
from sessions.models import Talk

GRACE = 5.0  # seconds after a fault's recovery in which a 5xx is forgiven
QUEUED, WATCHING, WATCHED = "queued", "watching", "watched"


class Unknown(Exception):
    """The request may or may not have happened."""


@dataclass
class Record:
    status: str = ""
    rating: int | None = None
    note: str = "seed"
    resume: int | None = None
    viewings: int = 0
    # The days it has a viewing for: marked watched again on one of them, it gets no
    # second viewing (planner.queue). Not compared: the database is asked for the count.
    days: set[str] = field(default_factory=set, compare=False)


@dataclass
class Figures:
    requests: int = 0
    acknowledged: int = 0
    unknown: int = 0
    resyncs: int = 0
    refused_connections: int = 0
    errors_5xx: list[float] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (at, seconds)


class Server:
    """One gunicorn (its own process group, so kill -9 takes its workers too)."""

    def __init__(self, name: str, env: dict, log: Path, workers: int):
        self.name, self.env, self.log, self.size = name, env, log, workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        output = open(self.log, "a")  # noqa: SIM115 (the process writes it)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{self.port}", "planner.wsgi"],
            cwd=settings.BASE_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        output.close()
        wait_for(lambda: answers(self.port), 60, f"{self.name} did not start")

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def kill(self) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def answers(port: int) -> bool:
    try:
        connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection_.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
        ok = connection_.getresponse().status == 200
        connection_.close()
        return ok
    except OSError:
        return False


def wait_for(check, seconds: float, why: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise CommandError(why)
        time.sleep(0.2)


class Person(threading.Thread):
    def __init__(self, user, session: str, ports: list[int], talks: dict, entries: dict,
                 stop_at: float, seed: int, figures: Figures, lock: threading.Lock):  # fmt: skip
        super().__init__(daemon=True)
        self.user, self.ports, self.talks, self.entries = user, ports, talks, entries
        self.server = seed % len(ports)
        self.cookies = {"sessionid": session}
        self.stop_at, self.rng = stop_at, random.Random(seed)
        self.figures, self.lock = figures, lock
        self.queue: list[int] = []
        self.records = {talk: Record() for talk in entries}
        self.crash = ""

    # -- HTTP, as a browser tab behind a load balancer: a refused connection goes to the
    # other server (nothing was sent); anything else that fails is Unknown.
    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        for attempt in range(len(self.ports) * 20):
            port = self.ports[self.server]
            started = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=40)
            headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in
                                                                 self.cookies.items())}  # fmt: skip
            body = None
            if method == "POST":
                body = urlencode(data or {})
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            try:
                conn.connect()
            except ConnectionRefusedError:
                self.count(refused=True)
                self.server = (self.server + 1) % len(self.ports)
                time.sleep(0.2 if attempt % len(self.ports) else 0)
                continue
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as exc:
                self.count(latency=(started, time.monotonic() - started))
                raise Unknown(f"{method} {path}: {exc!r}") from exc
            finally:
                conn.close()
            self.count(latency=(started, time.monotonic() - started))
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            if response.status >= 500:
                with self.lock:
                    self.figures.errors_5xx.append(time.time())
                raise Unknown(f"{method} {path}: {response.status}")
            return response.status, text
        raise Unknown("no server accepted a connection")

    def count(self, refused: bool = False, latency=None) -> None:
        with self.lock:
            if refused:
                self.figures.refused_connections += 1
            else:
                self.figures.requests += 1
                self.figures.latencies.append((time.time(), latency[1]))

    def post(self, path: str, data: dict, ok=(302,)) -> int:
        status, text = self.request("POST", path, data)
        if status not in ok:
            with self.lock:
                self.figures.other.append(f"{self.user.username} {path}: {status} {text[:80]}")
            raise Unknown(f"{path}: {status}")
        with self.lock:
            self.figures.acknowledged += 1
        return status

    # -- what people do
    def run(self) -> None:
        try:
            self.request("GET", "/queue/")  # the CSRF cookie
            while time.monotonic() < self.stop_at:
                try:
                    self.act()
                except Unknown:
                    with self.lock:
                        self.figures.unknown += 1
                    self.resync()
                time.sleep(self.rng.uniform(0.1, 0.6))  # reading the page
        except Exception as exc:  # the run fails and says why
            self.crash = f"{self.user.username}: {exc!r}"

    def resync(self) -> None:
        """Reload: what the server holds now is what the person sees and goes on from."""
        while True:
            try:
                status, text = self.request("GET", "/account/backup.json")
                if status == 200:
                    break
            except Unknown:
                pass
            if time.monotonic() > self.stop_at + 120:
                raise RuntimeError("could not reload after a failure")
            time.sleep(0.5)
        with self.lock:
            self.figures.resyncs += 1
        data = json.loads(text)
        self.records = {talk: Record(note="") for talk in self.entries}
        queued = []
        for item in data["entries"]:
            talk = self.talks[(item["talk"]["conference"], item["talk"]["key"])]
            viewings = item["viewings"]
            days = {v["watched_on"] for v in viewings}
            self.records[talk] = Record(item["status"], item["rating"], item["note"],
                                        item["resume_seconds"], len(viewings), days)  # fmt: skip
            if item["position"] is not None:
                queued.append((item["position"], talk))
        self.queue = [talk for _, talk in sorted(queued)]

    def act(self) -> None:
        rng, talks = self.rng, list(self.entries)
        action = rng.choice(["queue", "queue", "remove", "move", "reorder", "rate", "rate",
                             "note", "note", "watched", "progress", "progress"])  # fmt: skip
        if action in ("remove", "move", "reorder") and not self.queue:
            action = "queue"
        if action == "queue":
            talk = rng.choice(talks)
            self.post(f"/talks/{talk}/track/", {"status": QUEUED})
            record = self.records[talk]
            if talk not in self.queue:
                self.queue.append(talk)
            record.status = QUEUED
        elif action == "remove":
            talk = rng.choice(self.queue)
            self.post(f"/entries/{self.entries[talk]}/unqueue/", {})
            self.queue.remove(talk)
            self.records[talk].status = ""
        elif action == "move":
            talk = rng.choice(self.queue)
            direction = rng.choice(["up", "down", "top", "bottom"])
            self.post(f"/entries/{self.entries[talk]}/move/", {"direction": direction})
            i = self.queue.index(talk)
            self.queue.pop(i)
            target = {"up": max(i - 1, 0), "down": min(i + 1, len(self.queue)), "top": 0,
                      "bottom": len(self.queue)}[direction]  # fmt: skip
            self.queue.insert(target, talk)
        elif action == "reorder":
            order = self.queue[:]
            rng.shuffle(order)
            self.post("/queue/reorder/", {"order": ",".join(str(self.entries[t]) for t in order)})
            self.queue = order
        elif action == "rate":
            talk = rng.choice(talks)
            rating = rng.choice([1, 2, 3, 4, 5, None])
            self.post(f"/entries/{self.entries[talk]}/rating/", {"rating": rating or ""})
            self.records[talk].rating = rating
        elif action == "note":
            talk = rng.choice(talks)
            record = self.records[talk]
            text = f"{self.user.username} at {time.time():.3f}: {secrets.token_hex(6)}"
            base = note_fingerprint(record.note)
            self.post(f"/entries/{self.entries[talk]}/note/", {"note": text, "base": base})
            record.note = text
        elif action == "watched":
            talk = rng.choice(talks)
            self.post(f"/talks/{talk}/track/", {"status": WATCHED})
            record = self.records[talk]
            if record.status != WATCHED:
                record.status, record.resume = WATCHED, None
                today = timezone.localdate().isoformat()
                if today not in record.days:
                    record.days.add(today)
                    record.viewings += 1
                if talk in self.queue:
                    self.queue.remove(talk)
        else:
            talk = rng.choice(talks)
            position = rng.randrange(1, 3000)
            status = self.post(f"/talks/{talk}/progress/", {"position": position},
                               ok=(204, 429))  # fmt: skip
            record = self.records[talk]
            if status == 204 and record.status != WATCHED:
                if record.status == "":
                    self.queue.append(talk)
                record.status, record.resume = WATCHING, position


class Command(BaseCommand):
    help = "Two servers, one PostgreSQL, many people, faults on purpose; nothing acknowledged lost."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=100)
        parser.add_argument("--seconds", type=int, default=600)
        parser.add_argument("--workers", type=int, default=2, help="per server")
        parser.add_argument("--out", type=Path, help="Write the figures here too")
        parser.add_argument("--no-faults", action="store_true")

    def handle(self, *args, users: int, seconds: int, workers: int, out, no_faults, **kw):
        if connection.vendor != "postgresql":
            raise CommandError("The soak runs two servers on one PostgreSQL: set DATABASE_URL.")
        if not Talk.objects.exists():
            call_command("load_catalog", verbosity=0)
        talks = {(c, k): pk for pk, c, k in Talk.objects.values_list("pk", "conference__slug",
                                                                     "source_key")}  # fmt: skip
        secret = secrets.token_urlsafe(50)
        with override_settings(SECRET_KEY=secret):  # sessions signed as the servers sign
            people = self.people(users, talks)
        logs = settings.BASE_DIR / "data"
        logs.mkdir(exist_ok=True)
        env = production_env(secret_key=secret, WEB_CONCURRENCY=str(workers))
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                       cwd=settings.BASE_DIR, env=env, check=True)  # fmt: skip
        servers = [Server(name, env, logs / f"soak-{name}.log", workers) for name in ("a", "b")]
        for server in servers:
            server.log.write_text("")
            server.start()
        figures, lock = Figures(), threading.Lock()
        stop_at = time.monotonic() + seconds
        threads = [
            Person(user, session, [s.port for s in servers], talks, entries, stop_at, n,
                   figures, lock)
            for n, (user, session, entries) in enumerate(people)
        ]  # fmt: skip
        started = time.time()
        for thread in threads:
            thread.start()
        faults: list[tuple[str, float, float]] = []
        try:
            if not no_faults:
                self.faults(servers, seconds, started, faults)
            for thread in threads:
                thread.join(max(1, stop_at - time.monotonic()) + 180)
        finally:
            for server in servers:
                server.stop()
        elapsed = time.time() - started
        connections.close_all()  # the database restarted under this process too
        problems = self.compare(threads)
        self.report(figures, faults, problems, threads, elapsed, users, workers, out)

    def people(self, users: int, talks: dict) -> list[tuple]:
        people = []
        for n in range(users):
            user, _ = User.objects.get_or_create(username=f"soak-{n:03d}")
            Entry.objects.filter(user=user).delete()
            # Every talk has a record with a note, so ids stay known while the queue changes.
            Entry.objects.bulk_create(
                Entry(user=user, talk_id=t, note="seed", note_html="<p>seed</p>")
                for t in talks.values()
            )
            client = Client()
            client.force_login(user, backend="planner.serving.backends.ProfileModelBackend")
            entries = dict(Entry.objects.filter(user=user).values_list("talk_id", "pk"))
            people.append((user, client.cookies["sessionid"].value, entries))
        return people

    def faults(self, servers, seconds: int, started: float, faults: list) -> None:
        def at(share: float) -> None:
            time.sleep(max(0, started + seconds * share - time.time()))

        at(0.2)
        victim = servers[0].workers()[0]
        begun = time.time()
        os.kill(victim, signal.SIGKILL)
        replaced = lambda: (  # noqa: E731
            len(workers := servers[0].workers()) >= servers[0].size and victim not in workers
        )
        wait_for(replaced, 60, "the killed worker was not replaced")
        faults.append(("kill -9 one worker", begun, time.time()))
        self.stdout.write(f"fault: killed worker {victim} of server a")

        at(0.45)
        begun = time.time()
        servers[1].kill()
        time.sleep(3)  # down for a moment, as a crashed machine is
        servers[1].start()
        faults.append(("kill -9 server b, start it again", begun, time.time()))
        self.stdout.write("fault: server b killed and started again")

        at(0.7)
        begun = time.time()
        cluster = sorted(os.listdir("/etc/postgresql"))[0]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main",
                        "restart", "-m", "fast"], check=True, capture_output=True)  # fmt: skip
        wait_for(lambda: all(answers(s.port) for s in servers), 60, "no answer after restart")
        faults.append(("restart PostgreSQL", begun, time.time()))
        self.stdout.write("fault: PostgreSQL restarted")

    def compare(self, threads: list[Person]) -> list[str]:
        problems = []
        for person in threads:
            if person.crash:
                problems.append(f"crashed: {person.crash}")
                continue
            name = person.user.username
            rows = {e.talk_id: e for e in Entry.objects.filter(user=person.user)}
            order = [e.talk_id for e in Entry.objects.for_user(person.user).queued()]
            if order != person.queue:
                problems.append(f"{name}: queue {order} != acknowledged {person.queue}")
            positions = [e.position for e in rows.values() if e.position is not None]
            if len(positions) != len(set(positions)):
                problems.append(f"{name}: duplicate positions {sorted(positions)}")
            for talk, want in person.records.items():
                row = rows.get(talk)
                have = Record(row.status, row.rating, row.note, row.resume_seconds,
                              row.viewings.count()) if row else None  # fmt: skip
                if have != want:
                    problems.append(f"{name}: talk {talk} is {have}, acknowledged {want}")
        return problems

    def report(self, figures: Figures, faults, problems, threads, elapsed, users, workers, out):
        def in_window(t: float) -> bool:
            return any(begun <= t <= end + GRACE for _, begun, end in faults)

        def percentile(values, share):
            values = sorted(values)
            return round(values[min(len(values) - 1, int(len(values) * share))] * 1000, 1)

        latencies = [s for _, s in figures.latencies]
        after_kill = [s for at, s in figures.latencies if faults and faults[0][1] <= at
                      <= faults[0][1] + 15]  # fmt: skip
        lost = [p for p in problems if "acknowledged" in p]
        result = {
            "database": connection.vendor,
            "servers": 2,
            "workers_per_server": workers,
            "people": users,
            "seconds": round(elapsed, 1),
            "requests": figures.requests,
            "acknowledged_writes": figures.acknowledged,
            "unknown_outcomes_reloaded": figures.unknown,
            "refused_connections_retried_elsewhere": figures.refused_connections,
            "lost_or_wrong_states": len(lost),
            "duplicate_positions": sum("duplicate positions" in p for p in problems),
            "crashed_people": sum(p.startswith("crashed") for p in problems),
            "errors_5xx_in_fault_windows": sum(map(in_window, figures.errors_5xx)),
            "errors_5xx_outside": sum(not in_window(t) for t in figures.errors_5xx),
            "other_answers": len(figures.other),
            "p50_ms": percentile(latencies, 0.5) if latencies else None,
            "p99_ms": percentile(latencies, 0.99) if latencies else None,
            "p99_ms_15s_after_worker_kill": percentile(after_kill, 0.99) if after_kill else None,
            "faults": [
                {
                    "fault": what,
                    "at_s": round(
                        begun - (figures.latencies[0][0] if figures.latencies else begun), 1
                    ),
                    "recovered_in_s": round(end - begun, 1),
                }
                for what, begun, end in faults
            ],  # fmt: skip
        }
        text = json.dumps(result, indent=2)
        self.stdout.write(text)
        if out:
            out.write_text(text)
        for line in (problems + figures.other)[:30]:
            self.stderr.write(line)
        failed = (
            problems
            or result["errors_5xx_outside"]
            or figures.other
            or not figures.acknowledged
            or any(t.is_alive() for t in threads)
        )
        if failed:
            raise CommandError("soak failed: see the figures above")
