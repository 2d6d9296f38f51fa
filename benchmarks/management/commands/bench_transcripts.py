"""Transcripts at scale (issue 24), behind `make bench-transcripts`: 10,000 talks that
each have a one-hour transcript (100 passages, a million in all), then

- `import_transcripts` of 1,000 one-hour yt-dlp-style `.vtt` files, timed (goal 30 s);
- a catalog search over all of it under wrk at 4 connections, every request a different
  phrase from the middle of some talk (so no kept answer serves it), p95 against 50 ms
  and throughput against a bare Django view measured A B A B beside it;
- a talk page with a one-hour transcript against the same kind of page without one,
  drawn afresh (nothing kept) and served under wrk: at most 1.5x.

Runs against the configured database, which it fills: point it at a scratch one.
"""

import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings

from benchmarks.management.commands.bench import combine, refuse_unless_fresh, report, writeup
from benchmarks.serving import gunicorn, production_env
from benchmarks.speech import SPOKEN, Speech
from planner import queue
from sessions import listing, transcripts
from sessions.models import Passage, Talk, Transcript
from sessions.readers.transcripts import ParsedTranscript
from sessions.readers.transcripts import Passage as Said

TARGETS = {"import_1000_s": 30, "search_p95_ms": 50, "talk_page_ratio": 1.5}
IMPORTED = 1000  # transcripts brought by import_transcripts; the rest written directly
QUERIES = 3000


class Command(BaseCommand):
    help = "Transcripts at 10,000 talks: import, catalog search and talk page figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--talks", type=int, default=10_000)
        parser.add_argument("--seconds", type=int, default=8, help="wrk duration per run")
        parser.add_argument("--out", type=Path, default=Path("bench-results"))
        parser.add_argument(
            "--measure-only",
            action="store_true",
            help="skip the catalog and the transcripts: measure the data already there",
        )

    def handle(self, *args, talks: int, seconds: int, out: Path, measure_only: bool,
               **options) -> None:  # fmt: skip
        from benchmarks.management.commands.bench import Command as Bench

        bench = Bench(stdout=self.stdout, stderr=self.stderr)
        vendor = connection.vendor
        figures: dict = {"database": vendor, "talks": talks}
        if not measure_only:
            call_command("migrate", verbosity=0)
            refuse_unless_fresh()
            call_command("createcachetable")
            self.catalog(talks)
            figures["import_1000_s"] = self.import_files(min(IMPORTED, talks))
            figures["write_rest_s"] = self.write_rest()
        figures["passages"] = Passage.objects.count()
        self.stdout.write(f"  {figures['passages']} passages in {Transcript.objects.count()} "
                          f"transcripts")  # fmt: skip
        bench.settle()
        figures["talk_page_draw_ms"] = self.draws()
        telling, common = self.queries()
        env = production_env(GUNICORN_MAX_REQUESTS="500")
        bare_env = {**env, "DJANGO_SETTINGS_MODULE": "benchmarks.bare"}
        # Each judged run asks its own half of the phrases: a run that asked the first's
        # again was partly answered from the copies the first left in memory.
        halves = [telling[: len(telling) // 2], telling[len(telling) // 2 :]]
        with (
            gunicorn(env) as (port, _),
            gunicorn(bare_env, app="benchmarks.bare:application") as (bare_port, _),
            tempfile.NamedTemporaryFile("w", suffix=".txt") as first,
            tempfile.NamedTemporaryFile("w", suffix=".txt") as second,
            tempfile.NamedTemporaryFile("w", suffix=".txt") as listed_common,
        ):
            for f, paths in ((first, halves[0]), (second, halves[1]), (listed_common, common)):
                f.write("\n".join(paths))
                f.flush()

            def run(on_port: int, path: str, paths_file: str = "") -> dict:
                return bench.wrk(on_port, "GET", path, "", False, "", "", 4, seconds,
                                 paths_file=paths_file)  # fmt: skip

            searched, bare = [], []
            for listed in (first, second):
                bare.append(run(bare_port, "/"))
                searched.append(run(port, "/", listed.name))
            figures["search"] = combine(searched)
            figures["search_bare"] = combine(bare)
            figures["search_ratio"] = round(
                figures["search"]["rps"] / figures["search_bare"]["rps"], 3
            )
            figures["search_common_words"] = run(port, "/", listed_common.name)
            with_one, without = self.pair()
            figures["talk_page_served"] = {
                "with": combine([run(port, with_one) for _ in range(2)]),
                "without": combine([run(port, without) for _ in range(2)]),
            }
        figures["checks"] = self.judge(figures)
        report(self, figures, out / f"bench-transcripts-{vendor}.json")

    def catalog(self, talks: int) -> None:
        quiet = open(os.devnull, "w")  # noqa: SIM115
        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
            f.write(writeup(talks))
        with override_settings(DEBUG=False):
            call_command("import_writeup", f.name, verbosity=0, stdout=quiet)
        os.unlink(f.name)

    def import_files(self, count: int) -> float:
        """A folder of one-hour yt-dlp-style files (`<title> [<id>].en.vtt`), imported."""
        speech = Speech(1)
        refs = list(Talk.objects.exclude(video_ref="").values_list("title", "video_ref"))[:count]
        with tempfile.TemporaryDirectory() as folder:
            for title, ref in refs:
                name = f"{title[:60].replace('/', ' ')} [{ref}].en.vtt"
                (Path(folder) / name).write_text(speech.vtt())
            started = time.monotonic()
            with override_settings(DEBUG=False):
                call_command("import_transcripts", folder, stdout=open(os.devnull, "w"))  # noqa: SIM115
            took = round(time.monotonic() - started, 2)
        self.stdout.write(f"  import_transcripts of {len(refs)} one-hour files: {took} s")
        return took

    def write_rest(self) -> float:
        """The other talks' transcripts through the one writer, 500 to a transaction."""
        speech = Speech(2)
        rest = list(Talk.objects.filter(transcripts__isnull=True).order_by("pk"))
        started = time.monotonic()
        with override_settings(DEBUG=False):
            for chunk in range(0, len(rest), 500):
                with transaction.atomic(), listing.bulk_change():
                    for talk in rest[chunk : chunk + 500]:
                        said = [Said(*p) for p in speech.passages()]
                        transcripts.write(talk, ParsedTranscript([], "en", passages=said), "en")
            transcripts.analyze()  # as import_transcripts does after a folder
        took = round(time.monotonic() - started, 2)
        self.stdout.write(f"  {len(rest)} more transcripts written in {took} s")
        return took

    def queries(self) -> tuple[list[str], list[str]]:
        """Catalog searches people make after hearing something: two to four words in a
        row from the middle of a passage of some talk, the last often cut short. Those
        with a word that says something (not only "the", "we", "so": what a person
        remembers of a talk), judged; and those of function words alone, which match
        nearly every talk, measured apart."""
        pick = random.Random(3)
        top = Passage.objects.order_by("-pk").values_list("pk", flat=True).first()
        ids = [pick.randint(1, top) for _ in range(QUERIES * 2)]
        texts = dict(Passage.objects.filter(pk__in=ids).values_list("pk", "text"))
        telling, common = [], []
        for pk in ids:
            if pk not in texts:
                continue
            words = [w.strip(".,").lower() for w in texts[pk].split()]
            size = pick.choice((2, 3, 3, 4))
            at = pick.randint(len(words) // 4, max(len(words) // 4, len(words) - size))
            phrase = words[at : at + size]
            plain = all(w in SPOKEN for w in phrase)
            if pick.random() < 0.4 and len(phrase[-1]) > 4:
                phrase[-1] = phrase[-1][: pick.randint(3, len(phrase[-1]) - 1)]
            (common if plain else telling).append("/?" + urlencode({"q": " ".join(phrase)}))
        return telling[:QUERIES], common[:QUERIES]

    def pair(self) -> tuple[str, str]:
        """Two talk pages alike but for the transcript: the first has one, the second
        is the same talk's neighbour with its transcript taken away."""
        with_one, without = Talk.objects.filter(kind="breakout").order_by("pk")[1:3]
        transcripts.remove(without)
        return with_one.get_absolute_url(), without.get_absolute_url()

    def draws(self, rounds: int = 30) -> dict:
        """The two talk pages drawn in this process for a person who queued both (their
        notes beside a Quote button on every passage), nothing kept (the first view
        after any change), alternately: medians in ms and their ratio."""
        with_one, without = self.pair()
        person, _ = User.objects.get_or_create(username="bench-transcripts")
        for url in (with_one, without):
            queue.track(person, Talk.objects.get(slug=url.rstrip("/").rsplit("/", 1)[-1]))
        client = Client()
        client.force_login(person)
        times: dict[str, list[float]] = {"with": [], "without": []}
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            for _ in range(rounds):
                for name, url in (("with", with_one), ("without", without)):
                    for cache in ("pages", "cards", "catalog", "kept"):
                        caches[cache].clear()
                    started = time.perf_counter()
                    response = client.get(url)
                    times[name].append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise CommandError(f"{url}: {response.status_code}")
        out = {name: round(statistics.median(t), 2) for name, t in times.items()}
        out["ratio"] = round(out["with"] / out["without"], 2)
        self.stdout.write(f"  talk page drawn afresh: {out}")
        return out

    def judge(self, figures: dict) -> list[dict]:
        t = TARGETS
        served = figures["talk_page_served"]
        served_ratio = round(served["with"]["p50_ms"] / max(served["without"]["p50_ms"], 0.1), 2)
        figures["talk_page_served_ratio"] = served_ratio
        rows = [
            ("import_transcripts of 1,000 one-hour files (s)", figures.get("import_1000_s"),
             t["import_1000_s"]),
            ("catalog search over every transcript: p95 at 4 connections (ms)",
             figures["search"]["p95_ms"], t["search_p95_ms"]),
            ("talk page with a one-hour transcript / without, drawn afresh",
             figures["talk_page_draw_ms"]["ratio"], t["talk_page_ratio"]),
            ("talk page with a one-hour transcript / without, served (median)",
             served_ratio, t["talk_page_ratio"]),
        ]  # fmt: skip
        checks = [
            {"check": what, "value": value, "target": f"<= {limit}", "pass": value <= limit}
            for what, value, limit in rows
            if value is not None  # not measured (--measure-only)
        ]
        errors = figures["search"]["errors"]
        checks.append({"check": "catalog search: errors under load", "value": errors,
                       "target": 0, "pass": errors == 0})  # fmt: skip
        return checks

    def table(self, figures: dict) -> str:
        s, b, c = figures["search"], figures["search_bare"], figures["search_common_words"]
        lines = [
            f"\n{figures['database']}: {figures['talks']} talks, {figures['passages']} passages",
            f"catalog search, a new phrase each request: {s['rps']} req/s (bare view "
            f"{b['rps']}, ratio {figures['search_ratio']}), p50 {s['p50_ms']} p95 "
            f"{s['p95_ms']} p99 {s['p99_ms']} ms",
            "the same, phrases of common words alone (they match nearly every talk): "
            f"{c['rps']} req/s, p50 {c['p50_ms']} p95 {c['p95_ms']} p99 {c['p99_ms']} ms",
        ]
        for name, row in figures["talk_page_served"].items():
            lines.append(f"talk page {name} a transcript, served: {row['rps']} req/s, p50 "
                         f"{row['p50_ms']} p95 {row['p95_ms']} ms")  # fmt: skip
        lines.append("")
        for c in figures["checks"]:
            lines.append(
                f"{'PASS' if c['pass'] else 'FAIL'}  {c['check']}: {c['value']} ({c['target']})"
            )
        return "\n".join(lines)
