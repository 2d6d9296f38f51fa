"""The test database is built by running every migration from zero (pytest-django without
--nomigrations): its schema is what a fresh site gets, and these tests read it. SQLite
drops a table's triggers whenever a migration rebuilds the table, so a future migration
that rebuilds one without adding its triggers again fails here, on both databases."""

import pytest
from django.db import connection

from planner.serving import kept
from sessions import listing

pytestmark = pytest.mark.django_db

PG_EVENT_BITS = {"INSERT": 4, "DELETE": 8, "UPDATE": 16}


def _sqlite_triggers() -> dict[str, str]:
    """name -> table, from sqlite_master."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        return dict(cursor.fetchall())


def _pg_triggers() -> dict[tuple[str, str], int]:
    """(name, table) -> the tgtype bits of each of our triggers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgrelid::regclass::text, tgtype FROM pg_trigger WHERE NOT tgisinternal"
        )
        return {(name, table): bits for name, table, bits in cursor.fetchall()}


def _has(trigger_prefix: str, table: str, events) -> list[str]:
    """The events of `table` that have no trigger named trigger_prefix (SQLite:
    prefix_table_event; PostgreSQL: one trigger per table whose type has each event)."""
    if connection.vendor == "postgresql":
        name = (
            trigger_prefix if trigger_prefix == "catalog_changed" else f"{trigger_prefix}_{table}"
        )
        bits = _pg_triggers().get((name, table))
        return [e for e in events if bits is None or not bits & PG_EVENT_BITS[e]]
    triggers = _sqlite_triggers()
    return [e for e in events if triggers.get(f"{trigger_prefix}_{table}_{e.lower()}") != table]


@pytest.mark.parametrize("table", kept.OWNERS)
def test_every_table_of_a_persons_records_changes_their_token(table):
    assert _has("kept", table, kept.EVENTS) == []


@pytest.mark.parametrize("table", kept.NAMES)
def test_a_renamed_person_changes_their_token(table):
    assert _has("kept", table, kept.NAME_EVENTS) == []


CATALOG_TABLES = {
    **listing.WATCHED_TABLES,
    **listing.RECORDING_TABLES,
    **listing.TRANSCRIPT_TABLES,
}


@pytest.mark.parametrize("table", CATALOG_TABLES)
def test_every_catalog_table_changes_the_catalog_version(table):
    events = CATALOG_TABLES[table]
    assert _has("catalog_changed", table, events) == []


def test_sqlite_catalog_triggers_are_the_ones_the_code_would_make_today():
    """Each catalog trigger as migrated is listing.trigger_sql()'s (on SQLite: with the
    WHEN clause a bulk write relies on)."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's catalog triggers run once a statement")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name LIKE 'catalog_changed_%'")
        migrated = sorted(row[0] for row in cursor.fetchall())
    made = (
        listing.trigger_sql("sqlite")
        + listing.trigger_sql("sqlite", listing.RECORDING_TABLES)
        + listing.trigger_sql("sqlite", listing.TRANSCRIPT_TABLES)
    )

    assert migrated == sorted(made)


def test_talk_search_index_is_kept_in_step():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'talk_search'")
            assert cursor.fetchone()
        return
    triggers = _sqlite_triggers()
    for event in ("insert", "update", "delete"):
        assert triggers.get(f"talk_search_{event}") == "talk_sessions_talk"


def test_the_check_sees_a_dropped_trigger(transactional_db):
    """The check above can fail: drop one trigger as a table rebuild would."""
    table = "planner_viewing"
    with connection.cursor() as cursor:
        for sql in kept.drop_trigger_sql(connection.vendor, {table: ""}):
            if "FUNCTION" not in sql:
                cursor.execute(sql)
    try:
        assert _has("kept", table, kept.EVENTS) != []
    finally:
        with connection.cursor() as cursor:
            for sql in kept.trigger_sql(connection.vendor, {table: kept.OWNERS[table]}):
                if connection.vendor == "postgresql" and sql.startswith("CREATE FUNCTION"):
                    sql = sql.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
                cursor.execute(sql)
