"""A YouTube playlist as yt-dlp prints it: `yt-dlp -J --flat-playlist URL`.

    {"_type": "playlist", "id": "PL...", "title": "...", "entries": [
      {"_type": "url", "ie_key": "Youtube", "id": "11charsid", "url": "...",
       "title": "...", "duration": 2712.0, "thumbnails": [...]}]}

Deleted and private videos stay in a playlist as entries with a placeholder title
and no duration: they are skipped and reported.
"""

from sessions import video
from sessions.catalog import CatalogError, ParsedCatalog, ParsedTalk
from sessions.readers.common import duration, kind_of, need, objects, one_line, paragraphs, year_of

GONE = ("[deleted video]", "[private video]", "[unavailable video]")


def read(data) -> ParsedCatalog:
    entries = need(data, "entries", list, "")
    title = one_line(data.get("title"), 200)
    if not title:
        raise CatalogError("title", "the playlist has no title")
    talks, skipped = [], []
    for where, entry in objects(entries, "entries"):
        name = one_line(entry.get("title"), 300)
        vid = entry.get("id") if isinstance(entry.get("id"), str) else ""
        if not video.ID.match(vid or ""):
            skipped.append(f"{where}: {name or vid!r} is not a YouTube video")
            continue
        if name.lower() in GONE or entry.get("duration") is None:
            skipped.append(f"{where}: {vid} is deleted or private ({name or 'no title'})")
            continue
        talks.append(
            ParsedTalk(
                line=where,
                kind=kind_of("", name),
                title=name or vid,
                key=vid,
                verdict=paragraphs(entry.get("description")),
                recordings=[video.Recording(video.YOUTUBE, vid)],
                duration_seconds=duration(entry.get("duration"), f"{where}.duration"),
                thumbnail_url=video.thumbnail_url(video.YOUTUBE, vid),
            )
        )  # fmt: skip
    if not talks:
        raise CatalogError("entries", "no videos found in this playlist")
    return ParsedCatalog(
        title=title,
        intro="\n\n".join(paragraphs(data.get("description"))),
        talks=talks,
        format="ytdlp",
        slug=f"youtube-{data['id']}" if isinstance(data.get("id"), str) else "",
        year=year_of(title),
        skipped=skipped,
    )
