"""A realistic synthetic data set for benchmarks: many conferences, talks, people and plans.

Everything goes in with bulk inserts. Markdown is rendered once per template
(outlines and notes come from pools), not once per row. The re:Invent catalog
and real accounts are left alone; earlier demo data is replaced.
"""

import random
import time
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from taggit.models import Tag

from planner.markup import render_note
from planner.models import Entry, EntryTag, PageToken, Profile, Viewing
from sessions import bulk
from sessions.models import Conference, TaggedTalk, Talk

WORDS = (  # noqa: SIM905 - a word pool reads better as prose
    "serverless event driven architecture latency throughput database cache queue stream "
    "resilience failover region zone cell shard replica consistency observability tracing "
    "metrics logging security identity encryption policy network edge container cluster "
    "scheduler pipeline deployment rollback canary migration cost storage object block "
    "analytics warehouse lake model inference training vector search index partition"
).split()
TOPICS = [
    "serverless", "event-driven", "resilience", "security", "architecture", "scaling",
    "infrastructure", "saas", "databases", "observability", "machine-learning", "networking",
    "containers", "devops", "storage", "analytics", "cost", "frontend", "mobile", "iot",
]  # fmt: skip
MY_TAGS = ["must-see", "team", "later", "rewatch", "deep-dive", "share", "work", "weekend"]
PASSWORD = "demo-password-1234"
BATCH = 5000


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def outline(rng: random.Random) -> list[dict]:
    items = []
    for _ in range(rng.randint(8, 20)):
        children = [
            {"text": sentence(rng, rng.randint(5, 14)), "children": []}
            for _ in range(rng.choice([0, 0, 0, 2, 3, 5]))
        ]
        items.append({"text": sentence(rng, rng.randint(6, 18)), "children": children})
    return items


def add_size_arguments(parser: CommandParser) -> None:
    """The size of a data set, as seed_demo and bench take it (full size by default)."""
    parser.add_argument("--talks", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--entries-per-user", type=int, default=300)


class Command(BaseCommand):
    help = "Build a synthetic data set: --talks N --users M --entries-per-user K."

    def add_arguments(self, parser: CommandParser) -> None:
        add_size_arguments(parser)
        parser.add_argument("--seed", type=int, default=2022)

    @transaction.atomic
    def handle(self, *args, talks: int, users: int, entries_per_user: int, seed: int, **kw):
        started = time.monotonic()
        rng = random.Random(seed)
        User.objects.filter(username__startswith="demo-").delete()
        Conference.objects.filter(slug__startswith="demo-").delete()

        # Catalog: conferences of about 250 talks each.
        conferences = Conference.objects.bulk_create(
            Conference(
                name=f"Demo Conference {2015 + n % 12} #{n + 1}",
                slug=f"demo-conference-{n + 1}",
                year=2015 + n % 12,
                intro="A synthetic conference for benchmarks.",
            )
            for n in range(max(1, -(-talks // 250)))
        )
        pool = []
        for _ in range(40):
            template = Talk(verdict=sentence(rng, 25) + ".", outline=outline(rng))
            template.render()
            pool.append(template)
        rows = []
        for n in range(talks):
            t = pool[n % len(pool)]
            keynote = n % 25 == 0
            title = f"{sentence(rng, rng.randint(3, 8))} ({n + 1})"
            rows.append(
                Talk(
                    conference=conferences[n // 250],
                    kind=Talk.Kind.KEYNOTE if keynote else Talk.Kind.BREAKOUT,
                    title=title,
                    slug=f"talk-{n + 1}",
                    speaker_name=f"Speaker {rng.randint(1, 4000)}",
                    speaker_role="Principal Engineer" if keynote else "",
                    video_provider="youtube",
                    video_ref=f"d{n:010d}",
                    source_key=f"d{n:010d}",
                    verdict=t.verdict,
                    outline=t.outline,
                    verdict_html=t.verdict_html,
                    outline_html=t.outline_html,
                    summary_html=t.summary_html,
                    outline_text=t.outline_text,
                    position=n % 250 + 1,
                    duration_seconds=rng.choice([None, None, 1800, 2700, 3600, 4500]),
                )
            )
        created_talks = Talk.objects.bulk_create(rows, batch_size=BATCH)
        tags = {
            name: Tag.objects.get_or_create(name=name, defaults={"slug": name})[0]
            for name in TOPICS + MY_TAGS
        }
        TaggedTalk.objects.bulk_create(
            (
                TaggedTalk(content_object=talk, tag=tags[name])
                for talk in created_talks
                for name in rng.sample(TOPICS, rng.randint(1, 3))
            ),
            batch_size=BATCH,
        )

        # People and their plans.
        password = make_password(PASSWORD)
        people = User.objects.bulk_create(
            User(username=f"demo-{n:04d}", email=f"demo-{n:04d}@example.com", password=password)
            for n in range(users)
        )
        Profile.objects.bulk_create(
            Profile(user=u, speed_percent=rng.choice([100, 125, 150, 150, 175, 200]))
            for u in people
        )
        notes = []
        for _ in range(30):
            text = f"{sentence(rng, 12)}.\n\n* {sentence(rng, 8)}\n* {sentence(rng, 10)}"
            notes.append((text, render_note(text, "")))
        today = date.today()
        per_user = min(entries_per_user, len(created_talks))
        entries = []
        for user in people:
            position = 0
            for talk in rng.sample(created_talks, per_user):
                roll = rng.random()
                status = (
                    "queued" if roll < 0.4 else "watching" if roll < 0.5
                    else "watched" if roll < 0.85 else rng.choice(["skipped", ""])
                )  # fmt: skip
                queued = status in ("queued", "watching")
                position += queued
                note, note_html = rng.choice(notes) if rng.random() < 0.3 else ("", "")
                entries.append(
                    Entry(
                        user=user,
                        talk=talk,
                        status=status,
                        position=position if queued else None,
                        rating=rng.randint(1, 5)
                        if status == "watched" and rng.random() < 0.8
                        else None,
                        note=note,
                        note_html=note_html,
                        resume_seconds=rng.randint(60, 3000) if status == "watching" else None,
                    )
                )
        # Plain rows (sessions.bulk): bulk_create spent most of its time compiling SQL for
        # 300,000 rows; their ids are read back by person and talk.
        bulk.insert(entries)
        ids = Entry.objects.filter(user__in=people).values_list("user_id", "talk_id", "pk")
        pk_of = {(user_id, talk_id): pk for user_id, talk_id, pk in ids}
        for entry in entries:
            entry.pk = pk_of[entry.user_id, entry.talk_id]
            entry._state.adding = False
        created_entries = entries
        # One viewing per watched talk, a few of them watched twice.
        bulk.insert(
            [
                Viewing(
                    entry=entry,
                    watched_on=today - timedelta(days=rng.randint(0, 400) + 400 * again),
                    rating=entry.rating,
                )
                for entry in created_entries
                if entry.status == "watched"
                for again in range(1 + (rng.random() < 0.1))
            ]
        )
        bulk.insert(
            [
                EntryTag(content_object=entry, tag=tags[rng.choice(MY_TAGS)])
                for entry in created_entries
                if rng.random() < 0.2
            ]
        )
        # As every bulk write does (sessions.bulk.analyze): the planner knows the tables now.
        bulk.analyze([Conference, Talk, TaggedTalk, Tag, User, Profile, Entry, Viewing, EntryTag,
                 PageToken])  # fmt: skip
        self.stdout.write(
            f"Seeded {len(created_talks)} talks in {len(conferences)} conferences, "
            f"{len(people)} people, {len(created_entries)} plan entries "
            f"in {time.monotonic() - started:.1f} s. Demo password: {PASSWORD}"
        )
