"""The catalog's background work (Django's Tasks framework; `manage.py run_worker`).

A task may run twice (a worker killed mid-task is retried), so each is idempotent.
"""

from django.tasks import task

from sessions import refresh
from sessions.models import Conference, Feed


@task()
def refresh_conference(conference_id: int) -> str:
    conference = Conference.objects.filter(pk=conference_id).first()
    if conference is None:
        return "the conference is gone"
    return "\n".join(refresh.refresh(conference).lines)


@task()
def refresh_feed(feed_id: int) -> str:
    from sessions import feeds

    feed = Feed.objects.filter(pk=feed_id).select_related("conference").first()
    if feed is None:
        return "the feed is gone"
    return "\n".join(feeds.refresh_feed(feed).lines)


@task()
def read_details(conference_id: int) -> str:
    from sessions import details

    conference = Conference.objects.filter(pk=conference_id).first()
    if conference is None:
        return "the conference is gone"
    return "\n".join(details.read_due(conference)) or "nothing was due"
