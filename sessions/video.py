"""Where a talk's video lives: all we know of the video host, in one place.

Today every talk is on YouTube. A second provider (a plain video file, PeerTube,
Vimeo) is one more set of these answers: how to read an id from a link, the watch
page (at a second), the short link, the embed and thumbnail, and the Content
Security Policy sources a page that embeds it must allow (pretalx's
agenda/recording.py does the same per recording provider).
"""

import re
from urllib.parse import parse_qs, urlparse

from django.core.validators import RegexValidator

PROVIDER = "YouTube"
ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
ID_VALIDATOR = RegexValidator(ID.pattern, "A YouTube video id is 11 letters, digits, - or _.")

# For the embedded player (the player issue): the privacy-enhanced host, its API
# script and thumbnails. Only a page that embeds a video widens its policy by these.
CSP_SOURCES = {
    "frame-src": ["https://www.youtube-nocookie.com"],
    "script-src": ["https://www.youtube.com"],
    "img-src": ["https://i.ytimg.com"],
}


def id_from_url(url: str) -> str | None:
    """The 11-character id from a youtube.com/watch?v=, /embed/, /live/, /shorts/ or
    youtu.be/ link; None for anything else."""
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
    if candidate and ID.match(candidate):
        return candidate
    return None


def watch_url(video_id: str, seconds: int | None = None) -> str:
    """The video's own page, starting at `seconds` if given (writeups link this form)."""
    return f"https://www.youtube.com/watch?v={video_id}" + (f"&t={seconds}s" if seconds else "")


def link_at(video_id: str, seconds: int | None = None) -> str:
    """The short link, at a second: what notes and resume buttons open."""
    return f"https://youtu.be/{video_id}" + (f"?t={seconds}" if seconds else "")


def embed_url(video_id: str, start: int | None = None) -> str:
    return f"https://www.youtube-nocookie.com/embed/{video_id}" + (
        f"?start={start}" if start else ""
    )


def thumbnail_url(video_id: str) -> str:
    return f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg"
