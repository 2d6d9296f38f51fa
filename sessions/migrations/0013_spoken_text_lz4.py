"""What the talks say, compressed by lz4 on PostgreSQL: a catalog search reads the joined
text of the 20 talks on its page (about 1 MB), which pglz took 6 ms to unpack and lz4
takes 4. Texts written from now on; an earlier one changes when its talk's transcripts
are imported again. Nothing to do on SQLite, or on a PostgreSQL built without lz4."""

from django.db import migrations

TABLE = "talk_sessions_spokentext"


def set_compression(connection, table: str, columns: tuple[str, ...], name: str) -> None:
    """The columns' compression, where this PostgreSQL has that method (0016 uses it)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'",
            [name],
        )
        row = cursor.fetchone()
        if row and row[0]:
            changes = ", ".join(f'ALTER COLUMN "{c}" SET COMPRESSION {name}' for c in columns)
            cursor.execute(f"ALTER TABLE {table} {changes}")


def compression(name: str):
    def change(apps, schema_editor) -> None:
        set_compression(schema_editor.connection, TABLE, ("text",), name)

    return change


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0012_event_files")]

    operations = [migrations.RunPython(compression("lz4"), compression("pglz"))]
