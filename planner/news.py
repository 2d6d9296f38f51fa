"""New for you: a talk a person queued, or asked about ("Tell me when it's out"), became
watchable. The rows are written in the transaction that brought the recording (the
catalog's writer sends sessions.signals.recordings_arrived inside it), so a recording
never arrives without its news; Profile.news_unseen keeps the header's count without a
query of its own (it is loaded with the person)."""

import datetime

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from planner.models import Entry, News, Profile, Waiting
from sessions.models import Talk

WAITING_FOR = (Entry.Status.QUEUED,)  # a talk in the queue is waited for by default


def arrived(sender=None, *, talk_ids: list[int], **kwargs) -> None:
    """The talks `talk_ids` have a recording now: news for whoever waits for them."""
    waiting = set(Waiting.objects.filter(talk__in=talk_ids).values_list("user", "talk"))
    queued = Entry.objects.filter(talk__in=talk_ids, status__in=WAITING_FOR)
    waiting |= set(queued.values_list("user", "talk"))
    if not waiting:
        return
    News.objects.bulk_create(
        [News(user_id=user, talk_id=talk) for user, talk in sorted(waiting)],
        ignore_conflicts=True,
    )
    Waiting.objects.filter(talk__in=talk_ids).delete()  # told: nothing left to wait for
    recount({user for user, _ in waiting})


def recount(users: set[int]) -> None:
    """Each person's unseen count from their rows (one statement; profiles made if new)."""
    Profile.objects.bulk_create([Profile(user_id=u) for u in users], ignore_conflicts=True)
    unseen = (
        News.objects.filter(user=OuterRef("user"), seen_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Profile.objects.filter(user__in=users).update(news_unseen=Coalesce(Subquery(unseen), Value(0)))


def wait(user, talk: Talk, on: bool) -> None:
    """“Tell me when it's out” (or not): only for a talk without a recording."""
    if not on:
        Waiting.objects.filter(user=user, talk=talk).delete()
    elif not talk.video_ref:
        Waiting.objects.get_or_create(user=user, talk=talk)


def waits(user, talk: Talk) -> bool:
    return Waiting.objects.filter(user=user, talk=talk).exists()


def waiting_among(user, talk_ids: list[int]) -> set[int]:
    """Which of these talks the person waits for (no query when there are none)."""
    if not talk_ids:
        return set()
    return set(Waiting.objects.filter(user=user, talk__in=talk_ids).values_list("talk", flat=True))


@transaction.atomic
def seen(user) -> int:
    """Everything new for the person is seen; how many were new."""
    count = News.objects.filter(user=user, seen_at__isnull=True).update(seen_at=timezone.now())
    Profile.objects.filter(user=user).update(news_unseen=0)
    return count


def unseen(user):
    """The person's news not seen yet, newest first, their talks with them."""
    rows = News.objects.filter(user=user, seen_at__isnull=True)
    return rows.select_related("talk__conference").order_by("-created_at", "-pk")


def latest(user, days: int = 60):
    """The person's news of the last `days`, newest first, their talks with them."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        News.objects.filter(user=user, created_at__gte=since)
        .select_related("talk__conference")
        .order_by("seen_at", "-created_at", "pk")
    )
