"""The catalog's background work (Django's Tasks framework; `manage.py run_worker`).

A task may run twice (a worker killed mid-task is retried), so each is idempotent.
"""

from django.tasks import task

from sessions import refresh
from sessions.models import Conference


@task()
def refresh_conference(conference_id: int) -> str:
    conference = Conference.objects.filter(pk=conference_id).first()
    if conference is None:
        return "the conference is gone"
    return "\n".join(refresh.refresh(conference).lines)
