"""A YouTube channel or playlist feed (Atom, RFC 4287, with YouTube's own namespace):
https://www.youtube.com/feeds/videos.xml?playlist_id=… or ?channel_id=….

    <feed xmlns="http://www.w3.org/2005/Atom"
          xmlns:yt="http://www.youtube.com/xml/schemas/2015"
          xmlns:media="http://search.yahoo.com/mrss/">
      <yt:playlistId>…</yt:playlistId>  (or only <yt:channelId> for a channel)
      <title>the playlist's or channel's name</title>
      <entry>
        <yt:videoId>11 characters</yt:videoId>
        <title>the upload's title</title>
        <published>2022-11-29T18:10:31+00:00</published>
        <media:group><media:description>…</media:description></media:group>
      </entry> …  (newest first; the latest 15 uploads only)
    </feed>

read_feed() gives the videos (to match to a conference's talks: sessions.feeds);
read() makes a conference of them, for a feed imported on its own.
"""

import datetime
from dataclasses import dataclass

from sessions import video
from sessions.catalog import CatalogError, ParsedCatalog, ParsedTalk
from sessions.readers.common import kind_of, one_line, paragraphs, parse_xml

ATOM = "{http://www.w3.org/2005/Atom}"
YT = "{http://www.youtube.com/xml/schemas/2015}"
MEDIA = "{http://search.yahoo.com/mrss/}"
LATEST = 15  # what YouTube lists in a feed


@dataclass(frozen=True)
class FeedVideo:
    video_id: str
    title: str
    published: datetime.datetime | None
    description: str = ""


@dataclass(frozen=True)
class Feed:
    title: str
    videos: list[FeedVideo]


def is_feed(data: bytes) -> bool:
    head = data[:4096]
    return b"<feed" in head and b"www.youtube.com/xml/schemas/2015" in head


def _text(element, name: str) -> str:
    child = element.find(name)
    return (child.text or "").strip() if child is not None and child.text else ""


def _when(value: str) -> datetime.datetime | None:
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.UTC)


def read_feed(data: bytes) -> Feed:
    root = parse_xml(data)
    if root.tag != f"{ATOM}feed":
        raise CatalogError(1, f"expected a YouTube feed (Atom <feed>), found <{root.tag}>")
    videos, seen = [], set()
    for n, entry in enumerate(root.iter(f"{ATOM}entry"), start=1):
        video_id = _text(entry, f"{YT}videoId")
        title = one_line(_text(entry, f"{ATOM}title"), 300)
        if not video.ID.match(video_id) or not title or video_id in seen:
            continue  # not a video we could play, or said twice
        seen.add(video_id)
        group = entry.find(f"{MEDIA}group")
        description = _text(group, f"{MEDIA}description") if group is not None else ""
        videos.append(
            FeedVideo(video_id, title, _when(_text(entry, f"{ATOM}published")), description)
        )
        if n > 10 * LATEST:  # a feed is 15 entries; anything far longer is not one
            raise CatalogError(f"feed.entry[{n}]", "too many entries for a YouTube feed")
    return Feed(one_line(_text(root, f"{ATOM}title"), 200), videos)


def as_talk(upload: FeedVideo, line: str) -> ParsedTalk:
    """An upload as a talk of its own, its video the recording."""
    return ParsedTalk(
        line=line,
        kind=kind_of("", upload.title),
        title=upload.title,
        key=upload.video_id,
        verdict=paragraphs(upload.description)[:3],
        recordings=[video.Recording(video.YOUTUBE, upload.video_id)],
        held_on=upload.published.date() if upload.published else None,
    )


def read(data: bytes) -> ParsedCatalog:
    """A conference of the feed's videos (a feed imported on its own)."""
    feed = read_feed(data)
    if not feed.title:
        raise CatalogError("feed.title", "the feed has no title")
    if not feed.videos:
        raise CatalogError("feed", "no videos in this feed")
    # Oldest first, as a programme runs.
    talks = [as_talk(v, f"feed.entry[{n}]") for n, v in enumerate(reversed(feed.videos))]
    years = [v.published.year for v in feed.videos if v.published]
    return ParsedCatalog(
        title=feed.title,
        intro="",
        talks=talks,
        format="youtube-feed",
        year=min(years) if years else None,
    )
