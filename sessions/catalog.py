"""The plain shape every reader of an outside format gives, and the writer applies.

Readers (sessions.writeup, and the formats to come) only parse: text in, these
dataclasses out, no database. sessions.writer is the one place that writes them.
"""

from dataclasses import dataclass, field


class CatalogError(ValueError):
    """Input that cannot become catalog talks; says where, when it knows."""

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
class ParsedCatalog:
    """One conference: its name, an introduction and its talks in order."""

    title: str
    intro: str
    talks: list[ParsedTalk]
