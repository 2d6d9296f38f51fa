"""Gunicorn settings, read by `gunicorn --config gunicorn.conf.py planner.wsgi`.

Every value can be overridden from the environment so one file serves
`make run`, production and the benchmark.
"""

import gc
import os

from gunicorn.glogging import Logger

from planner import clientaddr

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The proxy in front terminates TLS; trust its X-Forwarded-Proto only from these. (This
# governs the scheme alone: the client's address comes from TRUSTED_PROXIES, below.)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

_TRUSTED_PROXIES = clientaddr.parse_proxies(os.environ.get("TRUSTED_PROXIES", ""))


class ClientAddressLogger(Logger):
    """The access log's %(h)s is the client by the app's own rule (planner.clientaddr)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = clientaddr.client_address(environ, _TRUSTED_PROXIES) or "-"
        return atoms


logger_class = ClientAddressLogger

# Load the app once in the master and warm it (planner.serving.warm), then fork: a new or
# recycled worker starts with the views imported, the templates compiled and the
# catalog's caches filled. GUNICORN_PRELOAD=false loads the app in each worker instead.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")


def on_starting(server):
    # After the app is loaded and before the port opens: nobody waits on the warming.
    if preload_app:
        from planner.serving.warm import warm

        warm()
        # Everything the master built is moved out of the collector's sight: a forked
        # worker's first full collection would otherwise walk (and so copy, page by page)
        # the whole inherited heap while requests wait on it.
        gc.collect()
        gc.freeze()


def pre_fork(server, worker):
    # Whatever the master opened is closed before a worker is forked: a database
    # connection copied into two processes would be used by both at once.
    if preload_app:
        from django.db import connections

        connections.close_all()


def post_worker_init(worker):
    # The worker's first request answered by itself before it accepts any: see
    # planner.serving.warm.first_request().
    if preload_app:
        from planner.serving.warm import first_request

        first_request(worker.wsgi)


def worker_exit(server, worker):
    # A retiring worker ends without freeing, one by one, the objects it shares with the
    # master: see planner.serving.warm.leave().
    from planner.serving.warm import leave

    leave()
