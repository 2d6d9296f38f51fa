"""Whole pages kept until something they show changes, in a store every worker on the
machine shares (planner.serving.store).

A page (the catalog, a talk, the queue, the diary, a shared list) is drawn from the
catalog and from one person's records (signed out, everyone is the same viewer), and
each of those carries a token that changes with every write: the catalog's
(sessions.listing) and the person's PageToken, which the database triggers below set on
every insert, update and delete of their profile, entries, viewings, tags, notes, lists
and plan, whichever code path writes.
Asked again with the same tokens, address and htmx headers, a page is the same page, so
it comes from the store, whichever worker drew it: a warm talk page or queue costs the
queries that load the session and the person (the token comes in the same row) plus the
catalog's token.

What must differ per response is drawn as a mark and filled in on the way out: the CSRF
token and the CSP nonce. A page with a message or an Undo to show, or whose drawing
touched the session or set a cookie, is answered as drawn and not kept.

Where a person is in a talk is the one record that changes every few seconds (the player
saves it every 15 s). An update of an entry that moves only its resume point (from one
second past the start to another, nothing else changed) changes the person's `positions`
stamp instead of their page token, and the pages that opt in (`live=True`) draw what hangs
on the resume point (the clock, what is left, the bar, the links at that second) as
`live` marks, filled in on the way out: with the resume points the page was drawn with
while the stamp is the one it was drawn under, else with those one query reads. Every
other kept page keys on the stamp as well. ETags name both.

On PostgreSQL the triggers run at commit (deferred): a transaction takes the person's
token row last, so two of their transactions can't each hold a row the other waits for.
"""

import datetime
import html
import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import connection
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

# An entry's columns other than the resume point and its time: an update that leaves all
# of them as they were (and the resume point past the start before and after) only moved
# the resume point. tests/test_kept.py checks the list against the model.
ENTRY_KEPT_COLUMNS = (
    "id", "user_id", "talk_id", "status", "position", "rating", "note", "note_html",
    "personal_seconds", "created_at",
)  # fmt: skip
ENTRY_TABLE = "planner_entry"

# Random per server (gunicorn's master draws it before forking the workers, so all of them
# share it): nothing a person writes can name the marks, and a page in the store drawn by
# another server, or by this one before a restart (other code, other marks), is never read.
GENERATION = secrets.token_hex(12)
CSRF_MARK = f"kept{GENERATION}csrf"
NONCE_MARK = f"kept{GENERATION}nonce"
LIVE_MARK = f"kept{GENERATION}live"
# Every mark, captured: a kept page is stored split at them, so an answer joins its pieces
# instead of searching the whole page for each kind of mark again.
MARKS = re.compile(rf"({CSRF_MARK}|{NONCE_MARK}|{LIVE_MARK}\d+x)".encode())


def moved_only(vendor: str) -> str:
    """SQL: this update of an entry moved its resume point and nothing else."""
    same = " IS NOT DISTINCT FROM " if vendor == "postgresql" else " IS "
    return " AND ".join(
        ["COALESCE(OLD.resume_seconds, 0) > 0", "COALESCE(NEW.resume_seconds, 0) > 0"]
        + [f"OLD.{column}{same}NEW.{column}" for column in ENTRY_KEPT_COLUMNS]
    )


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
        if ENTRY_TABLE in tables and events == EVENTS:
            sql.append(
                "CREATE FUNCTION planner_kept_moved(owner bigint) RETURNS void LANGUAGE sql "
                f"AS $$ INSERT INTO {TOKEN_TABLE} (user_id, token, positions) "
                "VALUES (owner, md5(random()::text), "
                "md5(random()::text || clock_timestamp()::text)) "
                "ON CONFLICT (user_id) DO UPDATE SET positions = EXCLUDED.positions $$"
            )
        for table, owner in tables.items():
            moved = (
                f"IF TG_OP = 'UPDATE' THEN IF {moved_only(vendor)} THEN "
                "PERFORM planner_kept_moved(NEW.user_id); RETURN NULL; END IF; END IF; "
                if table == ENTRY_TABLE
                else ""
            )
            sql += [
                f"CREATE FUNCTION kept_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{moved}IF TG_OP <> 'DELETE' THEN "
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
            moved = table == ENTRY_TABLE and event == "UPDATE"
            sql.append(
                f"CREATE TRIGGER kept_{table}_{event.lower()} AFTER {event} ON {table} "
                + (f"WHEN NOT ({moved_only(vendor)}) " if moved else "")
                + f"BEGIN INSERT INTO {TOKEN_TABLE} (user_id, token) "
                f"SELECT owner, lower(hex(randomblob(16))) FROM ({owners}) "
                "WHERE owner IS NOT NULL "
                "ON CONFLICT (user_id) DO UPDATE SET token = excluded.token; END"
            )
            if moved:
                sql.append(
                    f"CREATE TRIGGER kept_{table}_moved AFTER UPDATE ON {table} "
                    f"WHEN {moved_only(vendor)} BEGIN "
                    f"INSERT INTO {TOKEN_TABLE} (user_id, token, positions) "
                    "VALUES (NEW.user_id, lower(hex(randomblob(16))), lower(hex(randomblob(16)))) "
                    "ON CONFLICT (user_id) DO UPDATE SET positions = excluded.positions; END"
                )
    return sql


def drop_trigger_sql(
    vendor: str, tables: dict[str, str] = OWNERS, events: tuple[str, ...] = EVENTS
) -> list[str]:
    if vendor == "postgresql":
        return (
            [
                sql
                for table in tables
                for sql in (
                    f"DROP TRIGGER IF EXISTS kept_{table} ON {table}",
                    f"DROP FUNCTION IF EXISTS kept_{table}()",
                )
            ]
            + (["DROP FUNCTION IF EXISTS planner_kept_bump(bigint)"] if tables is OWNERS else [])
            + (
                ["DROP FUNCTION IF EXISTS planner_kept_moved(bigint)"]
                if ENTRY_TABLE in tables and events == EVENTS
                else []
            )
        )
    return [
        f"DROP TRIGGER IF EXISTS kept_{table}_{event}"
        for table in tables
        for event in [e.lower() for e in events] + (["moved"] if table == ENTRY_TABLE else [])
    ]


def immediate_sql() -> str:
    """PostgreSQL: run the triggers at each statement in this transaction, as a test that
    reads pages between writes inside one transaction needs."""
    names = ", ".join(f"kept_{table}" for table in {**OWNERS, **NAMES})
    return f"SET CONSTRAINTS {names} IMMEDIATE"


@dataclass(frozen=True)
class Kept:
    status: int
    pieces: tuple[bytes, ...]  # the page split at its marks: text, mark, text, ..., text
    headers: tuple[tuple[str, str], ...]
    csp: dict | None
    spots: tuple = ()  # (talk id, resume point drawn, show, args) of each live mark
    # The person's positions stamp when drawn: while it stands, the spots' resume points do.
    positions: str = ""


# While a page that opts in is drawn to be kept: its live marks so far.
_spots: ContextVar[list | None] = ContextVar("kept_spots", default=None)


def live(talk_id: int, resume: int | None, show: Callable[..., str], *args) -> str:
    """`show(resume, *args)`: what a page shows from where the person is in a talk. While
    a page is drawn to be kept, a mark instead, filled in with the resume point as it is
    when the page is answered. `show` is a module-level function (kept pages are
    pickled); what it returns is escaped where the mark stands."""
    spots = _spots.get()
    if spots is None or not resume:  # no resume point: moving one changes the page token
        return show(resume, *args)
    spots.append((talk_id, resume, show, args))
    return f"{LIVE_MARK}{len(spots) - 1}x"


def positions_of(user) -> str:
    """The stamp that changes when the person's resume points move (see the docstring)."""
    if not user.is_authenticated:
        return ""
    try:
        return user.page_token.positions
    except user._meta.model.page_token.RelatedObjectDoesNotExist:
        return ""


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
    # From META: request.headers would parse the name of every header first.
    htmx = sorted((k, v) for k, v in request.META.items() if k.startswith("HTTP_HX_"))
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
        GENERATION,
        *extra,
    )


def fresh_only(request: HttpRequest) -> bool:
    """A message or an Undo is shown once: such a page is drawn, not kept."""
    messages = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    return bool(messages is not None and len(messages)) or bool(
        session is not None and request.user.is_authenticated and "undo" in session
    )


def etag_of(page_key: str, positions: str = "") -> str:
    """Weak: the same page, though its CSRF token and nonce differ per response."""
    return f'W/"{page_key[:40]}{positions[:12]}"'


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


def serve(
    request: HttpRequest, draw: Callable[[], HttpResponse], *extra, live: bool = False
) -> HttpResponse:
    """The page `draw` answers with, from memory when it was drawn for the same `key`;
    304 when the browser already has it (its ETag names the key). `live`: the page draws
    everything that hangs on a resume point with `live` (else it is kept per stamp)."""
    if request.method != "GET" or fresh_only(request):
        return draw()
    positions = positions_of(request.user)
    page_key = key(request, *extra) if live else key(request, *extra, positions)
    etag = etag_of(page_key, positions)
    if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        return not_modified(etag)
    store = caches["kept"]
    kept = store.get(page_key)
    keepable = from_memory = kept is not None
    if kept is None:
        session = getattr(request, "session", None)
        was_modified = session is not None and session.modified
        request.kept_marks = True
        spots = _spots.set([] if live else None)
        try:
            response = draw()
        finally:
            del request.kept_marks
            drawn_spots = _spots.get()
            _spots.reset(spots)
        kept = Kept(
            response.status_code,
            tuple(MARKS.split(response.content)),
            tuple(response.headers.items()),
            getattr(response, "_csp_config", None),
            tuple(drawn_spots or ()),
            positions,
        )
        touched = session is not None and session.modified and not was_modified
        keepable = response.status_code == 200 and not response.cookies and not touched
        if keepable:
            store.set(page_key, kept)
    # Just drawn: its resume points are the ones this request read.
    response = answer(request, kept, current=not from_memory or kept.positions == positions)
    if keepable:
        # Only a page that would be kept has a tag: the same key draws the same page.
        response["ETag"] = etag
        response.kept = True
    return response


def answer(request: HttpRequest, kept: Kept, current: bool = False) -> HttpResponse:
    """The kept page with its marks filled in; `current`: the resume points it was drawn
    with are the person's now."""
    pieces = list(kept.pieces)
    if len(pieces) > 1:
        fill = filler(request, kept, current)
        filled: dict[bytes, bytes] = {}  # the CSRF token stands in every form: made once
        for index in range(1, len(pieces), 2):
            mark = pieces[index]
            if (value := filled.get(mark)) is None:
                value = filled[mark] = fill(mark)
            pieces[index] = value
    response = HttpResponse(b"".join(pieces), status=kept.status)
    for name, value in kept.headers:
        response.headers[name] = value
    if kept.csp is not None:
        response._csp_config = kept.csp
    return response


def filler(request: HttpRequest, kept: Kept, current: bool) -> Callable[[bytes], bytes]:
    """What each mark of this answer stands for: the CSRF token (asked for only when the
    page has a mark for it: else no token and no cookie), the CSP nonce, and the live
    marks filled in with the person's resume points as they are now (one query, or none
    for the page this request drew, or one kept under the positions stamp read with the
    person: the stamp is read before the page, and changes with every move after it)."""
    now: dict[int, int | None] = {}
    if current:
        now = {talk_id: resume for talk_id, resume, _, _ in kept.spots}
    elif kept.spots:
        # Plain SQL: building the ORM's query for a page's talk ids cost more than
        # running it (the index answers in a tenth of a millisecond).
        talks = sorted({talk_id for talk_id, _, _, _ in kept.spots})
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT talk_id, resume_seconds FROM {ENTRY_TABLE} "
                f"WHERE user_id = %s AND talk_id IN ({', '.join(['%s'] * len(talks))})",
                [request.user.pk, *talks],
            )
            now = dict(cursor.fetchall())
    csrf, nonce, live = CSRF_MARK.encode(), NONCE_MARK.encode(), len(LIVE_MARK)

    def fill(mark: bytes) -> bytes:
        if mark == csrf:
            return get_token(request).encode()
        if mark == nonce:
            return str(get_nonce(request)).encode()
        talk_id, _, show, args = kept.spots[int(mark[live:-1])]
        return html.escape(show(now.get(talk_id), *args)).encode()

    return fill


def marks(request: HttpRequest) -> dict:
    """Context processor: while a page is drawn to be kept, the per-response values are
    marks that `answer` fills in."""
    if getattr(request, "kept_marks", False):
        return {"csrf_token": CSRF_MARK, "csp_nonce": NONCE_MARK}
    return {}


def page(
    view: Callable[..., HttpResponse] | None = None, *, live: bool = False
) -> Callable[..., HttpResponse]:
    """Keep this view's GET answers (see the module docstring); `@page(live=True)` for a
    view that draws resume points with `live`."""

    def keep(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def kept_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return serve(request, lambda: view(request, *args, **kwargs), live=live)

        return kept_view

    return keep(view) if view is not None else keep
