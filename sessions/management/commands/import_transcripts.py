import multiprocessing
import os
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Q

from sessions import transcripts
from sessions.catalog import CatalogError
from sessions.models import Recording, Talk
from sessions.readers.transcripts import READERS, ParsedTranscript, read

# yt-dlp names a file "<title> [<id>].<lang>.vtt"; a plain one is "<id>.<lang>.vtt".
BRACKETED_ID = re.compile(r"\[([A-Za-z0-9_-]{6,64})\]")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


@dataclass
class Found:
    path: Path
    parsed: ParsedTranscript
    key: str
    language: str
    words: str | None = None  # the search's words, worked out with the reading
    talk: Talk | None = None
    why: str = ""


def names_in(path: Path) -> tuple[str, str]:
    """(the video id or source key, the language) a file's name gives, each maybe ""."""
    stem, language = path.stem, ""
    head, _, tail = stem.rpartition(".")
    if head and LANGUAGE.match(tail):
        stem, language = head, tail
    if match := BRACKETED_ID.search(stem):
        return match[1], language
    return stem.split(".")[0].strip(), language


def files(root: Path) -> list[Path]:
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if p.suffix.lower() in READERS and p.is_file())
    return [root]


def read_one(path: Path) -> tuple[ParsedTranscript, str | None] | str:
    """The file read, or why it was refused (a worker process's answer): its passages,
    without the lines they were made of (sending those back cost a third of the read),
    and the search's words of them (transcripts.words_of: worked out here, beside the
    other files' reading, not one after another by the writer)."""
    try:
        parsed = read(path.read_bytes(), path.suffix, path.name)
    except CatalogError as exc:
        return str(exc)
    parsed.lines = []
    return parsed, transcripts.words_of([(p.start, p.text) for p in parsed.passages])


PARALLEL_FROM = 16  # files; fewer are read here (starting workers costs more)
BATCH = 50  # files matched to talks in one go while the next are read


def read_all(paths: list[Path]) -> Iterator[tuple[ParsedTranscript, str | None] | str]:
    """Every file read, in order, on every core for a folder: reading is the import's slow
    part (an hour of captions is ~25 ms in webvtt-py) and needs nothing but the file.
    Answers come as they are ready, so the writer writes while the workers read on."""
    if len(paths) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        yield from (read_one(path) for path in paths)
        return
    # Forked workers only read files: they never touch the parent's database connection.
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(os.cpu_count(), mp_context=context)
    try:
        yield from pool.map(read_one, paths, chunksize=8)
    finally:  # stopped early (a write failed): the files not yet read are not read
        pool.shutdown(cancel_futures=True)


def talks_having(keys: set[str], talks) -> dict[str, list[Talk]]:
    """The talks (of `talks`) each key names, by video id, source key, slug or a
    recording's reference: two queries for a folder, not a search a file."""
    by_pk = {
        t.pk: t
        for t in talks.filter(Q(video_ref__in=keys) | Q(source_key__in=keys) | Q(slug__in=keys))
    }
    having: dict[str, set[int]] = {}
    for t in by_pk.values():
        for key in {t.video_ref, t.source_key, t.slug} & keys:
            having.setdefault(key, set()).add(t.pk)
    recorded = Recording.objects.filter(reference__in=keys, talk__in=talks)
    for reference, talk in recorded.values_list("reference", "talk"):
        having.setdefault(reference, set()).add(talk)
    missing = {pk for pks in having.values() for pk in pks} - by_pk.keys()
    by_pk.update(talks.in_bulk(missing))
    return {key: [by_pk[pk] for pk in sorted(pks)] for key, pks in having.items()}


class Command(BaseCommand):
    help = (
        "Attach transcripts (WebVTT, YouTube captions saved by yt-dlp, SubRip, WWDC or "
        "RubyEvents JSON) to talks: a file or a folder. Each file is matched to its talk by "
        "the video id or source key in its name (or its content), or by --talk. A bad file "
        "stops the import before anything is written; a re-import replaces that language only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="A transcript file or a folder of them")
        parser.add_argument("--conference", default="", help="Match talks of this conference only")
        parser.add_argument("--language", default="", help="When neither name nor file says")
        parser.add_argument("--talk", type=int, help="The talk (its number) for one file")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be attached")

    def handle(self, *args, path: str, conference: str, language: str, talk: int | None,
               dry_run: bool, **options):  # fmt: skip
        root = Path(path)
        if not root.exists():
            raise CommandError(f"{path}: no such file or folder")
        paths = files(root)
        if talk is not None and len(paths) != 1:
            raise CommandError("--talk names the talk of one file, not a folder")
        talks = Talk.objects.select_related("conference")
        if conference:
            talks = talks.filter(conference__slug=conference)
        self.said, self.unmatched = [], 0
        refused, found, written = [], [], 0
        # Each batch is written as soon as it is read, in the one transaction: a refused
        # file, even the last, undoes it all (the PostgreSQL import of 1,000 files waited
        # 13 s for the reading before it wrote anything). On SQLite a transaction holds
        # the database's one write lock, which the site's writes wait for (20 s at most):
        # there every file is read first, and the lock is held only while writing.
        answers = read_all(paths)
        if connection.vendor == "sqlite":
            answers = list(answers)
        with transaction.atomic():
            for file, answer in zip(paths, answers, strict=True):
                if isinstance(answer, str):
                    refused.append(f"refused {file}: {answer}")
                elif not refused:  # once one is refused nothing is kept: only read on
                    parsed, words = answer
                    key, named = names_in(file)
                    spoken = named or language or parsed.language
                    found.append(Found(file, parsed, parsed.key or key, spoken, words=words))
                    if len(found) == BATCH:
                        written += self.attach(found, talks, talk, conference, dry_run)
                        found = []
            if refused:
                for line in refused:
                    self.stderr.write(line)
                raise CommandError(f"{len(refused)} file(s) refused. Nothing was imported.")
            written += self.attach(found, talks, talk, conference, dry_run)
            if written > 1:
                transcripts.analyze()
        for line in self.said:
            self.stdout.write(line)
        summary = f"{written} transcript(s) attached, {self.unmatched} unmatched"
        self.stdout.write(summary + (" (dry run: nothing was written)" if dry_run else ""))

    def attach(self, found: list[Found], talks, talk: int | None, conference: str,
               dry_run: bool) -> int:  # fmt: skip
        """Match a batch of read files to their talks and write each matched one; what
        happened to each file goes to self.said (printed once the import holds)."""
        if talk is not None:
            for item in found:
                item.talk = talks.filter(pk=talk).first()
                item.why = (
                    ""
                    if item.talk
                    else f"no talk {talk}" + (f" in {conference}" if conference else "")
                )
        else:
            having = talks_having({item.key for item in found if item.key}, talks)
            for item in found:
                matches = having.get(item.key, [])
                if len(matches) == 1:
                    item.talk = matches[0]
                elif matches:
                    item.why = (
                        f"{len(matches)} talks have “{item.key}”: give --conference or --talk"
                    )
                else:
                    item.why = f"no talk has the video or key “{item.key}”"
        written = 0
        for item in found:
            if item.talk is None:
                self.said.append(f"unmatched {item.path.name}: {item.why}")
                self.unmatched += 1
                continue
            self.said.append(
                f"matched {item.path.name} → {item.talk.title} "
                f"({item.language or 'no language'}, {len(item.parsed.passages)} passages)"
            )
            if not dry_run:
                transcripts.write(item.talk, item.parsed, item.language, item.path.name,
                                  item.words)  # fmt: skip
                written += 1
        return written
