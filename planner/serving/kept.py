"""Whole pages kept in each process's memory until something they show changes.

A page (the signed-in catalog, a talk, the queue, the diary, a shared list) is drawn
from the catalog and from one person's records, and each of those carries a token that
changes with every write: the catalog's (sessions.listing) and the person's PageToken,
which the database triggers below set on every insert, update and delete of their
profile, entries, viewings, tags, notes, lists and plan, whichever code path writes.
Asked again with the same tokens, address and htmx headers, a page is the same page, so
it comes from memory: a warm talk page or queue costs the queries that load the session
and the person (the token comes in the same row) plus the catalog's token.

What must differ per response is drawn as a mark and filled in on the way out: the CSRF
token and the CSP nonce. A page with a message or an Undo to show, or whose drawing
touched the session or set a cookie, is answered as drawn and not kept.

On PostgreSQL the triggers run at commit (deferred): a transaction takes the person's
token row last, so two of their transactions can't each hold a row the other waits for.
"""

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from sessions import listing

TOKEN_TABLE = "planner_pagetoken"
ENTRY_OWNER = "(SELECT user_id FROM planner_entry WHERE id = {row}.{column})"
# Each table that holds a person's records, and how a row names its person.
OWNERS = {
    "planner_profile": "{row}.user_id",
    "planner_entry": "{row}.user_id",
    "planner_viewingplan": "{row}.user_id",
    "planner_recommendedlist": "{row}.user_id",
    "planner_viewing": ENTRY_OWNER.replace("{column}", "entry_id"),
    "planner_noterevision": ENTRY_OWNER.replace("{column}", "entry_id"),
    "planner_entrytag": ENTRY_OWNER.replace("{column}", "content_object_id"),
    "planner_listitem": (
        "(SELECT user_id FROM planner_recommendedlist WHERE id = {row}.recommended_list_id)"
    ),
    "planner_waiting": "{row}.user_id",
    "planner_news": "{row}.user_id",
    "planner_telling": "{row}.user_id",
    "planner_digest": "{row}.user_id",
}
EVENTS = ("INSERT", "UPDATE", "DELETE")
# Names a kept page shows from a row outside a person's records: a curator's, on their
# shared list (renamed in the admin, the list shows it at once). Updates only.
NAMES = {"auth_user": "{row}.id"}
NAME_EVENTS = ("UPDATE",)

# Random per process: nothing a person writes can name them.
CSRF_MARK = f"kept{secrets.token_hex(12)}csrf"
NONCE_MARK = f"kept{secrets.token_hex(12)}nonce"


def trigger_sql(
    vendor: str, tables: dict[str, str] = OWNERS, events: tuple[str, ...] = EVENTS
) -> list[str]:
    """The SQL that makes writes to `tables` change their person's token.

    Migrations carry its output frozen (planner/migrations/0007, 0008): SQLite drops a
    table's triggers when a migration rebuilds the table, so a later migration that
    rebuilds one, or that changes the set of tables, adds the SQL again itself.
    tests/test_triggers.py reads the schema a migrated database has."""
    if vendor == "postgresql":
        sql = []
        if tables is OWNERS:
            sql.append(
                "CREATE FUNCTION planner_kept_bump(owner bigint) RETURNS void LANGUAGE plpgsql "
                "AS $$ DECLARE stamp text := statement_timestamp()::text; BEGIN "
                # Once per person per statement (at commit, the whole transaction).
                "IF owner IS NULL OR current_setting('planner.kept_' || owner, true) = stamp "
                "THEN RETURN; END IF; "
                "PERFORM set_config('planner.kept_' || owner, stamp, true); "
                f"INSERT INTO {TOKEN_TABLE} (user_id, token) "
                "VALUES (owner, md5(random()::text || clock_timestamp()::text)) "
                "ON CONFLICT (user_id) DO UPDATE SET token = EXCLUDED.token; END $$"
            )
        for table, owner in tables.items():
            sql += [
                f"CREATE FUNCTION kept_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF TG_OP <> 'DELETE' THEN "
                f"PERFORM planner_kept_bump({owner.format(row='NEW')}); END IF; "
                "IF TG_OP <> 'INSERT' THEN "
                f"PERFORM planner_kept_bump({owner.format(row='OLD')}); END IF; "
                "RETURN NULL; END $$",
                f"CREATE CONSTRAINT TRIGGER kept_{table} AFTER {' OR '.join(events)} ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kept_{table}()",
            ]
        return sql
    sql = []
    for table, owner in tables.items():
        for event in events:
            rows = {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}[event]
            owners = " UNION ".join(f"SELECT {owner.format(row=row)} AS owner" for row in rows)
            sql.append(
                f"CREATE TRIGGER kept_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "
                f"INSERT INTO {TOKEN_TABLE} (user_id, token) "
                f"SELECT owner, lower(hex(randomblob(16))) FROM ({owners}) "
                "WHERE owner IS NOT NULL "
                "ON CONFLICT (user_id) DO UPDATE SET token = excluded.token; END"
            )
    return sql


def drop_trigger_sql(
    vendor: str, tables: dict[str, str] = OWNERS, events: tuple[str, ...] = EVENTS
) -> list[str]:
    if vendor == "postgresql":
        return [
            sql
            for table in tables
            for sql in (
                f"DROP TRIGGER IF EXISTS kept_{table} ON {table}",
                f"DROP FUNCTION IF EXISTS kept_{table}()",
            )
        ] + (["DROP FUNCTION IF EXISTS planner_kept_bump(bigint)"] if tables is OWNERS else [])
    return [
        f"DROP TRIGGER IF EXISTS kept_{table}_{event.lower()}"
        for table in tables
        for event in events
    ]


def immediate_sql() -> str:
    """PostgreSQL: run the triggers at each statement in this transaction, as a test that
    reads pages between writes inside one transaction needs."""
    names = ", ".join(f"kept_{table}" for table in {**OWNERS, **NAMES})
    return f"SET CONSTRAINTS {names} IMMEDIATE"


@dataclass(frozen=True)
class Kept:
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    csp: dict | None


def viewer_of(user) -> tuple:
    """Who a page is drawn for, as far as it can differ between people: a person and the
    token of their records (anyone signed out is one viewer)."""
    if not user.is_authenticated:
        return ("anonymous",)
    try:
        token = user.page_token.token  # loaded with the user (planner.serving.backends)
    except user._meta.model.page_token.RelatedObjectDoesNotExist:
        token = None
    return (user.pk, user.username, user.date_joined, user.is_staff, token)


def key(request: HttpRequest, *extra) -> str:
    htmx = sorted((k, v) for k, v in request.headers.items() if k.lower().startswith("hx-"))
    return listing.key(
        "kept",
        request.scheme,  # pages build absolute URLs (share links, feeds)
        request.get_host(),
        request.get_full_path(),
        htmx,
        viewer_of(request.user),
        listing.version(),
        settings.REMOTE_IMAGES,
        datetime.date.today(),  # nothing shown should hang on the day, but if it ever does
        *extra,
    )


def fresh_only(request: HttpRequest) -> bool:
    """A message or an Undo is shown once: such a page is drawn, not kept."""
    messages = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    return bool(messages is not None and len(messages)) or bool(
        session is not None and request.user.is_authenticated and "undo" in session
    )


def etag_of(page_key: str) -> str:
    """Weak: the same page, though its CSRF token and nonce differ per response."""
    return f'W/"{page_key[:40]}"'


def not_modified(etag: str) -> HttpResponse:
    """The browser's copy is this page: a few hundred bytes instead of the page."""
    response = HttpResponseNotModified()
    response["ETag"] = etag
    patch_vary_headers(response, ["HX-Request"])
    # No Content-Security-Policy: headers of a 304 replace the stored ones, and the stored
    # page's scripts carry the nonce of the policy it came with.
    response._csp_config = {}
    response.kept = True
    return response


def serve(request: HttpRequest, draw: Callable[[], HttpResponse], *extra) -> HttpResponse:
    """The page `draw` answers with, from memory when it was drawn for the same `key`;
    304 when the browser already has it (its ETag names the key)."""
    if request.method != "GET" or fresh_only(request):
        return draw()
    page_key = key(request, *extra)
    etag = etag_of(page_key)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        return not_modified(etag)
    store = caches["kept"]
    kept = store.get(page_key)
    keepable = kept is not None
    if kept is None:
        session = getattr(request, "session", None)
        was_modified = session is not None and session.modified
        request.kept_marks = True
        try:
            response = draw()
        finally:
            del request.kept_marks
        kept = Kept(
            response.status_code,
            response.content,
            tuple(response.headers.items()),
            getattr(response, "_csp_config", None),
        )
        touched = session is not None and session.modified and not was_modified
        keepable = response.status_code == 200 and not response.cookies and not touched
        if keepable:
            store.set(page_key, kept)
    response = answer(request, kept)
    if keepable:
        # Only a page that would be kept has a tag: the same key draws the same page.
        response["ETag"] = etag
        response.kept = True
    return response


def answer(request: HttpRequest, kept: Kept) -> HttpResponse:
    content = kept.content
    if CSRF_MARK.encode() in content:
        content = content.replace(CSRF_MARK.encode(), get_token(request).encode())
    if NONCE_MARK.encode() in content:
        content = content.replace(NONCE_MARK.encode(), str(get_nonce(request)).encode())
    response = HttpResponse(content, status=kept.status)
    for name, value in kept.headers:
        response.headers[name] = value
    if kept.csp is not None:
        response._csp_config = kept.csp
    return response


def marks(request: HttpRequest) -> dict:
    """Context processor: while a page is drawn to be kept, the per-response values are
    marks that `answer` fills in."""
    if getattr(request, "kept_marks", False):
        return {"csrf_token": CSRF_MARK, "csp_nonce": NONCE_MARK}
    return {}


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep this view's GET answers (see the module docstring)."""

    @wraps(view)
    def kept_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return serve(request, lambda: view(request, *args, **kwargs))

    return kept_view
