"""Build, once in gunicorn's master, what every worker would otherwise build on its
first requests: then a worker forked from it (at start, or when gunicorn recycles one)
answers its first request about as fast as its hundredth.

Imports every view module (through the URL resolver), compiles every template, draws the
signed-out catalog once so the per-process catalog caches (listings, cards, filter
choices) are filled, and compiles the session-and-person query (kept on each connection's
wrapper, which outlives the connection). Leaves no database connection (nor the kept
pages' store) open: a connection copied into every forked worker would be shared by all
of them.
"""

import logging
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.template import engines
from django.test import Client
from django.urls import get_resolver

logger = logging.getLogger(__name__)


def _templates() -> list[str]:
    names = []
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(folder.rglob("*.html")):
            names.append(str(path.relative_to(folder)))
    return names


def _host() -> str:
    """A host the site answers to (the catalog is drawn through the whole stack)."""
    for host in settings.ALLOWED_HOSTS:
        if host != "*" and not host.startswith("."):
            return host
    return "localhost"


def warm() -> float:
    """Seconds it took. Failures are logged, never raised: a cold worker still works.
    Nothing for another app served by the same gunicorn.conf.py (the benchmark's bare
    view has no planner, no templates and no database)."""
    started = time.monotonic()
    if not apps.is_installed("planner"):
        return 0.0
    from planner.serving import backends  # its models need the planner's settings

    try:
        resolver = get_resolver()
        resolver.reverse_dict  # noqa: B018 (populates the resolver: imports every view)
        engine = engines["django"]
        for name in _templates():
            engine.get_template(name)
        response = Client(HTTP_HOST=_host()).get("/", secure=True)
        if response.status_code != 200:
            logger.warning("warming: the catalog answered %s", response.status_code)
        for alias in connections:
            backends.session_query(alias)
    except Exception:
        logger.exception("warming the workers failed; they start cold")
    finally:
        connections.close_all()
        for cache in caches.all(initialized_only=True):
            if hasattr(cache, "release"):  # the kept pages' files, opened again by each worker
                cache.release()
    seconds = time.monotonic() - started
    logger.info("workers warmed in %.2f s", seconds)
    return seconds
