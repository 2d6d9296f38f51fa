"""The filters of the catalog and the queue: one rule for each, whichever list it narrows.

Public filters (words, kind, topic) narrow talks; personal ones (status, my tag,
minimum rating) are conditions on the person's record of a talk. The catalog asks
"talks whose record matches", the queue "records that match".
"""

from django.db.models import Count, Exists, F, OuterRef, Q

from planner.lengths import LENGTH_MINUTES, catalog_seconds
from planner.models import Entry
from sessions.models import Talk, Transcript
from sessions.search import InList

PERSONAL = ("status", "tag", "min_rating")
PUBLIC = (
    "q", "kind", "topic", "conference", "year", "track", "language", "video", "transcript",
    "length",
)  # fmt: skip
# Orders that follow what people do here, not the catalog: never kept with its version.
BY_PEOPLE = ("watched", "queued")


def public_key(data: dict, speed: int) -> str:
    """The public filters and order as a cache key (the words as the search reads them;
    the speed, which lengths are measured at)."""
    from sessions import search

    words = " ".join(search.words(data.get("q") or ""))
    named = (str(data.get(name) or "") for name in (*PUBLIC[1:], "sort"))
    return "|".join([words, *named, str(speed) if data.get("length") else ""])


def words_only(data: dict) -> bool:
    """Whether the words are the only filter (public or personal) asked for."""
    return bool(data.get("q")) and not any(data.get(name) for name in (*PUBLIC[1:], *PERSONAL))


def ordered(talks, sort: str):
    """The catalog in the order asked for: the source's (""), newest first, shortest
    first, or most watched / most queued by the people here."""
    if sort == "date":
        return talks.order_by(F("held_on").desc(nulls_last=True), "-conference_id", "position")
    if sort == "length":
        talks = talks.alias(seconds=catalog_seconds())
        return talks.order_by("seconds", "-conference_id", "position")
    if sort in BY_PEOPLE:
        statuses = [Entry.Status.WATCHED] if sort == "watched" else list(Entry.QUEUE_STATUSES)
        people = Count("entries", filter=Q(entries__status__in=statuses))
        return talks.alias(people=people).order_by("-people", "-conference_id", "position")
    return talks


def public(talks, data: dict, speed: int = 150, topics=(), said: bool = False):
    """Talks with the words (or on the `topics` they name; with `said`, talks whose
    transcripts say them instead), of the kind, on the topic and of the length asked
    for (a length in minutes at the person's `speed`)."""
    if data.get("q"):
        talks = talks.said(data["q"]) if said else talks.search(data["q"], topics)
    if data.get("kind"):
        talks = talks.filter(kind=data["kind"])
    if data.get("topic"):
        talks = talks.on_topic(data["topic"])
    if data.get("conference"):
        talks = talks.filter(conference__slug=data["conference"])
    if data.get("year"):
        talks = talks.filter(conference__year=data["year"])
    if data.get("track"):
        talks = talks.filter(track=data["track"])
    if data.get("language"):
        talks = talks.filter(language=data["language"])
    if data.get("video") == "yes":
        talks = talks.exclude(video_ref="")
    elif data.get("video") == "no":
        talks = talks.filter(video_ref="")
    if data.get("transcript"):
        talks = talks.filter(InList(Transcript.objects.values("talk"), always=False))
    if data.get("length"):
        low, high = LENGTH_MINUTES[data["length"]]
        talks = talks.alias(seconds=catalog_seconds())
        if low is not None:  # minutes at speed, as seconds of video
            talks = talks.filter(seconds__gte=low * 60 * speed // 100)
        if high is not None:
            talks = talks.filter(seconds__lt=high * 60 * speed // 100)
    return talks


def personal(data: dict) -> Q:
    """Conditions on a person's record: status (or "planned": in the queue), tag, rating.
    "untracked" (no record with a status) is the catalog's own: see talks()."""
    condition = Q()
    status = data.get("status")
    if status == "planned":
        condition &= Q(status__in=Entry.QUEUE_STATUSES)
    elif status and status != "untracked":
        condition &= Q(status=status)
    if data.get("tag"):
        condition &= Q(tags__name=data["tag"])
    if data.get("min_rating"):
        condition &= Q(rating__gte=data["min_rating"])
    return condition


def is_public(data: dict) -> bool:
    """The same answer for everyone who asks at this catalog version (so it may be kept
    under that version)."""
    return not any(data.get(name) for name in PERSONAL) and data.get("sort") not in BY_PEOPLE


def talks(rows, data: dict, user, speed: int = 150, topics=(), said: bool = False):
    """The catalog: talks matching the filters, for this person's personal ones, in the
    order asked for (with `said`, the words are looked for in transcripts)."""
    rows = ordered(public(rows, data, speed, topics, said), data.get("sort") or "")
    if not user.is_authenticated or not any(data.get(name) for name in PERSONAL):
        return rows
    mine = Entry.objects.filter(user=user, talk=OuterRef("pk"))
    if data.get("status") == "untracked":
        rows = rows.exclude(Exists(mine.exclude(status="")))
    condition = personal(data)
    return rows.filter(Exists(mine.filter(condition))) if condition else rows


def entries(rows, data: dict, speed: int = 150, topics=()):
    """The queue: records matching the filters."""
    if any(data.get(name) for name in PUBLIC):
        rows = rows.filter(talk__in=public(Talk.objects.all(), data, speed, topics))
    return rows.filter(personal(data))
