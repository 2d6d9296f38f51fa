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


def _recording(entry: dict, vid: str) -> video.Recording | None:
    """A YouTube entry by its id (flat playlists give ids, sometimes as the url too);
    any other site's entry by its url (a Vimeo showcase, a PeerTube channel)."""
    if entry.get("ie_key") in (None, "Youtube") and video.ID.match(vid):
        return video.Recording(video.YOUTUBE, vid)
    for name in ("webpage_url", "url"):
        if isinstance(entry.get(name), str) and (found := video.recording_from_url(entry[name])):
            return found
    return None


def read(data) -> ParsedCatalog:
    entries = need(data, "entries", list, "")
    title = one_line(data.get("title"), 200)
    if not title:
        raise CatalogError("title", "the playlist has no title")
    talks, skipped = [], []
    for where, entry in objects(entries, "entries"):
        name = one_line(entry.get("title"), 300)
        vid = str(entry.get("id") or "")
        recording = _recording(entry, vid)
        if recording is None:
            skipped.append(f"{where}: {name or vid!r} is not a video we can open")
            continue
        if name.lower() in GONE or entry.get("duration") is None:
            skipped.append(f"{where}: {vid} is deleted or private ({name or 'no title'})")
            continue
        talks.append(
            ParsedTalk(
                line=where,
                kind=kind_of("", name),
                title=name or vid,
                key=recording.reference[:200],
                verdict=paragraphs(entry.get("description")),
                recordings=[recording],
                duration_seconds=duration(entry.get("duration"), f"{where}.duration"),
                thumbnail_url=video.thumbnail_url(recording.provider, recording.reference),
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
