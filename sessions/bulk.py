"""Insert or update many rows with one prepared statement.

Django's bulk_create compiles every value of every row into one SQL string per batch;
for 10,000 talks of 30 columns that compilation took longer than the import's Markdown
and the database together. Here the statement is written once and the database gets
the rows as parameters of a few multi-row INSERTs (one statement per batch, not per
row: statement triggers run once, and PostgreSQL gets no 10,000 round trips), each
value prepared the way the field's own save would (dates, JSON), plain values as
they are. Updates by primary key go the same way (`update_rows`).
"""

import contextlib
import gc
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models, transaction

# Column types whose Python value is already what the database driver takes.
AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


def _preparer(field: models.Field) -> Callable[[Any], Any] | None:
    if field.get_internal_type() in AS_IS:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def insert(objs: Iterable[models.Model], fields: list[str] | None = None) -> int:
    """INSERT the instances (every concrete column but the primary key, or `fields`).
    Their primary keys are not set: read them back by a natural key if you need them.
    The rows go in as given: no save() and no signals, as with bulk_create."""
    objs = list(objs)
    if not objs:
        return 0
    opts = type(objs[0])._meta
    if fields is None:
        columns = [f for f in opts.concrete_fields if not f.primary_key]
    else:
        columns = [opts.get_field(name) for name in fields]
    stamped = [
        f for f in columns if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]
    for obj in objs:  # what save() would fill in
        for field in stamped:
            field.pre_save(obj, add=True)
    names = [f.attname for f in columns]
    return insert_rows(
        type(objs[0]), names, [tuple(getattr(obj, n) for n in names) for obj in objs]
    )


def _preparing(fields: list[models.Field]) -> Callable[[tuple], tuple]:
    """A function that gives a row's values as the fields' own save would send them."""
    prepares = [(i, p) for i, f in enumerate(fields) if (p := _preparer(f)) is not None]
    memos: list[dict] = [{} for _ in prepares]  # one `now` for 10,000 rows is prepared once

    def prepared(row: tuple) -> tuple:
        if not prepares:
            return row
        row = list(row)
        for (i, prepare), memo in zip(prepares, memos, strict=True):
            value = row[i]
            try:
                row[i] = memo[value]
            except KeyError:
                row[i] = memo[value] = prepare(value)
            except TypeError:  # not hashable (JSON lists and dicts)
                row[i] = prepare(value)
        return tuple(row)

    return prepared


def _fields(model: type[models.Model], columns: list[str]) -> list[models.Field]:
    concrete = model._meta.concrete_fields
    return [next(f for f in concrete if f.attname == name) for name in columns]


def _copy_in(cursor, table: str, rows: Iterable[tuple]) -> int:
    """PostgreSQL's COPY: the rows stream to the server in the driver's own format as
    they are made (a multi-row INSERT spent seconds binding 300,000 parameters)."""
    count = 0
    with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def insert_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """INSERT plain tuples, one value per named column (attnames: `talk_id`). The rows
    may be a generator: they are prepared and sent as they come."""
    fields = _fields(model, columns)
    prepared = _preparing(fields)
    quote = connection.ops.quote_name
    table = "{} ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return _copy_in(cursor, table, map(prepared, rows))
    count = 0
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, connection.ops.bulk_batch_size(fields, [()] * 1000))
    with connection.cursor() as cursor:
        for batch in itertools.batched(map(prepared, rows), size):
            cursor.execute(
                f"INSERT INTO {table} VALUES " + ", ".join([one] * len(batch)),
                [value for row in batch for value in row],
            )
            count += len(batch)
    return count


def update_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """UPDATE rows by primary key: each row is (pk, one value per named column). Django's
    bulk_update writes a CASE of every row for every column: 9,500 talks of 24 columns
    took 25 s to compile. PostgreSQL gets the rows by COPY into a scratch table and one
    UPDATE from it (one statement: its triggers run once); SQLite, in process, one
    prepared UPDATE a row. No save(), no signals, as with bulk_update."""
    opts = model._meta
    fields = _fields(model, [opts.pk.attname, *columns])
    prepared = _preparing(fields)
    quote = connection.ops.quote_name
    table, key = quote(opts.db_table), quote(opts.pk.column)
    names = [quote(f.column) for f in fields[1:]]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{name} = %s" for name in names)
            rows = [(*row[1:], row[0]) for row in map(prepared, rows)]
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key} = %s", rows)
            return len(rows)
        scratch = "pg_temp." + quote(f"bulk_{opts.db_table}")  # never a table of the app
        cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} AS SELECT {key}, {', '.join(names)} "
            f"FROM {table} WITH NO DATA"
        )
        count = _copy_in(cursor, scratch, map(prepared, rows))
        sets = ", ".join(f"{name} = new.{name}" for name in names)
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM {scratch} AS new WHERE {table}.{key} = new.{key}"
        )
        cursor.execute(f"DROP TABLE {scratch}")
        return count


@contextlib.contextmanager
def no_cycle_collection():
    """Python's cycle collector off while a big import builds its objects: every few
    thousand new objects it walked all the talks already made, and a 10,000-talk writeup
    spent a third of its reading in it. Reading and writing make no cycles that must be
    freed before they end; whatever they leave is collected afterwards as usual."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def analyze(models_: Iterable[type[models.Model]]) -> None:
    """Fresh planner statistics for the tables a bulk write just filled. PostgreSQL's
    autovacuum may analyze a large table minutes later and a table of a few rows
    (conferences) never: until then the planner guesses, and right after importing
    10,000 talks the signed-in home's catalog query read every talk in a nested loop
    (76-96 ms) instead of walking its index (0.2 ms). SQLite keeps no statistics until
    asked either. On PostgreSQL the tables' full-text indexes are tidied too."""
    models_ = list(models_)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(_analyzed(cursor, m) for m in models_)}")
            # A GIN index takes new rows into a pending list that every search reads
            # through until a vacuum merges it: after 10,000 talks, 443 pages, and the
            # talks' words asked in 2.1 ms instead of 0.6. Merged here in 40 ms.
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "WHERE a.amname = 'gin' AND i.indrelid = ANY(%s::regclass[])",
                [[m._meta.db_table for m in models_]],
            )
        else:  # SQLite's statistics are of its indexes alone: no columns to choose
            for model in models_:
                cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")


def _analyzed(cursor, model: type[models.Model]) -> str:
    """The table as PostgreSQL's ANALYZE is given it: with its columns but the text the
    model names in UNPLANNED_FIELDS, whose statistics no query plan reads. Columns the
    database makes (a search vector) are read from the table, so they keep theirs."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    skip = {model._meta.get_field(name).column for name in getattr(model, "UNPLANNED_FIELDS", ())}
    if not skip:
        return quote(table)
    found = connection.introspection.get_table_description(cursor, table)
    return f"{quote(table)} ({', '.join(quote(c.name) for c in found if c.name not in skip)})"
