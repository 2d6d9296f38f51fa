"""Personal notes: Markdown rendered safely, timestamps turned into video links."""

import re
from collections.abc import Callable
from html import unescape

import markdown

from sessions.markup import clean

NOTE_TAGS = {
    "p", "br", "ul", "ol", "li", "a", "em", "strong", "code", "pre", "blockquote",
    "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
# "12:34 great diagram", "1:02:03 ...", also inside a bullet: "* 12:34 ..."
TIMESTAMP_LINE = re.compile(
    r"^(?P<lead>\s*(?:[-*+]\s+|\d+\.\s+)?)(?P<stamp>(?:\d{1,2}:)?\d{1,2}:\d{2})(?=\s|$)",
    re.MULTILINE,
)
CLOCK = re.compile(r"^(?:(?P<h>\d{1,3}):)?(?P<m>\d{1,2}):(?P<s>\d{2})$")


def parse_clock(text: str) -> int | None:
    """Seconds from "mm:ss" or "h:mm:ss"; None if it is not a real time."""
    match = CLOCK.match(text.strip())
    if not match:
        return None
    hours = int(match["h"] or 0)
    minutes, seconds = int(match["m"]), int(match["s"])
    if seconds > 59 or (match["h"] is not None and minutes > 59):
        return None
    return hours * 3600 + minutes * 60 + seconds


def format_clock(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _link_timestamps(text: str, link_at: Callable[[int], str]) -> str:
    def replace(match: re.Match) -> str:
        seconds = parse_clock(match["stamp"])
        link = link_at(seconds) if seconds is not None else ""
        if not link:
            return match[0]
        return f"{match['lead']}[{match['stamp']}]({link})"

    return TIMESTAMP_LINE.sub(replace, text)


def render_note(text: str, link_at: Callable[[int], str]) -> str:
    """A note as safe HTML; a line starting with a time links to that second of the video
    (link_at gives the link; "" while the talk has no recording)."""
    return render_markdown(_link_timestamps(text, link_at))


def render_markdown(text: str) -> str:
    """Markdown someone typed, as HTML that can do no harm on our pages."""
    if not text.strip():
        return ""
    return clean(markdown.markdown(text, extensions=["sane_lists", "nl2br"]), NOTE_TAGS)


def plain_text(html: str) -> str:
    """Rendered Markdown as one line of text, for link previews and meta descriptions."""
    return " ".join(unescape(clean(html, tags=set())).split())
