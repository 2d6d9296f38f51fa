"""The planner's background work (Django's Tasks framework; `manage.py run_worker`).

A task may run twice (a worker killed mid-task is retried): each is idempotent, or at
worst repeats one email (planner.digests).
"""

from django.tasks import task

from planner import digests


@task()
def send_digest(digest_id: int) -> str:
    return digests.send(digest_id)
