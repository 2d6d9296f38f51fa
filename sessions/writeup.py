"""Read a conference writeup in Markdown.

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

Reading is pure (no database): parse_writeup() gives the plain shape every reader
gives (sessions.catalog) or raises WriteupError naming the line; sessions.writer
then applies it to the database in one transaction.
"""

import re

from sessions import video
from sessions.catalog import CatalogError, ParsedCatalog, ParsedTalk
from sessions.models import Talk

MAX_BYTES = 20 * 1024 * 1024
BULLET = re.compile(r"^(?P<indent>[ \t]*)[*+-][ \t]+(?P<text>.*\S)?\s*$")
HEADING = re.compile(r"^(?P<level>#{1,6})[ \t]+(?P<text>.*?)[ \t#]*$")
LINK = re.compile(
    r"^\[(?P<label>YouTube|Vimeo|media\.ccc\.de|PeerTube|archive\.org|Video(?: file)?)\]"
    r"\((?P<url>[^)\s]+)\)$",
    re.IGNORECASE,
)
TAGLINE = re.compile(r'^"?[*_](?P<text>[^*_].*?)[*_]"?$')
BULLET_MARKS = "*+-"
SPEAKER = re.compile(r"^(?P<name>[^-]+?)\s+[-\u2013\u2014]\s+(?P<role>.+)$")


class WriteupError(CatalogError):
    """A writeup that does not follow the shape above."""


def section_kind(name: str) -> str | None:
    lowered = name.lower()
    if "keynote" in lowered:
        return Talk.Kind.KEYNOTE
    if "breakout" in lowered or "session" in lowered or "talk" in lowered:
        return Talk.Kind.BREAKOUT
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
            if talk.recordings:
                raise WriteupError(lineno, f"talk {talk.title!r} has a second video link")
            recording = video.recording_from_url(link["url"])
            if recording is None or (
                link["label"].lower() == "youtube" and recording.provider != video.YOUTUBE
            ):
                raise WriteupError(
                    lineno, f"cannot find a {link['label']} video in {link['url']!r}"
                )
            talk.recordings = [recording]
            talk.key = recording.reference
            return
        if not talk.recordings and not talk.verdict and not self.seen_bullets:
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
        if not self.talk.recordings:
            raise WriteupError(
                self.talk.line, f"talk {self.talk.title!r} has no [YouTube](...) link"
            )
        return self.talk


def parse_writeup(text: str) -> ParsedCatalog:
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
        # Most lines are text or blank: try a pattern only where its first mark is.
        bare = line.lstrip()
        heading = HEADING.match(line) if line[:1] == "#" else None
        bullet = BULLET.match(line) if bare[:1] in BULLET_MARKS and bare else None
        blank = not bare
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
        elif blank:
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
        previous_blank = blank

    if builder:
        talks.append(builder.finish())
    if not talks:
        raise WriteupError(None, "no talks found: each talk starts with a '## Title' heading")

    seen: dict[str, int] = {}
    for talk in talks:
        if talk.video_id in seen:
            raise WriteupError(
                talk.line,
                f"talk {talk.title!r} has the same video as the talk on line {seen[talk.video_id]}",
            )
        seen[talk.video_id] = talk.line
    return ParsedCatalog(title=title, intro="\n".join(intro).strip(), talks=talks, format="writeup")
