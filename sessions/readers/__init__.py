"""Every outside format the catalog reads, and how to tell them apart.

Each reader turns its input into a sessions.catalog.ParsedCatalog and never
touches the database; sessions.writer applies it. read() picks the reader from
the content (or the `format` named), so a person can give any file or URL.
"""

import re
from pathlib import Path

from sessions import bulk, fetch
from sessions.catalog import CatalogError, ParsedCatalog
from sessions.readers import (
    common,
    mediaccc,
    pyvideo,
    schedule,
    sessionize,
    youtube_feed,
    ytdlp,
)
from sessions.writeup import decode, parse_writeup

FORMATS = {
    "writeup": "Markdown writeup",
    "frab-xml": "frab / pretalx schedule.xml",
    "schedule-json": "frab / pretalx / c3voc schedule.json",
    "mediaccc": "media.ccc.de conference (API JSON)",
    "pyvideo": "pyvideo conference folder",
    "sessionize": "Sessionize All Data JSON",
    "ytdlp": "yt-dlp playlist JSON (yt-dlp -J --flat-playlist)",
    "youtube-feed": "YouTube channel or playlist feed (videos.xml)",
}
JSON_FORMATS = {
    "schedule-json": schedule.read_json,
    "mediaccc": mediaccc.read,
    "sessionize": sessionize.read,
    "ytdlp": ytdlp.read,
}


UNKNOWN = (
    "unknown format: expected a writeup, a frab/pretalx schedule, a media.ccc.de "
    "conference, a pyvideo folder, a Sessionize All Data file, a yt-dlp playlist or a "
    "YouTube feed"
)


def _kind_of_text(data: bytes) -> str:
    """ "xml", "writeup", "json" or "" from the first bytes."""
    head = data[:2048].decode("utf-8-sig", errors="replace").lstrip()
    if head.startswith("<"):
        return "xml"
    if head.startswith("---"):
        return "writeup"
    return "json" if head.startswith(("{", "[")) else ""


def _json_format(obj) -> str:
    """The JSON format from its top-level keys (a 20 MB file is parsed once, by the caller)."""
    if isinstance(obj, dict):
        if "schedule" in obj:
            return "schedule-json"
        events = obj.get("events")
        first = events[0] if isinstance(events, list) and events else None
        if events is not None and (
            "acronym" in obj or (isinstance(first, dict) and "frontend_link" in first)
        ):
            return "mediaccc"
        if "sessions" in obj and "speakers" in obj:
            return "sessionize"
        if obj.get("_type") == "playlist" or "entries" in obj:
            return "ytdlp"
        if "videos" in obj and "speakers" in obj:
            raise CatalogError(None, "this is one pyvideo talk: give the conference folder instead")
    raise CatalogError(None, UNKNOWN)


def detect(data: bytes) -> str:
    """The format of a file from its first bytes and, for JSON, its top-level keys."""
    kind = _kind_of_text(data)
    if kind == "xml":
        return "youtube-feed" if youtube_feed.is_feed(data) else "frab-xml"
    if kind == "writeup":
        return "writeup"
    if kind == "json":
        return _json_format(common.load_json(data))  # also says where JSON is broken
    raise CatalogError(None, UNKNOWN)


@bulk.no_cycle_collection()
def read_bytes(data: bytes, format: str = "", title: str = "") -> ParsedCatalog:
    common.check_size(data)
    if format == "pyvideo":
        raise CatalogError(None, "a pyvideo conference is a folder, not one file")
    if format and format not in FORMATS:
        raise CatalogError(None, f"unknown format {format!r}: one of {', '.join(FORMATS)}")
    if format in JSON_FORMATS or (not format and _kind_of_text(data) == "json"):
        obj = common.load_json(data)
        parsed = JSON_FORMATS[format or _json_format(obj)](obj)
    elif (format := format or detect(data)) == "writeup":
        parsed = parse_writeup(decode(data))
    elif format == "youtube-feed":
        parsed = youtube_feed.read(data)
    else:
        parsed = schedule.read_xml(data)
    if title:
        parsed.title = common.one_line(title, 200)
    return parsed


def read_source(source: str, format: str = "", title: str = "") -> ParsedCatalog:
    """A file, a pyvideo folder or an http(s) URL (fetched by sessions.fetch)."""
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*)://", source)
    if scheme and scheme[1].lower() not in ("http", "https"):
        # Not a path either: file://, ftp://... are never opened, whatever follows.
        raise CatalogError(None, f"{source}: only http and https addresses can be imported")
    if source.lower().startswith(("http://", "https://")):
        try:
            data = fetch.fetch(source).body
        except fetch.FetchError as exc:
            raise CatalogError(None, f"{source}: {exc}") from exc
        return read_bytes(data, format, title)
    path = Path(source)
    if path.is_dir():
        if format not in ("", "pyvideo"):
            raise CatalogError(None, f"{source} is a folder: only pyvideo folders are read")
        parsed = pyvideo.read_folder(path)
        if title:
            parsed.title = common.one_line(title, 200)
        return parsed
    try:
        if path.stat().st_size > common.MAX_BYTES:  # not read into memory at all
            raise CatalogError(None, f"the file is larger than {common.MAX_BYTES >> 20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(None, f"cannot read the file ({exc.strerror})") from exc
    return read_bytes(data, format, title)
