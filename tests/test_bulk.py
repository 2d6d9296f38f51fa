"""The cycle collector is off while a big import builds its objects (sessions.bulk)."""

import gc

import pytest

from sessions import bulk


def test_the_cycle_collector_is_off_while_importing_and_on_again_after():
    seen = []
    with bulk.no_cycle_collection():
        seen.append(gc.isenabled())
        with bulk.no_cycle_collection():  # nested: only the outer one turns it back on
            pass
        seen.append(gc.isenabled())

    assert seen == [False, False]
    assert gc.isenabled()


def test_an_import_that_fails_turns_it_back_on():
    with pytest.raises(ValueError), bulk.no_cycle_collection():
        raise ValueError("a broken file")

    assert gc.isenabled()


def test_reading_and_writing_a_catalog_run_without_it(monkeypatch, db):
    from sessions import readers, writer

    during = []
    real_plan = writer._plan

    def plan(*args, **kwargs):
        during.append(gc.isenabled())
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(writer, "_plan", plan)
    data = b"---\ntitle: Tiny 2024\n---\n# Keynotes\n## A - B\n[YouTube](https://youtu.be/RfvL_423a-I)\n"
    writer.write_catalog(readers.read_bytes(data, "writeup"))

    assert during == [False]
    assert gc.isenabled()


def test_an_imported_talks_long_columns_are_kept_compressed_by_lz4_on_postgresql(db):
    from django.db import connection

    from sessions import readers, writer

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps text as it is")
    points = "".join(f"* Point {n} on how the cache queue drains under load\n" for n in range(80))
    talk = "## Caching at scale\n[YouTube](https://youtu.be/RfvL_423a-I)\n"
    data = f"---\ntitle: Long 2024\n---\n# Breakout Sessions\n{talk}{points}"
    writer.write_catalog(readers.read_bytes(data.encode(), "writeup"))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(outline_html), pg_column_compression(outline_text) "
            "FROM talk_sessions_talk WHERE title = 'Caching at scale'"
        )
        assert cursor.fetchone() == ("lz4", "lz4")


def test_update_rows_writes_the_named_columns_of_each_row_by_its_key(db):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sessions.models import Conference, Talk

    conference = Conference.objects.create(slug="bulk-24", name="Bulk 2024", year=2024)
    one, two, three = (
        Talk.objects.create(conference=conference, title=t, slug=t, source_key=t, position=n)
        for n, t in enumerate(("one", "two", "three"), start=1)
    )
    outline = [{"text": "A point", "children": []}]
    rows = [
        (one.pk, "One, again", 7, datetime.date(2024, 5, 1), outline),
        (three.pk, "Three, again", 9, None, []),
    ]
    with CaptureQueriesContext(connection) as queries:
        assert bulk.update_rows(Talk, ["title", "position", "held_on", "outline"], rows) == 2

    got = Talk.objects.order_by("pk").values_list("title", "position", "held_on", "outline")
    assert list(got) == [
        ("One, again", 7, datetime.date(2024, 5, 1), outline),
        ("two", 2, None, []),
        ("Three, again", 9, None, []),
    ]
    table = connection.ops.quote_name(Talk._meta.db_table)
    updates = [q["sql"] for q in queries if f"UPDATE {table}" in q["sql"]]
    assert len(updates) == 1  # one statement for all the rows (SQLite: one executemany)


def test_update_rows_twice_in_one_transaction(db):
    from django.db import transaction

    from sessions.models import Conference, Talk

    conference = Conference.objects.create(slug="bulk-24", name="Bulk 2024", year=2024)
    talk = Talk.objects.create(
        conference=conference, title="t", slug="t", source_key="t", position=1
    )
    with transaction.atomic():
        bulk.update_rows(Talk, ["title"], [(talk.pk, "First")])
        bulk.update_rows(Talk, ["position"], [(talk.pk, 5)])

    talk.refresh_from_db()
    assert (talk.title, talk.position) == ("First", 5)
