"""Build, once in gunicorn's master, what every worker would otherwise build on its
first requests: then a worker forked from it (at start, or when gunicorn recycles one)
answers its first request about as fast as its hundredth.

Imports every view module (through the URL resolver), compiles every template, draws the
signed-out catalog once so the per-process catalog caches (listings, cards, filter
choices) are filled, and compiles the session-and-person query (kept on each connection's
wrapper, which outlives the connection). Leaves no database connection (nor the kept
pages' store) open: a connection copied into every forked worker would be shared by all
of them. Then each worker, before it takes a request, answers one of its own
(first_request()), and when gunicorn retires it, it leaves without tearing down what it
inherited (leave()).
"""

import io
import logging
import os
import sys
import threading
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


def _let_go() -> None:
    """Close every database connection and the kept pages' files."""
    connections.close_all()
    for cache in caches.all(initialized_only=True):
        if hasattr(cache, "release"):  # the kept pages' files, opened again by each worker
            cache.release()


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
        _let_go()
    seconds = time.monotonic() - started
    logger.info("workers warmed in %.2f s", seconds)
    return seconds


def first_request(application) -> float:
    """In a new worker, before it accepts connections (gunicorn's post_worker_init): the
    signed-out catalog through the worker's own WSGI app. A forked worker's first request
    opened its database connection and the kept pages' file and copied every page of the
    master's memory it wrote to (reference counts): 8-13 ms against 0.3-0.8 for the next
    ones, paid by whoever asked first, several times a second under load with recycling.
    Now the other workers answer while it does. Seconds it took; failures are logged: the
    worker still serves."""
    started = time.monotonic()
    if not apps.is_installed("planner"):
        return 0.0
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": _host(),
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": _host(),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    answered = []
    try:
        body = application(environ, lambda status, headers, exc_info=None: answered.append(status))
        try:
            for _ in body:
                pass
        finally:
            if hasattr(body, "close"):
                body.close()  # request_finished: the connection kept or closed by its age
        if not answered or not answered[0].startswith("200"):
            logger.warning("a new worker's first request answered %s", answered)
    except Exception:
        logger.exception("a new worker's first request failed; it starts cold")
    return time.monotonic() - started


def leave() -> None:
    """In a worker on its way out (gunicorn's worker_exit, called while the worker's
    SystemExit is raised): close its connections and files, flush the logs, and end the
    process with that exit status, skipping the interpreter's teardown.

    The teardown frees every object one by one, and most of them are the master's, shared
    with it page by page since the fork: writing their reference counts copied ~36 MB
    (9,000 more page faults) and took 40-95 ms while the other worker answered alone, at
    each recycle (os._exit: 2-3 ms). Nothing of the planner's waits for the teardown:
    commits are durable when made, and the kept pages' store is files. Any other way out
    (not a SystemExit) is left to Python."""
    exiting = sys.exception()
    if not isinstance(exiting, SystemExit):
        return
    code = exiting.code
    if isinstance(code, str):  # sys.exit("why") prints its words and exits 1
        print(code, file=sys.stderr)
    status = 0 if code is None else code if isinstance(code, int) else 1
    try:
        for thread in threading.enumerate():  # as Python's own shutdown waits for them
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join()
        _let_go()
    except Exception:
        logger.exception("a retiring worker could not close everything")
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
