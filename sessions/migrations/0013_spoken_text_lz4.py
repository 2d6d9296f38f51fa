"""What the talks say, compressed by lz4 on PostgreSQL: a catalog search reads the joined
text of the 20 talks on its page (about 1 MB), which pglz took 6 ms to unpack and lz4
takes 4. Texts written from now on; an earlier one changes when its talk's transcripts
are imported again. Nothing to do on SQLite, or on a PostgreSQL built without lz4."""

from django.db import migrations

TABLE = "talk_sessions_spokentext"


def compression(name: str):
    def set_compression(apps, schema_editor) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT %s = ANY(enumvals) FROM pg_settings "
                "WHERE name = 'default_toast_compression'",
                [name],
            )
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN text SET COMPRESSION {name}")

    return set_compression


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0012_event_files")]

    operations = [migrations.RunPython(compression("lz4"), compression("pglz"))]
