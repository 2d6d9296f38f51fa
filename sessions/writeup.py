"""Read a conference writeup in Markdown into the catalog.

The shape (see fixtures/reinvent-2022.md):

    ---
    title: AWS re:Invent 2022
    ---
    Intro paragraphs.
    # Keynotes                      <- a section; its name gives the talks' kind
    ## Werner Vogels - CTO AWS      <- a talk ("Speaker - Role" in keynotes)
    "*The World is Asynchronous*"   <- optional tagline, before the link
    [YouTube](https://youtu.be/ID)  <- required
    Verdict paragraph(s).
    Fun facts                       <- a short line right above bullets heads a group
    * bullet
        * nested bullet

Parsing is pure (no database) and raises WriteupError naming the line;
import_writeup() then writes everything in one transaction.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

from django.db import transaction
from django.utils.text import slugify
from taggit.models import Tag

from sessions.models import Conference, TaggedTalk, Talk
from sessions.topics import topics_for

MAX_BYTES = 20 * 1024 * 1024
BULLET = re.compile(r"^(?P<indent>[ \t]*)[*+-][ \t]+(?P<text>.*\S)?\s*$")
HEADING = re.compile(r"^(?P<level>#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")
LINK = re.compile(r"^\[YouTube\]\((?P<url>[^)\s]+)\)$", re.IGNORECASE)
TAGLINE = re.compile(r'^"?[*_](?P<text>[^*_].*?)[*_]"?$')
VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
SPEAKER = re.compile(r"^(?P<name>[^-]+?)\s+[-\u2013\u2014]\s+(?P<role>.+)$")
YEAR = re.compile(r"\b(19|20)\d{2}\b")


class WriteupError(ValueError):
    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class ParsedTalk:
    line: int
    kind: str
    title: str
    speaker_name: str = ""
    speaker_role: str = ""
    tagline: str = ""
    video_id: str = ""
    verdict: list[str] = field(default_factory=list)
    outline: list[dict] = field(default_factory=list)


@dataclass
class ParsedWriteup:
    title: str
    intro: str
    talks: list[ParsedTalk]


def section_kind(name: str) -> str | None:
    lowered = name.lower()
    if "keynote" in lowered:
        return Talk.Kind.KEYNOTE
    if "breakout" in lowered or "session" in lowered or "talk" in lowered:
        return Talk.Kind.BREAKOUT
    return None


def video_id_from_url(url: str) -> str | None:
    """The 11-character id from a youtube.com/watch?v= or youtu.be/ link."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    candidate = None
    if host == "youtu.be":
        candidate = parsed.path.lstrip("/").split("/")[0]
    elif host == "youtube.com":
        if parsed.path == "/watch":
            candidate = (parse_qs(parsed.query).get("v") or [""])[0]
        elif parsed.path.startswith(("/embed/", "/live/", "/shorts/")):
            candidate = parsed.path.split("/")[2]
    if candidate and VIDEO_ID.match(candidate):
        return candidate
    return None


def decode(data: bytes) -> str:
    if not data.strip():
        raise WriteupError(None, "the file is empty")
    if len(data) > MAX_BYTES:
        raise WriteupError(None, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise WriteupError(line, "this is not UTF-8 text (is it a Markdown file?)") from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise WriteupError(line, "the file contains a NUL byte; it is not a text file")
    return text


class _TalkBuilder:
    """Collects the blocks of one talk: paragraphs, the link and bullets."""

    def __init__(self, talk: ParsedTalk):
        self.talk = talk
        self.paragraph: list[str] = []
        self.paragraph_line = 0
        self.group: dict | None = None  # the "Fun facts" heading bullets go under
        self.stack: list[tuple[int, dict]] = []  # (indent, node) of open bullets
        self.seen_bullets = False

    def text_line(self, lineno: int, text: str) -> None:
        if not self.paragraph:
            self.paragraph_line = lineno
        self.paragraph.append(text.strip())

    def end_paragraph(self, before_bullet: bool) -> None:
        if not self.paragraph:
            return
        text = "\n".join(self.paragraph)
        lineno = self.paragraph_line
        self.paragraph = []
        talk = self.talk
        link = LINK.match(text)
        if link:
            if talk.video_id:
                raise WriteupError(lineno, f"talk {talk.title!r} has a second YouTube link")
            video_id = video_id_from_url(link["url"])
            if not video_id:
                raise WriteupError(lineno, f"cannot find a YouTube video id in {link['url']!r}")
            talk.video_id = video_id
            return
        if not talk.video_id and not talk.verdict and not self.seen_bullets:
            tagline = TAGLINE.match(text)
            if tagline and "\n" not in text:
                talk.tagline = tagline["text"].strip()
                return
        single_line = "\n" not in text and not text.rstrip().endswith((".", "!", "?", ":"))
        heads_group = before_bullet and single_line and (talk.verdict or self.seen_bullets)
        if heads_group or self.seen_bullets:
            node = {"text": text.replace("\n", " "), "heading": True, "children": []}
            talk.outline.append(node)
            self.group = node if before_bullet else None
            self.stack = []
        else:
            talk.verdict.append(text)

    def bullet(self, lineno: int, indent: str, text: str) -> None:
        self.end_paragraph(before_bullet=True)
        self.seen_bullets = True
        width = len(indent.expandtabs(4))
        node: dict = {"text": text, "children": []}
        while self.stack and self.stack[-1][0] >= width:
            self.stack.pop()
        if self.stack:
            self.stack[-1][1]["children"].append(node)
        elif self.group is not None:
            self.group["children"].append(node)
        else:
            self.talk.outline.append(node)
        self.stack.append((width, node))

    def continuation(self, text: str) -> bool:
        """An indented plain line right under a bullet continues that bullet."""
        if self.stack and not self.paragraph:
            node = self.stack[-1][1]
            node["text"] = f"{node['text']} {text.strip()}"
            return True
        return False

    def blank(self) -> None:
        self.end_paragraph(before_bullet=False)
        # A blank line ends a bullet's lazy continuation but not the list.

    def finish(self) -> ParsedTalk:
        self.end_paragraph(before_bullet=False)
        if not self.talk.video_id:
            raise WriteupError(
                self.talk.line, f"talk {self.talk.title!r} has no [YouTube](...) link"
            )
        return self.talk


def parse_writeup(text: str) -> ParsedWriteup:
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise WriteupError(None, "the file is empty")
    if lines[0].strip() != "---":
        raise WriteupError(1, "expected front matter: a '---' line, 'title: ...', then '---'")
    front: dict[str, str] = {}
    index = 1
    while index < len(lines) and lines[index].strip() != "---":
        key, sep, value = lines[index].partition(":")
        if not sep:
            raise WriteupError(index + 1, "front matter lines look like 'key: value'")
        front[key.strip().lower()] = value.strip().strip("\"'")
        index += 1
    if index >= len(lines):
        raise WriteupError(1, "the front matter is never closed with a '---' line")
    title = front.get("title", "")
    if not title:
        raise WriteupError(1, "the front matter has no title")

    intro: list[str] = []
    talks: list[ParsedTalk] = []
    kind: str | None = None
    builder: _TalkBuilder | None = None
    previous_blank = True

    for lineno, line in enumerate(lines[index + 1 :], start=index + 2):
        heading = HEADING.match(line)
        bullet = BULLET.match(line)
        if heading and len(heading["level"]) <= 2:
            if builder:
                talks.append(builder.finish())
                builder = None
            name = heading["text"].strip()
            if not name:
                raise WriteupError(lineno, "a heading needs some text")
            if len(heading["level"]) == 1:
                kind = section_kind(name)
                if kind is None:
                    raise WriteupError(
                        lineno,
                        f"unknown section {name!r}: name it 'Keynotes' or 'Breakout Sessions'",
                    )
                continue
            if kind is None:
                raise WriteupError(lineno, f"talk {name!r} comes before any '# Section' heading")
            talk = ParsedTalk(line=lineno, kind=kind, title=name)
            speaker = SPEAKER.match(name) if kind == Talk.Kind.KEYNOTE else None
            if speaker:
                talk.speaker_name = speaker["name"].strip()
                talk.speaker_role = speaker["role"].strip()
            builder = _TalkBuilder(talk)
        elif builder is None:
            if bullet:
                raise WriteupError(lineno, "a bullet comes before any '## Talk' heading")
            if heading:
                raise WriteupError(lineno, "a sub-heading comes before any '## Talk' heading")
            if kind is None:
                intro.append(line.rstrip())
            # Text under a section heading but before its first talk introduces
            # the section; it is not part of any talk.
        elif not line.strip():
            builder.blank()
        elif bullet:
            if bullet["text"] is None:
                raise WriteupError(lineno, "an empty bullet")
            builder.bullet(lineno, bullet["indent"], bullet["text"].strip())
        elif heading:
            builder.text_line(lineno, heading["text"])
        elif line[:1] in " \t" and not previous_blank and builder.continuation(line):
            pass
        else:
            builder.text_line(lineno, line)
        previous_blank = not line.strip()

    if builder:
        talks.append(builder.finish())
    if not talks:
        raise WriteupError(None, "no talks found: each talk starts with a '## Title' heading")

    seen: dict[str, int] = {}
    for talk in talks:
        if talk.video_id in seen:
            raise WriteupError(
                talk.line,
                f"talk {talk.title!r} has the same YouTube video as the talk on line "
                f"{seen[talk.video_id]}",
            )
        seen[talk.video_id] = talk.line
    return ParsedWriteup(title=title, intro="\n".join(intro).strip(), talks=talks)


@dataclass
class ImportResult:
    conference: Conference
    created: int
    updated: int
    unchanged: int
    not_in_file: int


def _unique_slug(title: str, taken: set[str]) -> str:
    base = slugify(title)[:110] or "talk"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


TALK_FIELDS = [
    "kind",
    "title",
    "slug",
    "speaker_name",
    "speaker_role",
    "tagline",
    "verdict",
    "outline",
    "position",
]


RENDERED = ["verdict_html", "outline_html", "summary_html", "outline_text"]
LIMITS = {"title": 300, "speaker_name": 200, "speaker_role": 200, "tagline": 300}


def _check(item: ParsedTalk) -> None:
    for name, limit in LIMITS.items():
        if len(getattr(item, name)) > limit:
            raise WriteupError(
                item.line, f"talk {item.title[:80]!r}: {name} is longer than {limit} characters"
            )


@transaction.atomic
def import_writeup(parsed: ParsedWriteup, source_url: str = "") -> ImportResult:
    """Create or update the conference and its talks; talks are matched by video id.

    Talks already in the catalog but missing from the file are left alone:
    people may have them in their plans. Rows are written in bulk, so a
    writeup of ten thousand talks imports in seconds.
    """
    for item in parsed.talks:
        _check(item)
    year_match = YEAR.search(parsed.title)
    conference, _ = Conference.objects.update_or_create(
        slug=slugify(parsed.title),
        defaults={
            "name": parsed.title,
            "year": int(year_match.group(0)) if year_match else None,
            "intro": parsed.intro,
            **({"source_url": source_url} if source_url else {}),
        },
    )
    existing = {t.video_id: t for t in conference.talks.all()}
    file_ids = {t.video_id for t in parsed.talks}
    # Slugs of talks we keep but do not touch stay reserved.
    taken = {t.slug for vid, t in existing.items() if vid not in file_ids}

    # Slugs may move between talks on re-import: park the affected rows first.
    moving = [t for t in existing.values() if t.video_id in file_ids]
    original = {t.pk: {name: getattr(t, name) for name in TALK_FIELDS} for t in moving}
    for talk in moving:
        talk.slug = f"tmp-{talk.pk}-{talk.video_id.lower()}"
    Talk.objects.bulk_update(moving, ["slug"], batch_size=1000)

    new, changed, parked_back, topics = [], [], [], {}
    unchanged = 0
    for position, item in enumerate(parsed.talks, start=1):
        values = {
            "kind": item.kind,
            "title": item.title,
            "slug": _unique_slug(item.title, taken),
            "speaker_name": item.speaker_name,
            "speaker_role": item.speaker_role,
            "tagline": item.tagline,
            "verdict": "\n\n".join(item.verdict),
            "outline": item.outline,
            "position": position,
        }
        topics[item.video_id] = topics_for(item.title, item.tagline, values["verdict"])
        talk = existing.get(item.video_id)
        if talk is None:
            talk = Talk(conference=conference, video_id=item.video_id, **values)
            new.append(talk)
            talk.render()
        else:
            rendered_before = [getattr(talk, name) for name in RENDERED]
            for name, value in values.items():
                setattr(talk, name, value)
            talk.render()
            if original[talk.pk] == values and rendered_before == [
                getattr(talk, name) for name in RENDERED
            ]:
                unchanged += 1
                parked_back.append(talk)  # only its parked slug needs restoring
            else:
                changed.append(talk)

    Talk.objects.bulk_create(new, batch_size=1000)
    Talk.objects.bulk_update(changed, [*TALK_FIELDS, *RENDERED], batch_size=500)
    Talk.objects.bulk_update(parked_back, ["slug"], batch_size=1000)

    # Topics: set them again from the text, in two statements.
    talks = {t.video_id: t for t in new + changed + parked_back}
    tags = {}
    for name in sorted({name for names in topics.values() for name in names}):
        tags[name] = Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
    TaggedTalk.objects.filter(content_object__in=[t.pk for t in talks.values()]).delete()
    TaggedTalk.objects.bulk_create(
        [TaggedTalk(content_object=talks[vid], tag=tags[name]) for vid, names in topics.items()
         for name in names],
        batch_size=1000,
    )  # fmt: skip

    return ImportResult(
        conference=conference,
        created=len(new),
        updated=len(changed),
        unchanged=unchanged,
        not_in_file=len(existing.keys() - file_ids),
    )
