"""The plain shape every reader of an outside format gives, and the writer applies.

Readers (sessions.readers: the writeup, frab XML, schedule JSON, media.ccc.de,
pyvideo, Sessionize, yt-dlp) only parse: input in, these dataclasses out, no
database. sessions.writer is the one place that writes them.
"""

import datetime
from dataclasses import dataclass, field

from sessions.video import Recording


class CatalogError(ValueError):
    """Input that cannot become catalog talks; says where (a line number, or a path
    in the file such as `schedule.conference.days[0]`), when it knows."""

    def __init__(self, where: int | str | None, message: str):
        self.where = where
        self.line = where if isinstance(where, int) else None
        self.message = message
        if isinstance(where, int):
            super().__init__(f"line {where}: {message}")
        else:
            super().__init__(f"{where}: {message}" if where else message)


@dataclass
class ParsedTalk:
    line: int | str  # where the talk is in the input: a line or a path
    kind: str
    title: str
    key: str = ""  # the source's own stable name for it: a guid, a slug, an id
    slug: str = ""  # a second name to match on (a pretalx code, a media.ccc.de slug)
    speaker_name: str = ""
    speaker_role: str = ""
    tagline: str = ""
    verdict: list[str] = field(default_factory=list)  # Markdown paragraphs
    outline: list[dict] = field(default_factory=list)
    recordings: list[Recording] = field(default_factory=list)
    duration_seconds: int | None = None
    length_is_slot: bool = False  # the length is a schedule slot, an estimate
    track: str = ""
    language: str = ""
    thumbnail_url: str = ""
    held_on: datetime.date | None = None
    tags: list[str] = field(default_factory=list)  # the source's topics, if it has any
    # Where the source says more about this talk (media.ccc.de's event: its video and
    # subtitle files, read by sessions.details), and that page's version as listed.
    details_url: str = ""
    details_version: str = ""

    @property
    def video_id(self) -> str:
        """The first recording's reference (a YouTube id, for the writeup)."""
        return self.recordings[0].reference if self.recordings else ""


@dataclass
class ParsedCatalog:
    """One conference: its name, an introduction and its talks in order."""

    title: str
    intro: str
    talks: list[ParsedTalk]
    format: str = "writeup"
    slug: str = ""  # the source's acronym, where it has one: both 38c3 sources meet on it
    year: int | None = None
    skipped: list[str] = field(default_factory=list)  # "where: why", for the report
