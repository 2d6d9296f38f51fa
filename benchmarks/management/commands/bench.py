"""The benchmark behind `make bench`: gunicorn with the committed config and production
settings, a full-size data set, wrk at 4 and 16 connections, figures against goals.

Runs against the configured database, which it fills: point it at a scratch one
(`make bench` does). Machines here are noisy, so every page is judged as a ratio of
a bare Django view (benchmarks/bare.py: no middleware, no database) served by its
own gunicorn with the same config, measured A B A B beside the page in the same run.
"""

import gzip
import http.client
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.test.utils import override_settings

from benchmarks.httpclient import Tab
from benchmarks.management.commands.seed_demo import add_size_arguments
from benchmarks.serving import gunicorn, production_env
from planner import queue, sharing
from planner.models import Entry, Profile, RecommendedList
from sessions.models import Talk

TARGETS = {
    "page_p95_ms": 60,
    "catalog_p99_ms": 20,  # with workers recycled as in production (issue 25)
    "after_change_ratio": 0.15,  # bare view's median latency / the page's, right after a write
    "first_request_ms": 50,  # a freshly started server's first catalog request
    "action_p95_ms": 30,
    "card_bytes": 4096,  # a card now carries Mark watched, the stars and Undo
    "import_s": 2,  # the realistic 10,000-talk writeup (issue 25)
    "seed_s": 60,
    "rss_mb": 120,
    "memory_requests": 10_000,
}
WRK_THREADS = 2
READER = "bench-reader"  # signed in with 50 queued talks (the signed-in catalog)
READER_QUEUE = 50


@dataclass
class Endpoint:
    name: str
    path: str
    who: str  # "anon", READER or the demo person
    ratio_goal: float | None = None  # least throughput as a fraction of the bare view
    queries_cap: int = 0  # the most queries a warm request may make (the tests pin these)
    method: str = "GET"
    body: str = ""
    hx: bool = False


# Words of the kind real cloud and backend talks use, the topic rules' among them
# (sessions/topics.py), so most generated talks get several topics as the seed's do.
SUBJECTS = ("serverless APIs", "Lambda functions", "event-driven systems", "EventBridge rules",
            "multi-tenant SaaS", "microservice architecture", "EC2 fleets", "Nitro cards",
            "IAM policies", "database replicas", "message queues", "the network edge",
            "chaos experiments", "highly available storage", "asynchronous workflows",
            "container scheduling", "data lakes", "caches in front of a database")  # fmt: skip
VERBS = ("Building", "Scaling", "Securing", "Operating", "Designing", "Debugging",
         "Migrating", "Testing", "Observing", "Running")  # fmt: skip
POINTS = ("{s} fail in ways that look healthy from a dashboard",
          "scale out {s} before the queue depth grows, not after",
          "keep {s} idempotent so a retry after a failure changes nothing",
          "availability of {s} is the product of every dependency's nines",
          "least-privilege IAM for {s} starts with one role per function",
          "the announcement: {s} now cost less at low traffic",
          "cold starts of {s} matter less than the database connection they open",
          "an architecture review of {s} found three single points of failure",
          "move {s} behind an event bus so teams can deploy apart",
          "measure {s} at the 99th percentile; averages hide the slow tail")  # fmt: skip


def writeup(n: int) -> str:
    """A writeup of n talks shaped as the seed is: ten outline lines a talk (eight points,
    two of them with a nested detail), a link in every third line, and titles, verdicts
    and points written with the words real talks use (seeded, so every run is the same)."""
    pick = random.Random(n)
    lines = ["---", f"title: Bench Writeup {n}", "---", "", "A generated writeup.", ""]
    for kind, start, stop in (("Keynotes", 0, n // 20), ("Breakout Sessions", n // 20, n)):
        lines += [f"# {kind}", ""]
        for i in range(start, stop):
            subject, other = pick.sample(SUBJECTS, 2)
            title = (f"Speaker {i} - Role {i}" if kind == "Keynotes"
                     else f"{pick.choice(VERBS)} {subject} with {other} ({i})")  # fmt: skip
            lines += [f"## {title}", "", f"[YouTube](https://youtu.be/w{i:010d})", "",
                      f"Worth it at 1.5x if you run {subject}; skip the first ten minutes.",
                      ""]  # fmt: skip
            for j, point in enumerate(pick.sample(POINTS, 8)):
                text = point.format(s=pick.choice((subject, other)))
                line = f"* {text[0].upper()}{text[1:]}"
                lines.append(
                    line + (f" ([notes](https://example.com/{i}/{j}))" if j % 3 == 0 else "")
                )
                if j % 4 == 0:
                    lines.append(f"    * For example *{other}* with `retries=3`")
            lines.append("")
    return "\n".join(lines)


DEMO = "demo-0001"
PASSWORD = "demo-password-1234"


def combine(runs: list[dict]) -> dict:
    """Two wrk runs as one: mean throughput, the worse percentiles."""
    out = {"rps": round(sum(r["rps"] for r in runs) / len(runs), 1)}
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        out[key] = max(r[key] for r in runs)
    out["requests"] = sum(r["requests"] for r in runs)
    out["errors"] = sum(r["errors"] for r in runs)
    return out


def report(command: BaseCommand, figures: dict, path: Path) -> None:
    """Write the figures as JSON, print their table, and fail if a goal was missed."""
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(figures, indent=2))
    command.stdout.write(command.table(figures))
    command.stdout.write(f"Figures written to {path}")
    if not all(c["pass"] for c in figures["checks"]):
        failed = ", ".join(c["check"] for c in figures["checks"] if not c["pass"])
        raise CommandError(f"BENCHMARK GOALS MISSED on {figures['database']}: {failed}")


def refuse_unless_fresh() -> None:
    """Seeding measures a database as a new site has it: into one that already holds a
    catalog (another benchmark's, say), the import and every page would be measured on
    other data, and nothing would say so."""
    if count := Talk.objects.count():
        name = connection.settings_dict["NAME"]
        raise CommandError(
            f"{name} already holds {count} talks: seeding needs a new database (make bench "
            "makes one); --measure-only measures this one as it is."
        )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Command(BaseCommand):
    help = "Benchmark every page and htmx action; print a table and write JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        add_size_arguments(parser)
        parser.add_argument("--seconds", type=int, default=8, help="wrk duration per run")
        parser.add_argument("--out", type=Path, default=Path("bench-results"))
        parser.add_argument(
            "--measure-only",
            action="store_true",
            help="skip the import and seeding (and their checks): measure the data already there",
        )
        parser.add_argument(
            "--only",
            default="",
            help="comma-separated parts of row names: measure just those rows, print them and "
            "judge nothing (a quick look while working on a page)",
        )

    def handle(self, *args, talks, users, entries_per_user, seconds, out, measure_only, only,
               **options):  # fmt: skip
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed: apt-get install -y wrk")
        vendor = connection.vendor
        figures: dict = {"database": vendor, "size": [talks, users, entries_per_user]}
        if not measure_only:
            figures.update(self.seed(talks, users, entries_per_user))
        self.reader()
        endpoints = self.endpoints()
        if only:
            wanted = [part.strip() for part in only.split(",")]
            endpoints = [p for p in endpoints if any(w in p.name for w in wanted)]
        self.settle()

        # Workers recycled as in production, only more often, so several recycles fall
        # inside each measurement (a recycled worker starts from the warmed master).
        env = production_env(QUERY_COUNT_HEADER="true", GUNICORN_MAX_REQUESTS="500")
        bare_env = {**env, "DJANGO_SETTINGS_MODULE": "benchmarks.bare"}
        if not only or "first" in only:
            figures["first_requests_ms"] = self.first_requests(env)
        with (
            gunicorn(env) as (port, server),
            gunicorn(bare_env, app="benchmarks.bare:application") as (bare_port, _),
        ):
            tabs = {"anon": Tab("127.0.0.1", port)}
            for who, password in ((READER, PASSWORD), (DEMO, PASSWORD)):
                tabs[who] = Tab("127.0.0.1", port)
                tabs[who].sign_in(who, password)
            bare = {"name": "bare Django view", "path": "/", "status": 200, "queries": 0}
            status, text, _ = self.sample(Tab("127.0.0.1", bare_port), "GET", "/", "", False)
            for key, connections in (("c4", 4), ("c16", 16)):
                bare[key] = self.wrk(bare_port, "GET", "/", "", False, "", "", connections, seconds)
            bare.update(bytes=len(text), gzip_bytes=len(gzip.compress(text.encode())))
            results = [bare]
            for point in endpoints:
                results.append(self.measure(point, tabs[point.who], port, bare_port, seconds))
                row = results[-1]
                self.stdout.write(
                    f"  {point.name}: {row['c4']['rps']} req/s, ratio {row.get('ratio', '-')}, "
                    f"p99 {row['c4']['p99_ms']} ms, {row['queries']} queries"
                )
            if not only or "after" in only:
                figures["after_change"] = self.after_change(tabs[READER], port, bare_port)
            if only:
                self.stdout.write(self.table({**figures, "results": results, "checks": []}))
                return
        # No recycling here: the memory figure is a worker's after every request of the walk.
        with gunicorn({**env, "GUNICORN_MAX_REQUESTS": "0"}) as (port, server):
            walker = Tab("127.0.0.1", port)
            walker.sign_in(READER, PASSWORD)
            figures["memory_requests"] = self.walk(port, walker, talks, seconds)
            workers = [int(p) for p in subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()]  # fmt: skip
            figures["worker_rss_mb"] = [round(rss_mb(p), 1) for p in workers]

        figures["results"] = results
        figures["checks"] = self.judge(figures, endpoints)
        report(self, figures, out / f"bench-{vendor}.json")

    def reader(self) -> User:
        """The signed-in person of the issue: 50 talks queued, a few from the first page."""
        User.objects.filter(username=READER).delete()
        user = User.objects.create_user(READER, password=PASSWORD)
        Profile.objects.get_or_create(user=user)
        first_page = list(Talk.objects.in_order()[:20:4])
        rest = list(Talk.objects.in_order()[100 : 100 + READER_QUEUE * 7 : 7])
        for talk in (first_page + rest)[:READER_QUEUE]:
            queue.track(user, talk)
        return user

    def endpoints(self) -> list[Endpoint]:
        demo = User.objects.get(username=DEMO)
        reader = User.objects.get(username=READER)
        queued = list(Entry.objects.for_user(reader).queued().select_related("talk"))
        watched = Entry.objects.for_user(demo).filter(status=Entry.Status.WATCHED).first()
        demo_queued = Entry.objects.for_user(demo).queued().first()
        RecommendedList.objects.filter(user=demo, title="Bench picks").delete()
        rlist = RecommendedList.objects.create(user=demo, title="Bench picks", intro="Ten talks.")
        for entry in Entry.objects.for_user(demo).exclude(status="")[:10]:
            sharing.add_item(rlist, entry.talk, blurb="Worth it.", share_note=True)
        token = sharing.publish(rlist)
        fresh = Talk.objects.exclude(entries__user=demo).filter(
            conference__slug__startswith="demo-"
        )
        order = ",".join(str(e.pk) for e in reversed(queued[:30]))
        return [
            Endpoint("healthz (whole middleware)", "/healthz", "anon", None, 0),
            Endpoint("catalog, signed out", "/", "anon", 0.25, 3),
            Endpoint("catalog, signed in", "/", READER, 0.25, 8),
            Endpoint("catalog search", "/?q=cache+queue&topic=serverless", READER, 0.10, 8),
            Endpoint("talk page", queued[0].talk.get_absolute_url(), READER, 0.15, 10),
            Endpoint("queue", "/queue/", READER, 0.15, 7),
            Endpoint("watched", "/watched/", DEMO, 0.10, 5),
            Endpoint("share page", f"/s/{token}/", "anon", 0.10, 3),
            Endpoint("action: queue", f"/talks/{fresh.first().pk}/track/", DEMO, None, 8,
                     method="POST", body="status=queued&fragment=card", hx=True),
            # As the talk page's stars send it: the status box answers (the whole panel,
            # with notes, was what a form without a fragment got; no control sends that).
            Endpoint("action: rate", f"/entries/{watched.pk}/rating/", DEMO, None, 8,
                     method="POST", body="rating=4&fragment=status", hx=True),
            Endpoint("action: reorder", "/queue/reorder/", READER, None, 8, method="POST",
                     body=f"order={order}", hx=True),
            Endpoint("action: save note", f"/entries/{demo_queued.pk}/note/", DEMO, None, 8,
                     method="POST", body="note=Benchmark+note%0A12%3A34+a+moment", hx=True),
        ]  # fmt: skip

    def measure(self, point: Endpoint, tab: Tab, port: int, bare_port: int, seconds: int) -> dict:
        """One endpoint: a sample for its status, size and queries, then wrk. A page runs
        A B A B with the bare view (4 connections) and is judged on the pair's ratio."""
        cookie = "; ".join(f"{k}={v}" for k, v in tab.cookies.items())
        csrf = tab.cookies.get("csrftoken", "")
        status, text, headers = self.sample(tab, point.method, point.path, point.body, point.hx)
        row = {
            **asdict(point),
            "status": status,
            "queries": int(headers.get("x-query-count", -1)),
            "bytes": len(text.encode()),
            "gzip_bytes": len(gzip.compress(text.encode())),
        }

        def run(on_port: int, connections: int) -> dict:
            if on_port != port:  # the bare view: a plain GET
                return self.wrk(on_port, "GET", "/", "", False, "", "", connections, seconds)
            return self.wrk(port, point.method, point.path, point.body, point.hx, cookie, csrf,
                            connections, seconds)  # fmt: skip

        if point.method == "GET":
            bare_runs, runs = [], []
            for _ in range(2):
                bare_runs.append(run(bare_port, 4))
                runs.append(run(port, 4))
            row["c4"] = combine(runs)
            row["bare_c4"] = combine(bare_runs)
            if row["bare_c4"]["rps"]:
                row["ratio"] = round(row["c4"]["rps"] / row["bare_c4"]["rps"], 3)
        else:
            row["c4"] = run(port, 4)
        row["c16"] = run(port, 16)
        return row

    def timed(self, port: int, method: str, path: str, body: str = "", tab: Tab | None = None):
        """(milliseconds, status) of one request on a new connection, as sync workers
        answer (they close every connection after its answer)."""
        send = {"Host": f"127.0.0.1:{port}"}
        if tab is not None and tab.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in tab.cookies.items())
        if method == "POST":
            send["Content-Type"] = "application/x-www-form-urlencoded"
            send["X-CSRFToken"] = tab.cookies.get("csrftoken", "") if tab else ""
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, path, body=body or None, headers=send)
        response = conn.getresponse()
        response.read()
        conn.close()
        return (time.perf_counter() - started) * 1000, response.status

    def after_change(self, tab: Tab, port: int, bare_port: int, rounds: int = 16) -> list[dict]:
        """The page a person sees right after their own change: a progress save (as the
        player sends every 15 s), then the page, on one connection at a time. Each round
        saves a different talk (the server takes one save a second per talk). The talks
        are started first, as a person who is watching them has: a talk's first save
        changes its status (queued to watching), which every page is drawn afresh after;
        the saves measured are the ones that follow while it plays."""
        reader = User.objects.get(username=READER)
        entries = list(Entry.objects.for_user(reader).queued().select_related("talk__conference"))
        started = [
            e for e in entries[: 3 * rounds] if e.status != "watching" or not e.resume_seconds
        ]
        for entry in started:
            self.timed(port, "POST", f"/talks/{entry.talk_id}/progress/", "position=50", tab)
        if started:
            time.sleep(1.2)
        bare = sorted(self.timed(bare_port, "GET", "/")[0] for _ in range(rounds * 3))
        bare_median = bare[len(bare) // 2]
        rows = []
        pages = (("queue", lambda talk: "/queue/"), ("home", lambda talk: "/"),
                 ("talk page", lambda talk: talk.get_absolute_url()))  # fmt: skip
        for n, (name, path_of) in enumerate(pages):
            times, refused = [], 0
            mine = entries[n * rounds : (n + 1) * rounds]
            # A page the person has seen before their change: the queue and home once, a
            # talk page each round (the page whose player sends the save).
            self.timed(port, "GET", path_of(mine[0].talk), "", tab)
            for i, entry in enumerate(mine):
                if name == "talk page":
                    self.timed(port, "GET", path_of(entry.talk), "", tab)
                _, status = self.timed(port, "POST", f"/talks/{entry.talk_id}/progress/",
                                       f"position={100 + i}", tab)  # fmt: skip
                refused += status != 204
                times.append(self.timed(port, "GET", path_of(entry.talk), "", tab)[0])
            times.sort()
            median = times[len(times) // 2]
            row = {"name": f"after a change: {name}", "median_ms": round(median, 1),
                   "p95_ms": round(times[int(len(times) * 0.95)], 1),
                   "bare_median_ms": round(bare_median, 1),
                   "ratio": round(bare_median / median, 3), "saves_refused": refused}  # fmt: skip
            rows.append(row)
            self.stdout.write(f"  {row['name']}: median {row['median_ms']} ms, p95 "
                              f"{row['p95_ms']} ms, ratio {row['ratio']}")  # fmt: skip
        return rows

    def first_requests(self, env: dict) -> list[float]:
        """A freshly started server's first 20 catalog requests (signed out), in ms."""
        with gunicorn(env) as (port, _server):
            times = [round(self.timed(port, "GET", "/")[0], 1) for _ in range(20)]
        self.stdout.write(f"  a new server's first catalog requests (ms): {times}")
        return times

    def walk(self, port: int, tab: Tab, talks: int, seconds: int) -> int:
        """At least 10,000 requests over the whole catalog (every page of it, signed in
        and out, and talk pages), so per-process caches fill as they would in a day."""
        pages = max(1, talks // 20)
        slugs = list(Talk.objects.select_related("conference").order_by("?")[:2000])
        paths = [f"/?page={n}" for n in range(1, pages + 1)]
        paths += [t.get_absolute_url() for t in slugs]
        random.Random(7).shuffle(paths)
        cookie = "; ".join(f"{k}={v}" for k, v in tab.cookies.items())
        done = 0
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            f.write("\n".join(paths))
            f.flush()
            while done < TARGETS["memory_requests"]:
                for who in ("", cookie):
                    raw = self.wrk(port, "GET", "/", "", False, who, "", 4, seconds * 2,
                                   paths_file=f.name)  # fmt: skip
                    done += raw["requests"]
                    if raw["errors"]:
                        raise CommandError(f"{raw['errors']} errors walking the catalog")
        self.stdout.write(f"  memory walk: {done} requests over {len(paths)} paths")
        return done

    def seed(self, talks: int, users: int, entries_per_user: int) -> dict:
        """Import a big writeup and seed the demo data, timing both."""
        call_command("migrate", verbosity=0)
        refuse_unless_fresh()
        call_command("createcachetable")
        call_command("load_catalog", verbosity=0)
        quiet = open(os.devnull, "w")  # noqa: SIM115
        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
            f.write(writeup(talks))
        started = time.monotonic()
        with override_settings(DEBUG=False):  # as in production: no query log
            call_command("import_writeup", f.name, verbosity=0, stdout=quiet)
        import_s = round(time.monotonic() - started, 2)
        os.unlink(f.name)
        started = time.monotonic()
        call_command("seed_demo", talks=talks, users=users, entries_per_user=entries_per_user,
                     stdout=quiet)  # fmt: skip
        seed_s = round(time.monotonic() - started, 2)
        self.stdout.write(f"import {import_s} s, seed {seed_s} s")
        return {"import_s": import_s, "seed_s": seed_s}

    def settle(self) -> None:
        """Write out what the bulk load left dirty (pages, the WAL), as a server does
        within minutes; no VACUUM ANALYZE of our own: the import and the seeding leave
        statistics of what they wrote (sessions.bulk.analyze), as a self-hoster's would."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                try:
                    cursor.execute("CHECKPOINT")
                except DatabaseError:  # needs superuser or pg_checkpoint: best effort
                    self.stderr.write("CHECKPOINT not allowed for this role; carrying on")
            else:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def sample(self, tab: Tab, method: str, path: str, body: str, hx: bool):
        """Requests as wrk will send them: status, body and headers of the last, with the
        fewest queries any made (each worker fills its caches once: warm is what counts)."""
        send = {"Host": f"{tab.host}:{tab.port}", **({"HX-Request": "true"} if hx else {})}
        if tab.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in tab.cookies.items())
        if method == "POST":
            send["Content-Type"] = "application/x-www-form-urlencoded"
            send["X-CSRFToken"] = tab.cookies.get("csrftoken", "")
        fewest = None
        for _ in range(6):
            conn = http.client.HTTPConnection(tab.host, tab.port, timeout=30)
            conn.request(method, path, body=body or None, headers=send)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            conn.close()
            headers = {k.lower(): v for k, v in response.getheaders()}
            count = int(headers.get("x-query-count", -1))
            fewest = count if fewest is None else min(fewest, count)
        headers["x-query-count"] = str(fewest)
        return response.status, text, headers

    def wrk(self, port, method, path, body, hx, cookie, csrf, connections, seconds,
            paths_file="") -> dict:  # fmt: skip
        env = {**os.environ, "WRK_METHOD": method, "WRK_BODY": body, "WRK_COOKIE": cookie,
               "WRK_CSRF": csrf, "WRK_HX": "1" if hx else "0", "WRK_PATHS": paths_file,
               "WRK_THREADS": str(WRK_THREADS)}  # fmt: skip
        script = Path(__file__).resolve().parents[2] / "wrk.lua"
        result = subprocess.run(
            ["wrk", "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{seconds}s",
             "-s", str(script), f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, env=env, timeout=seconds + 60,
        )  # fmt: skip
        line = [x for x in result.stdout.splitlines() if x.startswith("{")][-1]
        raw = json.loads(line)
        return {
            "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
            "p50_ms": round(raw["p50_us"] / 1000, 1),
            "p95_ms": round(raw["p95_us"] / 1000, 1),
            "p99_ms": round(raw["p99_us"] / 1000, 1),
            "requests": raw["requests"],
            "errors": raw["socket_errors"] + raw["non_2xx"],
        }

    def judge(self, figures: dict, endpoints: list[Endpoint]) -> list[dict]:
        t = TARGETS
        checks = []

        def check(what, value, limit, ok):
            checks.append({"check": what, "value": value, "target": limit, "pass": bool(ok)})

        for row in figures["results"][1:]:
            c4, name = row["c4"], row["name"]
            check(f"{name}: answers 2xx", row["status"], "2xx", 200 <= row["status"] < 300)
            errors = c4["errors"] + row["c16"]["errors"]
            check(f"{name}: errors under load", errors, 0, errors == 0)
            check(f"{name}: queries per request", row["queries"], f"<= {row['queries_cap']}",
                  0 <= row["queries"] <= row["queries_cap"])  # fmt: skip
            if row["method"] != "GET":
                check(f"{name}: p95 at 4 connections (ms)", c4["p95_ms"],
                      f"<= {t['action_p95_ms']}", c4["p95_ms"] <= t["action_p95_ms"])  # fmt: skip
                continue
            if name.startswith("catalog"):
                check(f"{name}: p99 at 4 connections (ms)", c4["p99_ms"],
                      f"<= {t['catalog_p99_ms']}", c4["p99_ms"] <= t["catalog_p99_ms"])  # fmt: skip
            else:
                check(f"{name}: p95 at 4 connections (ms)", c4["p95_ms"],
                      f"<= {t['page_p95_ms']}", c4["p95_ms"] <= t["page_p95_ms"])  # fmt: skip
            if goal := row["ratio_goal"]:
                ratio = row.get("ratio", 0)
                check(f"{name}: throughput / bare Django view", ratio, f">= {goal}", ratio >= goal)
        card = next(r for r in figures["results"] if r["name"] == "action: queue")
        check("single-card fragment (bytes)", card["bytes"], f"<= {t['card_bytes']}",
              card["bytes"] <= t["card_bytes"])  # fmt: skip
        if "import_s" in figures:  # not with --measure-only
            check("import_writeup of the 10,000-talk writeup (s)", figures["import_s"],
                  f"<= {t['import_s']}", figures["import_s"] <= t["import_s"])  # fmt: skip
            check("seed_demo at full size (s)", figures["seed_s"], f"<= {t['seed_s']}",
                  figures["seed_s"] <= t["seed_s"])  # fmt: skip
        check("requests walked over the catalog before the memory reading",
              figures["memory_requests"], f">= {t['memory_requests']}",
              figures["memory_requests"] >= t["memory_requests"])  # fmt: skip
        for row in figures.get("after_change", []):
            check(
                f"{row['name']}: bare view's median latency / the page's",
                row["ratio"],
                f">= {t['after_change_ratio']}",
                row["ratio"] >= t["after_change_ratio"],
            )
            check(f"{row['name']}: progress saves taken", row["saves_refused"], 0,
                  row["saves_refused"] == 0)  # fmt: skip
        if figures.get("first_requests_ms"):
            first = figures["first_requests_ms"][0]
            check("a new server's first catalog request (ms)", first,
                  f"<= {t['first_request_ms']}", first <= t["first_request_ms"])  # fmt: skip
        worst = max(figures["worker_rss_mb"] or [0])
        check("worker RSS after the run (MB)", worst, f"< {t['rss_mb']}", 0 < worst < t["rss_mb"])
        return checks

    def table(self, figures: dict) -> str:
        lines = [
            f"\n{figures['database']}: {figures['size'][0]} talks, {figures['size'][1]} users, "
            f"{figures['size'][2]} entries each; ratio = req/s over the bare Django view's, "
            "measured A B A B beside it",
            f"{'endpoint':28} {'c4 req/s':>9} {'ratio':>6} {'p50':>6} {'p95':>6} {'p99':>6} "
            f"{'c16 req/s':>9} {'p95':>6} {'q':>3} {'bytes':>7} {'gzip':>6}",
        ]
        for r in figures["results"]:
            lines.append(
                f"{r['name']:28} {r['c4']['rps']:>9} {r.get('ratio', ''):>6} "
                f"{r['c4']['p50_ms']:>6} {r['c4']['p95_ms']:>6} {r['c4']['p99_ms']:>6} "
                f"{r['c16']['rps']:>9} {r['c16']['p95_ms']:>6} {r['queries']:>3} "
                f"{r['bytes']:>7} {r['gzip_bytes']:>6}"
            )
        lines.append("")
        for c in figures["checks"]:
            lines.append(
                f"{'PASS' if c['pass'] else 'FAIL'}  {c['check']}: {c['value']} ({c['target']})"
            )
        return "\n".join(lines)
