"""The background worker's own rules (`manage.py run_worker`, started by `make run`).

The worker runs the tasks queued in the database (django-tasks-db) and keeps a clock
that queues what is due (catalog refreshes). A worker killed mid-task leaves its task
marked running; the next worker to start puts such tasks back in the queue, so they run
again (every task is idempotent: sessions.tasks).
"""

import datetime
import logging
import os
import socket
import threading

from django.db import connections, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from planner import digests
from planner.models import Session
from sessions import details, refresh
from sessions.models import Feed

logger = logging.getLogger("planner.background")

# A task running this long on another machine's worker is taken to be lost with it.
STALE_AFTER = datetime.timedelta(hours=1)
KEEP_RESULTS = datetime.timedelta(days=14)


def worker_id() -> str:
    """host:pid, so a worker can tell whether a task's worker on this host still lives."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _lost(worker: str, started_at, now) -> bool:
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname()[:50] and pid.isdigit():
        return int(pid) != os.getpid() and not _alive(int(pid))
    return started_at is None or now - started_at > STALE_AFTER


def recover(now: datetime.datetime | None = None) -> int:
    """Queue again the tasks whose worker died while running them."""
    now = now or timezone.now()
    again = 0
    with transaction.atomic():
        for task in DBTaskResult.objects.running().select_for_update():
            last = task.worker_ids[-1] if task.worker_ids else ""
            if _lost(last, task.started_at, now):
                task.status, task.started_at = TaskResultStatus.READY, None
                task.save(update_fields=["status", "started_at"])
                logger.warning("Task %s (%s) was left running by %s: queued again",
                               task.id, task.task_path, last)  # fmt: skip
                again += 1
    return again


def tick(now: datetime.datetime | None = None) -> list:
    """The clock's one beat: queue the refreshes and digests that are due, forget old
    results and expired sessions."""
    now = now or timezone.now()
    queued = refresh.enqueue_due(now)
    for conference in details.enqueue_due(now):
        logger.info("Queued reading the talk pages of %s", conference.slug)
    for digest in digests.enqueue_due(now):
        logger.info("Queued digest %s to %s", digest.pk, digest.address)
    DBTaskResult.objects.finished().filter(finished_at__lt=now - KEEP_RESULTS).delete()
    Session.objects.filter(expire_date__lt=now).delete()  # signed in no longer, kept no longer
    for item in queued:
        if isinstance(item, Feed):
            logger.info("Queued a refresh of %s's feed %s", item.conference.slug, item)
        else:
            logger.info("Queued a refresh of %s", item.slug)
    return queued


class Clock(threading.Thread):
    """Beats every `seconds` beside the worker, on its own database connection."""

    def __init__(self, seconds: float) -> None:
        super().__init__(name="planner-clock", daemon=True)
        self.seconds = seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                tick()
            except Exception:  # a bad beat must not stop the clock
                logger.exception("The clock's beat failed")
            finally:
                connections.close_all()  # this thread's connections only
            self.stopped.wait(self.seconds)
