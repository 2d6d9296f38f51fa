"""One settings module, configured from the environment.

Defaults give a clone-and-run start: DEBUG on, SQLite under data/, emails
printed to the console. Production sets SECRET_KEY, DEBUG=false,
ALLOWED_HOSTS and usually DATABASE_URL (see README.md).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from planner import clientaddr
from sessions.video import IMG_SOURCES

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only-never-use-this-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Proxies (addresses or CIDRs) whose X-Forwarded-For names the real client; empty: none.
try:
    TRUSTED_PROXIES = clientaddr.parse_proxies(os.environ.get("TRUSTED_PROXIES", ""))
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from exc

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "taggit",
    "axes",
    "django_tasks_db",
    "sessions.apps.SessionsConfig",
    "planner.apps.PlannerConfig",
]
# Background work (catalog refreshes): Django's Tasks framework. The default keeps the
# queue in our own database and `manage.py run_worker` runs it; a bigger site names
# another backend of the same API here (TASKS_BACKEND), see README: Deployment.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Catalog imports from a URL refuse private and local addresses (sessions.fetch);
# tests and a trusted private network may allow them.
CATALOG_IMPORT_ALLOW_PRIVATE_URLS = envbool("CATALOG_IMPORT_ALLOW_PRIVATE_URLS", False)
# Video thumbnails come from the video hosts, who then see the reader's address. A site
# may turn them off for everyone (PLANNER_REMOTE_IMAGES=false); each person may too.
REMOTE_IMAGES = envbool("PLANNER_REMOTE_IMAGES", True)

# Benchmark and load-test tooling, only where it is used (never in a deployment).
if envbool("PLANNER_TOOLS", DEBUG):
    INSTALLED_APPS.append("benchmarks")

MIDDLEWARE = [
    *(
        ["benchmarks.middleware.QueryCountMiddleware"]
        if envbool("QUERY_COUNT_HEADER", False)
        else []
    ),
    "django.middleware.security.SecurityMiddleware",
    "planner.serving.middleware.OneRequest",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "planner.serving.middleware.PrivateResponsesMiddleware",
    # Last, so it sees every failed sign-in and answers 429 while locked out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "planner.urls"
WSGI_APPLICATION = "planner.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["planner.templatetags.planner_tags"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "planner.serving.context_processors.here",
                "planner.serving.context_processors.undo",
                "planner.serving.context_processors.images",
                "planner.serving.kept.marks",  # last: while a page is drawn to be kept
            ],
        },
    },
]

# SQLite by default. WAL lets readers carry on while one writer writes;
# IMMEDIATE takes the write lock when a transaction starts, so two gunicorn
# workers queue instead of failing with "database is locked" half-way through
# a transaction; planner.serving.sqlite makes them queue in turn (see its docstring).
# Files a staff member previewed, waiting for Import (planner.previews): outside the
# database and its backups. Shared by every app server, or previews need the same one.
IMPORT_PREVIEW_DIR = Path(os.environ.get("IMPORT_PREVIEW_DIR", BASE_DIR / "data" / "previews"))
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "data" / "planner.sqlite3"))
KEPT_PAGES_DIR = Path(os.environ.get("KEPT_PAGES_DIR", BASE_DIR / "data" / "kept"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=envint("CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The health check without a round trip while the server has said nothing.
        DATABASES["default"]["ENGINE"] = "planner.serving.postgresql"
    # The session query (every signed-in request's) prepared once per connection
    # (planner.serving.backends). Off behind a pooler in transaction mode, which hands
    # each transaction whichever server connection is free.
    PREPARED_SESSION_QUERY = envbool("DATABASE_PREPARED_STATEMENTS", True)
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "planner.serving.sqlite",
            "NAME": SQLITE_PATH,
            # Kept open between requests, as on PostgreSQL: opening the file and setting
            # the pragmas below on every request cost as much as serving a kept page.
            "CONN_MAX_AGE": envint("CONN_MAX_AGE", 60),
            # Tests use a file too, so they run with WAL and real locking, as production does.
            "TEST": {"NAME": SQLITE_PATH.with_name(f"test-{SQLITE_PATH.stem}.sqlite3")},
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

SESSION_ENGINE = "planner.serving.session_store"  # Django's database sessions, read with plain SQL

# Shared by every worker and every app server: rate limits must not live in
# one process's memory. `manage.py createcachetable` makes the table.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "planner_cache",
    },
    # Each process's own copy of catalog listings, keyed on the catalog's version
    # (sessions.listing): nothing in it can go stale, so it need not be shared.
    "catalog": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "catalog",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    # The public part of talk cards (planner.cards), also keyed on the catalog's version:
    # a few megabytes for the most visited pages of a big catalog.
    "cards": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cards",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 3000},
    },
    # Whole result lists as signed-out visitors see them (planner.views.catalog), ~35 KB
    # each: the most asked pages and searches of the current catalog version.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
    # Whole pages as drawn for one person (planner.serving.kept), keyed on their records' and the
    # catalog's tokens; 20-70 KB each. In files every worker shares (planner.serving.store).
    "kept": {
        "BACKEND": "planner.serving.store.KeptStore",
        "LOCATION": str(KEPT_PAGES_DIR),
        "TIMEOUT": 3 * 24 * 3600,  # what people saw is not kept on disk for longer
        "SHARDS": 4,
        "DATABASE_TIMEOUT": 0.1,  # a worker waiting longer on another's write draws instead
        # Pages in the SQLite files themselves, not one file each: a read is one query.
        "OPTIONS": {
            "size_limit": envint("KEPT_PAGES_MB", 256) * 2**20,
            "disk_min_file_size": 2**20,
            # diskcache maps 64 MB of each file into every worker and gives it a 32 MB page
            # cache by default: after a long walk a worker held 148 MB (68 of it mapped
            # files) and kept growing; with neither, 98 MB, flat, and as fast.
            "sqlite_mmap_size": 0,
            "sqlite_cache_size": 2**9,  # pages: 2 MB a file
        },
    },
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "planner.serving.backends.ProfileModelBackend",
]
# Five wrong passwords for one username from one address: locked for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address is planner.clientaddr's: X-Forwarded-For only from TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "planner.ratelimit.client_address"
# Password reset and sign-up requests allowed per client address per hour.
RESET_RATE_PER_HOUR = envint("RESET_RATE_PER_HOUR", 5)
SIGNUP_RATE_PER_HOUR = envint("SIGNUP_RATE_PER_HOUR", 20)
CONFIRM_RATE_PER_HOUR = envint("CONFIRM_RATE_PER_HOUR", 5)  # address confirmations sent
# Talks one person may add by their link in an hour (planner.views.found).
ADDED_TALKS_PER_HOUR = envint("ADDED_TALKS_PER_HOUR", 30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog"
LOGOUT_REDIRECT_URL = "catalog"

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names + gzip/brotli copies in production; plain files while
        # developing so a changed stylesheet needs no collectstatic.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "planner.serving.static.Storage",
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Where the site is, for links in what it sends without a request (emails; the Atom feed's
# links come from the request): the first allowed host unless said (`make run` says).
SITE_URL = (
    os.environ.get("SITE_URL")
    or (
        f"{'https' if envbool('HTTPS', True) else 'http'}://{ALLOWED_HOSTS[0]}"
        if ALLOWED_HOSTS and not DEBUG and ALLOWED_HOSTS[0] != "*"
        else "http://127.0.0.1:8000"
    )
).rstrip("/")

# Email: printed to the console unless an SMTP host is configured.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "planner@localhost")
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": envint("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", True),
                "timeout": envint("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

FORM_RENDERER = "planner.serving.renderers.FormRenderer"

# Security ---------------------------------------------------------------------
# Scripts only from our own origin or with this response's nonce; no inline
# code, no eval. htmx is configured (base.html) to need neither.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # Thumbnails from the video hosts sessions.video names (and nothing else).
    "img-src": [CSP.SELF, "data:", *IMG_SOURCES],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024  # a note is 20,000 characters; nothing needs more
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# HTTPS=false: served over plain HTTP on a home network (`make run`): no redirect to
# https://, no HSTS, and cookies a browser keeps over http:// (a Secure cookie is dropped
# there, and nobody could sign in from another machine). A deployment behind TLS keeps it on.
HTTPS = envbool("HTTPS", True)
if not DEBUG:
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    # Behind a TLS-terminating proxy: trust its X-Forwarded-Proto only when told to.
    if envbool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A loopback benchmark has no TLS in front of it: it may switch the redirect off.
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
    SECURE_HSTS_PRELOAD = HTTPS
