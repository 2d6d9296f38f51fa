"""Where a talk's video lives: all we know of each video host, in one place.

A recording is a provider and a reference: the 11-character id on YouTube, the
number on Vimeo, the event slug on media.ccc.de, and the whole URL where a host
has no ids of its own (PeerTube instances, archive.org, a plain video file).
Each provider answers the same questions: how to recognise its links, the page
to open at a second, its thumbnail, and the Content Security Policy sources a
page that shows its images or embeds it must allow (pretalx's
agenda/recording.py does the same per recording provider).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlparse

from django.core.validators import RegexValidator

YOUTUBE, VIMEO, MEDIACCC, PEERTUBE, ARCHIVE, FILE = (
    "youtube",
    "vimeo",
    "mediaccc",
    "peertube",
    "archive",
    "file",
)
CHOICES = [
    (YOUTUBE, "YouTube"),
    (VIMEO, "Vimeo"),
    (MEDIACCC, "media.ccc.de"),
    (PEERTUBE, "PeerTube"),
    (ARCHIVE, "archive.org"),
    (FILE, "Video file"),
]
LABELS = dict(CHOICES)
PROVIDER = LABELS[YOUTUBE]  # the writeup's own links

ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
ID_VALIDATOR = RegexValidator(ID.pattern, "A YouTube video id is 11 letters, digits, - or _.")
VIMEO_ID = re.compile(r"^\d{1,12}$")
MEDIACCC_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$")
FILE_SUFFIXES = (".mp4", ".webm", ".m4v", ".ogv", ".mov", ".mkv")
PEERTUBE_PATH = re.compile(r"^/(w|videos/watch)/[A-Za-z0-9-]{6,}/?$")

# Images on cards and talk pages come from these hosts only; any other thumbnail
# a source names is dropped on import (the img-src policy lists the same hosts).
THUMBNAIL_HOSTS = ("i.ytimg.com", "static.media.ccc.de", "i.vimeocdn.com")
IMG_SOURCES = [f"https://{host}" for host in THUMBNAIL_HOSTS]

# For the embedded player: the privacy-enhanced host (and youtube.com, which its
# player frames load), the IFrame API's script. Only a page that embeds a video widens
# its policy by these (page_policy).
CSP_SOURCES = {
    "frame-src": ["https://www.youtube-nocookie.com", "https://www.youtube.com"],
    "script-src": ["https://www.youtube.com"],
}
PLAYABLE = (YOUTUBE, FILE)  # hosts the talk page plays in place


def page_policy(base: dict, provider: str, reference: str, *more_files: str) -> dict:
    """The Content-Security-Policy of a page that plays this recording (or one of the
    files `more_files`, the other languages of a file): the site's own, widened only by
    what that host needs."""
    extra: dict[str, list[str]] = {}
    if provider == YOUTUBE:
        extra = CSP_SOURCES
    elif provider == FILE:
        origins = (urlparse(url) for url in (reference, *more_files))
        extra = {"media-src": list(dict.fromkeys(f"{o.scheme}://{o.netloc}" for o in origins))}
    policy = {name: list(values) for name, values in base.items()}
    for name, values in extra.items():
        policy[name] = [*policy.get(name, []), *values]
    return policy


@dataclass(frozen=True)
class Recording:
    provider: str
    reference: str

    @property
    def label(self) -> str:
        return LABELS.get(self.provider, "Video")


# The two shapes nearly every link has, read without parsing the URL (a writeup of
# 10,000 talks spent 0.18 s parsing each link twice).
PLAIN_YOUTUBE = re.compile(
    r"^https://(?:youtu\.be/|(?:www\.)?youtube\.com/watch\?v=)(?P<id>[A-Za-z0-9_-]{11})$"
)


def id_from_url(url: str) -> str | None:
    """The 11-character id from a youtube.com/watch?v=, /embed/, /live/, /shorts/ or
    youtu.be/ link; None for anything else."""
    if plain := PLAIN_YOUTUBE.match(url):
        return plain["id"]
    return _youtube_id(urlparse(url))


def _youtube_id(parsed) -> str | None:
    host = (parsed.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    candidate = None
    if host == "youtu.be":
        candidate = parsed.path.lstrip("/").split("/")[0]
    elif host in ("youtube.com", "youtube-nocookie.com"):
        if parsed.path == "/watch":
            candidate = (parse_qs(parsed.query).get("v") or [""])[0]
        elif parsed.path.startswith(("/embed/", "/live/", "/shorts/", "/v/")):
            candidate = parsed.path.split("/")[2]
    if candidate and ID.match(candidate):
        return candidate
    return None


def recording_from_url(url: str) -> Recording | None:
    """The provider and reference of a video link, or None when it is not a video we
    know how to open (a slide deck, a conference home page)."""
    url = url.strip()
    if plain := PLAIN_YOUTUBE.match(url):
        return Recording(YOUTUBE, plain["id"])
    try:
        parsed = urlparse(url)
    except ValueError:
        return None
    if parsed.scheme not in ("http", "https") or not parsed.hostname or len(url) > 500:
        return None
    host = parsed.hostname.lower().removeprefix("www.")
    path = parsed.path
    if youtube_id := _youtube_id(parsed):
        return Recording(YOUTUBE, youtube_id)
    if host in ("vimeo.com", "player.vimeo.com"):
        number = path.rstrip("/").rsplit("/", 1)[-1]
        return Recording(VIMEO, number) if VIMEO_ID.match(number) else None
    if host == "media.ccc.de" and path.startswith("/v/"):
        slug = path[3:].strip("/")
        return Recording(MEDIACCC, slug) if MEDIACCC_SLUG.match(slug) else None
    if host == "archive.org" and path.startswith(("/details/", "/embed/")):
        return Recording(ARCHIVE, f"https://archive.org/details/{path.split('/')[2]}")
    if path.lower().endswith(FILE_SUFFIXES):
        return Recording(FILE, url.split("#")[0])
    if PEERTUBE_PATH.match(path):
        return Recording(PEERTUBE, f"https://{parsed.netloc}{path}")
    return None


YOUTUBE_FEED = "https://www.youtube.com/feeds/videos.xml"
PLAYLIST_ID = re.compile(r"^[A-Za-z0-9_-]{10,64}$")
CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")


def feed_url(url: str) -> str:
    """The feed of a YouTube playlist or channel link (a playlist page, a video in a
    playlist, /channel/UC…): what people copy from the address bar. Anything else as
    given (a feed address already, or not YouTube's)."""
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return url
    host = (parsed.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if host != "youtube.com" or parsed.path == "/feeds/videos.xml":
        return url
    playlist = (parse_qs(parsed.query).get("list") or [""])[0]
    if parsed.path in ("/playlist", "/watch") and PLAYLIST_ID.match(playlist):
        return f"{YOUTUBE_FEED}?{urlencode({'playlist_id': playlist})}"
    parts = parsed.path.strip("/").split("/")
    if len(parts) >= 2 and parts[0] == "channel" and CHANNEL_ID.match(parts[1]):
        return f"{YOUTUBE_FEED}?{urlencode({'channel_id': parts[1]})}"
    return url


START = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s?)?$")


def start_from_url(url: str) -> int | None:
    """The second a shared link starts at: YouTube's t=754 or t=12m34s (in the query or
    the fragment), media.ccc.de's and video files' #t=754; None when it names none."""
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return None
    for part in (parsed.query, parsed.fragment):
        for value in parse_qs(part).get("t", []) + parse_qs(part).get("start", []):
            match = START.match(value.strip().lower())
            if match and any(match.groupdict().values()):
                h, m, s = (int(match[k] or 0) for k in ("h", "m", "s"))
                seconds = h * 3600 + m * 60 + s
                if 0 < seconds < 48 * 3600:
                    return seconds
    return None


def link_at(provider: str, reference: str, seconds: int | None = None) -> str:
    """The page that plays the recording, at a second where the host lets a link say
    so: what notes, resume buttons and exports open."""
    t = seconds or 0
    if provider == YOUTUBE:
        return f"https://youtu.be/{reference}" + (f"?t={t}" if t else "")
    if provider == VIMEO:
        return f"https://vimeo.com/{reference}" + (f"#t={t}s" if t else "")
    if provider == MEDIACCC:
        return f"https://media.ccc.de/v/{reference}" + (f"#t={t}" if t else "")
    if provider == PEERTUBE:
        return reference + (f"?{urlencode({'start': f'{t}s'})}" if t else "")
    if provider == FILE:
        # W3C Media Fragments: browsers start a video file at #t=seconds.
        return reference + (f"#t={t}" if t else "")
    return reference  # archive.org pages take no start time in a link


def watch_url(provider: str, reference: str, seconds: int | None = None) -> str:
    """The video's own page (writeups link YouTube's watch?v= form)."""
    if provider == YOUTUBE:
        return f"https://www.youtube.com/watch?v={reference}" + (
            f"&t={seconds}s" if seconds else ""
        )
    return link_at(provider, reference, seconds)


def embed_url(video_id: str, start: int | None = None, origin: str = "") -> str:
    """The privacy-enhanced player, driven by the IFrame Player API (enablejsapi, and
    the page's origin, as the API reference asks)."""
    params = {"enablejsapi": 1, "playsinline": 1, "rel": 0}
    if start:
        params["start"] = start
    if origin:
        params["origin"] = origin.rstrip("/")
    return f"https://www.youtube-nocookie.com/embed/{video_id}?{urlencode(params)}"


def thumbnail_url(provider: str, reference: str) -> str:
    """The host's own thumbnail where it can be named from the reference alone."""
    if provider == YOUTUBE:
        return f"https://i.ytimg.com/vi/{reference}/hqdefault.jpg"
    return ""


def allowed_thumbnail(url: str) -> str:
    """url if it is an https image on a host the policy allows, else ""."""
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return ""
    if parsed.scheme == "http" and parsed.hostname in THUMBNAIL_HOSTS:
        parsed = parsed._replace(scheme="https")
    if parsed.scheme != "https" or parsed.hostname not in THUMBNAIL_HOSTS or len(url) > 500:
        return ""
    return parsed.geturl()
