"""The filters of the catalog and the queue: one rule for each, whichever list it narrows.

Public filters (words, kind, topic) narrow talks; personal ones (status, my tag,
minimum rating) are conditions on the person's record of a talk. The catalog asks
"talks whose record matches", the queue "records that match".
"""

from django.db.models import Exists, OuterRef, Q

from planner.models import Entry
from sessions.models import Talk

PERSONAL = ("status", "tag", "min_rating")
PUBLIC = ("q", "kind", "topic", "conference", "year", "track", "language", "video")


def public_key(data: dict) -> str:
    """The public filters as a cache key (the words as the search reads them)."""
    from sessions import search

    words = " ".join(search.words(data.get("q") or ""))
    return "|".join([words, *(str(data.get(name) or "") for name in PUBLIC[1:])])


def public(talks, data: dict):
    """Talks with the words, of the kind and on the topic asked for."""
    if data.get("q"):
        talks = talks.search(data["q"])
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
    """The same answer for everyone (so it may be cached for everyone)."""
    return not any(data.get(name) for name in PERSONAL)


def talks(rows, data: dict, user):
    """The catalog: talks matching the filters, for this person's personal ones."""
    rows = public(rows, data)
    if not user.is_authenticated or is_public(data):
        return rows
    mine = Entry.objects.filter(user=user, talk=OuterRef("pk"))
    if data.get("status") == "untracked":
        rows = rows.exclude(Exists(mine.exclude(status="")))
    condition = personal(data)
    return rows.filter(Exists(mine.filter(condition))) if condition else rows


def entries(rows, data: dict):
    """The queue: records matching the filters."""
    if any(data.get(name) for name in PUBLIC):
        rows = rows.filter(talk__in=public(Talk.objects.all(), data))
    return rows.filter(personal(data))
