"""Where kept pages are stored: files shared by every worker on this machine.

Each worker kept its own pages in memory before: a person's next request, answered by
any of the workers, found their page kept only in the one that drew it, and a worker
gunicorn recycles (every ~2,000 requests) started with none. diskcache keeps them in a
few SQLite files with the larger values beside them, read in about 0.1 ms; the
operating system's page cache holds what is read often. A page is found by its key
alone (planner.serving.kept), which names the tokens of everything it shows and the
server's generation, so the store can be emptied, or lost, at any time.
"""

from diskcache import DjangoCache


class KeptStore(DjangoCache):
    """diskcache's Django cache, with its files left open between requests (Django
    closes every cache after each one; opening them again cost more than the read)."""

    def close(self, **kwargs) -> None:
        pass

    def release(self) -> None:
        """Close the files: before gunicorn forks workers from the process that warmed."""
        self._cache.close()
