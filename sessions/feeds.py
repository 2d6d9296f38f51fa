"""A conference's YouTube feeds: each new upload matched to its talk by title and attached
as the talk's recording (sessions.matching decides, sessions.writer writes), the rest
listed for staff to attach by hand or add as a new talk. A feed lists only the latest 15
uploads, so it is read on the conference's schedule (hourly while recent) by the worker,
through sessions.refresh like a conference's own source.
"""

import datetime

from django.db import transaction

from sessions import refresh, video
from sessions.catalog import CatalogError
from sessions.fetch import FetchError, fetch
from sessions.matching import match
from sessions.models import Conference, Feed, FeedVideo, Talk
from sessions.readers import youtube_feed
from sessions.readers.youtube_feed import read_feed
from sessions.writer import add_talk, attach_recording, talk_with_recording


def add(conference: Conference, url: str, check: bool = False) -> Feed:
    """A feed for the conference (once per address). With check, the address is read
    first and must be a YouTube feed (CatalogError says why not)."""
    title = ""
    if check:
        try:
            title = read_feed(fetch(url).body).title
        except FetchError as exc:
            raise CatalogError(None, f"{url}: {exc}") from exc
    return Feed.objects.get_or_create(conference=conference, url=url, defaults={"title": title})[0]


def refresh_feed(feed: Feed, now: datetime.datetime | None = None) -> refresh.Outcome:
    """Read the feed again and place its new uploads."""
    conference = feed.conference

    def apply(body: bytes) -> tuple[bool, list[str]]:
        parsed = read_feed(body)
        if parsed.title and parsed.title != feed.title:
            feed.title = parsed.title
            feed.save(update_fields=["title"])
        new, matched, unmatched = place(feed, parsed.videos)
        line = (
            f"{feed}: {new} new video{'s' * (new != 1)}, {matched} attached to talks, "
            f"{unmatched} for staff to place"
        )
        return bool(matched), [line]

    return refresh.read_again(conference, feed, feed.url, str(feed), apply, now)


@transaction.atomic
def place(feed: Feed, videos) -> tuple[int, int, int]:
    """Record the feed's uploads we have not seen, attach those that clearly are one of
    the conference's talks without a recording (the ones left before, too: the schedule
    may have gained their talk since); (new, attached, left for staff)."""
    known = {v.video_id: v for v in feed.videos.all()}
    new = [v for v in videos if v.video_id not in known]
    for v in new:
        known[v.video_id] = FeedVideo.objects.create(
            feed=feed, video_id=v.video_id, title=v.title, description=v.description,
            published=v.published, state=FeedVideo.State.UNMATCHED,
        )  # fmt: skip
    waiting = [fv for fv in known.values() if fv.state == FeedVideo.State.UNMATCHED]
    for fv in waiting:
        if talk_with_recording(video.Recording(video.YOUTUBE, fv.video_id)) is not None:
            fv.state = FeedVideo.State.KNOWN
            fv.save(update_fields=["state"])
    waiting = [fv for fv in waiting if fv.state == FeedVideo.State.UNMATCHED]
    conference = feed.conference
    talks = dict(conference.talks.filter(video_ref="").values_list("pk", "title"))
    noise = [conference.name, conference.slug]
    found = match({fv.video_id: fv.title for fv in waiting}, talks, noise)
    by_pk = Talk.objects.in_bulk(found.values())
    attached = 0
    for fv in waiting:
        if (pk := found.get(fv.video_id)) is not None:
            attach_recording(by_pk[pk], video.Recording(video.YOUTUBE, fv.video_id))
            fv.state, fv.talk = FeedVideo.State.MATCHED, by_pk[pk]
            fv.save(update_fields=["state", "talk"])
            attached += 1
    return len(new), attached, len(waiting) - attached


@transaction.atomic
def attach(upload: FeedVideo, talk: Talk) -> bool:
    """Staff's choice: this upload is that talk's recording."""
    if not attach_recording(talk, video.Recording(video.YOUTUBE, upload.video_id)):
        return False
    upload.state, upload.talk = FeedVideo.State.ATTACHED, talk
    upload.save(update_fields=["state", "talk"])
    return True


@transaction.atomic
def add_as_talk(upload: FeedVideo) -> Talk:
    """Staff's choice: this upload is a talk the schedule does not list."""
    seen = youtube_feed.FeedVideo(upload.video_id, upload.title, upload.published,
                                  upload.description)  # fmt: skip
    talk, _ = add_talk(youtube_feed.as_talk(seen, upload.video_id), upload.feed.conference)
    upload.state, upload.talk = FeedVideo.State.ADDED, talk
    upload.save(update_fields=["state", "talk"])
    return talk
