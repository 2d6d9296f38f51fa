"""What a video host says about one video, for a talk a person adds by its link.

Asks only where the host answers without a key: oEmbed for YouTube, Vimeo and PeerTube
(the instance the link names), the public API for media.ccc.de. Every request goes
through sessions.fetch (its deadline, size cap and private-address rules). The answer is
read into the catalog's plain shape (a ParsedTalk) and never touches the database; the
writer adds it. When the host does not answer, LookupFailed says why and the person
types the title instead.
"""

import hashlib
import logging
from urllib.parse import quote, urlencode, urlparse

from django.conf import settings

from sessions import fetch, video
from sessions.catalog import CatalogError, ParsedTalk
from sessions.readers import common

# Where each host answers; settings.VIDEO_LOOKUP_ENDPOINTS replaces any of them (a local
# stand-in in tests). PeerTube's is on the instance the link names.
ENDPOINTS = {
    video.YOUTUBE: "https://www.youtube.com/oembed",
    video.VIMEO: "https://vimeo.com/api/oembed.json",
    video.MEDIACCC: "https://api.media.ccc.de/public/events/",
    video.PEERTUBE: "https://{host}/services/oembed",
}
logger = logging.getLogger(__name__)
LOOKUP_BYTES = 512 * 1024  # an oEmbed answer is a few hundred bytes
LOOKUP_DEADLINE = 8.0  # a person is waiting on the page


class LookupFailed(Exception):
    """The host could not tell us; the message says why, for the person."""


def key_for(recording: video.Recording) -> str:
    """The talk's key in its conference: the recording, in at most 200 characters."""
    key = f"{recording.provider}:{recording.reference}"
    if len(key) <= 200:
        return key
    return f"{recording.provider}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def request_url(recording: video.Recording) -> str | None:
    """The address that describes this video, or None where the host has none."""
    endpoints = {**ENDPOINTS, **getattr(settings, "VIDEO_LOOKUP_ENDPOINTS", {})}
    provider, reference = recording.provider, recording.reference
    if provider == video.MEDIACCC:
        return endpoints[provider] + quote(reference, safe="")
    if provider in (video.YOUTUBE, video.VIMEO):
        page = video.watch_url(provider, reference)
        return f"{endpoints[provider]}?{urlencode({'url': page, 'format': 'json'})}"
    if provider == video.PEERTUBE:
        base = endpoints[provider].format(host=urlparse(reference).netloc)
        return f"{base}?{urlencode({'url': reference, 'format': 'json'})}"
    return None


def blank(recording: video.Recording) -> ParsedTalk:
    """The talk as far as the link alone tells: no title yet."""
    return ParsedTalk(
        line="link",
        kind="talk",
        title="",
        key=key_for(recording),
        recordings=[recording],
        thumbnail_url=video.thumbnail_url(recording.provider, recording.reference),
    )


def read(recording: video.Recording, data: bytes) -> ParsedTalk:
    """The host's answer as a talk (title, speaker or channel, length, picture)."""
    try:
        obj = common.load_json(data, "the answer")
    except CatalogError as exc:
        raise LookupFailed(f"{recording.label} sent something we could not read") from exc
    if not isinstance(obj, dict):
        raise LookupFailed(f"{recording.label} sent something we could not read")
    talk = blank(recording)
    if recording.provider == video.MEDIACCC:
        talk.title = common.one_line(common.text(obj, "title"), 300)
        talk.speaker_name = common.one_line(common.speakers(obj.get("persons") or []), 200)
        talk.verdict = common.paragraphs(obj.get("description"))
        seconds = obj.get("duration")
        thumbnail = common.text(obj, "thumb_url")
    else:
        talk.title = common.one_line(common.text(obj, "title"), 300)
        talk.speaker_name = common.one_line(common.text(obj, "author_name"), 200)
        seconds = obj.get("duration")  # Vimeo gives it; YouTube's oEmbed does not
        thumbnail = common.text(obj, "thumbnail_url")
    if isinstance(seconds, int) and not isinstance(seconds, bool) and 0 < seconds < 48 * 3600:
        talk.duration_seconds = seconds
    talk.thumbnail_url = video.allowed_thumbnail(thumbnail) or talk.thumbnail_url
    if not talk.title:
        raise LookupFailed(f"{recording.label} did not give this video's title")
    return talk


def lookup(recording: video.Recording) -> ParsedTalk:
    """Ask the host about the video; LookupFailed when it cannot be asked or does not say."""
    url = request_url(recording)
    if url is None:
        raise LookupFailed(f"{recording.label} has no way to ask for a video's title")
    try:
        answer = fetch.fetch(url, max_bytes=LOOKUP_BYTES, deadline=LOOKUP_DEADLINE)
    except fetch.FetchError as exc:
        # The person needs to know only that it did not work; the reason is for the log.
        logger.info("lookup of %s failed: %s", url, exc)
        raise LookupFailed(f"{recording.label} did not answer, so we don't know its title") from exc
    return read(recording, answer.body)
