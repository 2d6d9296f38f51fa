"""Two tabs (or two workers) changing one queue at once never duplicate or lose a place."""

import threading

import pytest
from django.db import connection

from planner import queue
from planner.models import Entry
from sessions.models import Talk


@pytest.mark.django_db(transaction=True)
def test_concurrent_queue_changes_keep_positions_unique(alice, make_talks):
    talks = make_talks(24)
    for talk in talks[:8]:
        queue.track(alice, talk)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def tab(n: int) -> None:
        try:
            start.wait()
            mine = list(Talk.objects.filter(pk__in=[t.pk for t in talks[8 + n * 4 : 12 + n * 4]]))
            for i, talk in enumerate(mine):
                queue.track(alice, talk)
                entries = list(Entry.objects.for_user(alice).queued())
                queue.move(entries[-1], "top" if i % 2 else "up")
                queue.reorder(alice, [e.pk for e in reversed(entries[:5])])
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    positions = list(Entry.objects.for_user(alice).queued().values_list("position", flat=True))
    assert len(positions) == 24
    assert len(set(positions)) == 24
    assert all(p > 0 for p in positions)
