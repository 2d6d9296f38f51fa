"""Every outside format the catalog reads, and how to tell them apart.

Each reader turns its input into a sessions.catalog.ParsedCatalog and never
touches the database; sessions.writer applies it. read() picks the reader from
the content (or the `format` named), so a person can give any file or URL.
"""

import json
from pathlib import Path

from sessions import fetch
from sessions.catalog import CatalogError, ParsedCatalog
from sessions.readers import common, mediaccc, pyvideo, schedule, sessionize, ytdlp
from sessions.writeup import decode, parse_writeup

FORMATS = {
    "writeup": "Markdown writeup",
    "frab-xml": "frab / pretalx schedule.xml",
    "schedule-json": "frab / pretalx / c3voc schedule.json",
    "mediaccc": "media.ccc.de conference (API JSON)",
    "pyvideo": "pyvideo conference folder",
    "sessionize": "Sessionize All Data JSON",
    "ytdlp": "yt-dlp playlist JSON (yt-dlp -J --flat-playlist)",
}
JSON_FORMATS = {
    "schedule-json": schedule.read_json,
    "mediaccc": mediaccc.read,
    "sessionize": sessionize.read,
    "ytdlp": ytdlp.read,
}


def detect(data: bytes) -> str:
    """The format of a file from its first bytes and, for JSON, its top-level keys."""
    head = data[:2048].decode("utf-8-sig", errors="replace").lstrip()
    if head.startswith("<"):
        return "frab-xml"
    if head.startswith("---"):
        return "writeup"
    if head.startswith(("{", "[")):
        try:
            obj = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            obj = None
        if isinstance(obj, dict):
            if "schedule" in obj:
                return "schedule-json"
            if "events" in obj and ("acronym" in obj or "frontend_link" in str(obj)[:5000]):
                return "mediaccc"
            if "sessions" in obj and "speakers" in obj:
                return "sessionize"
            if obj.get("_type") == "playlist" or "entries" in obj:
                return "ytdlp"
            if "videos" in obj and "speakers" in obj:
                raise CatalogError(
                    None, "this is one pyvideo talk: give the conference folder instead"
                )
        common.load_json(data)  # says where JSON is broken, if it is
    raise CatalogError(
        None, "unknown format: expected a writeup, a frab/pretalx schedule, a media.ccc.de "
        "conference, a pyvideo folder, a Sessionize All Data file or a yt-dlp playlist",
    )  # fmt: skip


def read_bytes(data: bytes, format: str = "", title: str = "") -> ParsedCatalog:
    common.check_size(data)
    format = format or detect(data)
    if format == "writeup":
        parsed = parse_writeup(decode(data))
    elif format == "frab-xml":
        parsed = schedule.read_xml(data)
    elif format in JSON_FORMATS:
        parsed = JSON_FORMATS[format](common.load_json(data))
    elif format == "pyvideo":
        raise CatalogError(None, "a pyvideo conference is a folder, not one file")
    else:
        raise CatalogError(None, f"unknown format {format!r}: one of {', '.join(FORMATS)}")
    if title:
        parsed.title = common.one_line(title, 200)
    return parsed


def read_source(source: str, format: str = "", title: str = "") -> ParsedCatalog:
    """A file, a pyvideo folder or an http(s) URL (fetched by sessions.fetch)."""
    if source.startswith(("http://", "https://")):
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
