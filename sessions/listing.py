"""Catalog listings that many requests share, cached in each process's memory.

The topics in use and the ids matching a public filter (search words, kind,
topic) depend only on the catalog, so each worker keeps them, keyed on the
catalog's version token: one cheap query per request says whether they still
hold. A search for common words walked ~1,000 talks (5-6 ms) on every keystroke
of every person; now only the first request after a catalog change does.
"""

import contextlib
import hashlib
import secrets
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connection

from sessions.models import CatalogVersion, Talk

# Random per change, not a counter: a rolled-back change can't make a token reappear.
VERSION_TABLE = "talk_sessions_catalogversion"
WATCHED_TABLES = {
    "talk_sessions_talk": ("INSERT", "UPDATE", "DELETE"),
    "talk_sessions_taggedtalk": ("INSERT", "UPDATE", "DELETE"),
    "talk_sessions_conference": ("INSERT", "UPDATE", "DELETE"),
    # A new tag name can't change what a topic filter finds; a renamed one can.
    "taggit_tag": ("UPDATE", "DELETE"),
}
# Watched since migration 0006 (the table came after 0004): a talk page lists them.
RECORDING_TABLES = {"talk_sessions_recording": ("INSERT", "UPDATE", "DELETE")}
# Since migration 0009: a talk page shows its transcripts (a new one is a new row: the
# writer replaces a transcript whole, so its passages need no trigger of their own).
TRANSCRIPT_TABLES = {"talk_sessions_transcript": ("INSERT", "UPDATE", "DELETE")}
# While a bulk write holds the version at a token with this prefix, SQLite's per-row
# triggers leave it alone (sessions migration 0008); PostgreSQL's run once a statement.
BULK = "bulk-"


# The version as a query of this request read it beside the signed-in person
# (planner.serving.backends): a round trip less on every signed-in page. Kept only
# inside request_scope(), so it is never carried from one request to the next.
VERSION_SQL = f"SELECT token FROM {VERSION_TABLE} ORDER BY id LIMIT 1"
_scope: ContextVar[dict | None] = ContextVar("catalog_version_scope", default=None)


@contextlib.contextmanager
def request_scope() -> Iterator[None]:
    """One request: a version read with another query (read_with) stands for its rest.
    A page drawn from data newer than that version is kept under it at worst, never
    data older than its version (the person is read before the page)."""
    reset = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(reset)


def read_with(token: str | None) -> None:
    """The version, as a query of this request read it (`(VERSION_SQL)` as a column)."""
    if token and not token.startswith(BULK) and (scope := _scope.get()) is not None:
        scope["token"] = token


def version() -> str:
    """The catalog's current version token. One query (two the first time after the
    table was emptied, as a test flush does: a new row, a new token); none when this
    request read it already (with the person, or asked before)."""
    if (scope := _scope.get()) and "token" in scope:
        return scope["token"]
    # Every request asks: plain SQL, as building the ORM query cost more than running it.
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    token = row[0] if row else None
    if token is None:
        token = CatalogVersion.objects.create(token=secrets.token_hex(16)).token
    read_with(token)  # as a version read with the person: it stands for the rest of a GET
    return token


def key(*parts) -> str:
    """A cache key for these parts, whatever their length or characters."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached[T](token: str, name: str, compute: Callable[[], T]) -> T:
    name_key = key(token, name)
    store = caches["catalog"]
    value = store.get(name_key)
    if value is None:
        value = compute()
        store.set(name_key, value)
    return value


# This process's copy of the catalog's order for one version: a one-slot memo, not the
# "catalog" cache, whose every read unpickles its value (1 ms for 10,000 talks). Each
# talk's place, and the ids in that order.
_places: tuple[str, dict[int, int], list[int]] = ("", {}, [])


def _order(token: str) -> tuple[dict[int, int], list[int]]:
    global _places
    if _places[0] != token:
        ids = [pk for (pk,) in rows(Talk.objects.in_order().values_list("pk"))]
        _places = (token, {pk: at for at, pk in enumerate(ids)}, ids)
    return _places[1], _places[2]


def places(token: str) -> dict[int, int]:
    """Each talk's place in the catalog's own order (newest conference first, each in its
    writeup's order) at version `token`: one query the first time a version is asked."""
    return _order(token)[0]


# From this share of the catalog on, in_order() reads the catalog's order once rather than
# sorting: 7,600 of 10,000 talks took 1.2 ms to sort, 0.46 to pick out.
PICK_SHARE = 8


def in_order(token: str, ids) -> list[int]:
    """The talks of `ids` in the catalog's order, those no longer in it left out. A
    search's matches sorted here cost the database no ordered walk: for a common word
    that was 10,000 talks checked in page order (and on PostgreSQL 10,000 ids sent
    back to be joined, 8-32 ms), against 2 ms of sorting."""
    place, order = _order(token)
    if len(ids) * PICK_SHARE >= len(order):
        wanted = set(ids)
        return [pk for pk in order if pk in wanted]
    return sorted((pk for pk in ids if pk in place), key=place.__getitem__)


def rows(queryset, *, by_index: bool = False) -> list[tuple]:
    """The rows of a `values_list` queryset as the database gives them, without the
    ORM's per-row work: a search that finds 10,000 talks spent 9 ms on it. Only for
    values that need no conversion (ids, integers, text). `by_index`: see raw_rows()."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(), or an empty IN list: nothing to ask
        return []
    return raw_rows(sql, params, by_index=by_index)


def raw_rows(sql: str, params, *, by_index: bool = False) -> list[tuple]:
    """The rows of one SELECT. `by_index`: on PostgreSQL, with sequential scans off for
    that statement alone, for a full-text match. The planner cannot know what reading a
    row's tsvector costs (unpacking it, from TOAST when it is long): for words most talks
    have it reads the whole table, 32 ms at 10,000 talks where the GIN index answers in
    9 (an hour of speech a row: 286 ms against 13). One round trip; SET LOCAL, so that
    a failing SELECT leaves the setting as it was."""
    with connection.cursor() as cursor:
        if not by_index or connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        cursor.execute(f"SET LOCAL enable_seqscan = off; {sql}; RESET enable_seqscan", params)
        cursor.nextset()  # past SET's empty result, to the SELECT's rows
        return cursor.fetchall()


def trigger_sql(vendor: str, tables: dict | None = None) -> list[str]:
    """The triggers on `tables` (by default WATCHED_TABLES, with the function they call)."""
    sql = []
    if tables is None:
        tables = WATCHED_TABLES
        if vendor == "postgresql":
            sql.append(
                "CREATE FUNCTION talk_sessions_catalog_changed() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN UPDATE {VERSION_TABLE} SET token = "
                "md5(random()::text || clock_timestamp()::text); RETURN NULL; END $$"
            )
    if vendor == "postgresql":
        for table, events in tables.items():
            sql.append(
                f"CREATE TRIGGER catalog_changed AFTER {' OR '.join(events)} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION talk_sessions_catalog_changed()"
            )
        return sql
    bump = f"UPDATE {VERSION_TABLE} SET token = lower(hex(randomblob(16)));"
    not_bulk = (
        f"(SELECT substr(token, 1, {len(BULK)}) FROM {VERSION_TABLE} ORDER BY id LIMIT 1) "
        f"IS NOT '{BULK}'"
    )
    return [
        f"CREATE TRIGGER catalog_changed_{table}_{event.lower()} AFTER {event} ON {table} "
        f"WHEN {not_bulk} BEGIN {bump} END"
        for table, events in tables.items()
        for event in events
    ]


@contextlib.contextmanager
def bulk_change() -> Iterator[None]:
    """Thousands of catalog rows written in the caller's transaction change the version
    once, not once a row: on SQLite each row's trigger was an UPDATE of the version (0.2 s
    of a 10,000-talk import). The version holds a bulk token while the rows go in, which
    the triggers skip, and a new token when they are in; nobody else ever sees the bulk
    token (it is never committed: a failure rolls it back with the rows)."""
    if connection.vendor != "sqlite":
        yield  # statement triggers: once a statement already
        return
    if not connection.in_atomic_block:
        raise RuntimeError("bulk_change() belongs inside the transaction of the rows")
    version()  # the row exists
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {VERSION_TABLE} SET token = %s", [BULK + secrets.token_hex(8)])
        yield
        cursor.execute(f"UPDATE {VERSION_TABLE} SET token = %s", [secrets.token_hex(16)])


def drop_trigger_sql(vendor: str, tables: dict | None = None) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS catalog_changed ON {t}" for t in tables or WATCHED_TABLES
        ] + ([] if tables else ["DROP FUNCTION IF EXISTS talk_sessions_catalog_changed()"])
    return [
        f"DROP TRIGGER IF EXISTS catalog_changed_{table}_{event.lower()}"
        for table, events in (tables or WATCHED_TABLES).items()
        for event in events
    ]
