"""PostgreSQL: a talk's spoken-text row keeps its passages' start list (about 1 KB of
JSON) out of line, as it already kept the text and its words, so a row is ~70 bytes.

A search reads the rows its words' index points to only for their talk ids: for a word
7,600 of 10,000 transcripts say, that was 1,225 pages of rows (3.5 ms) against 114 (1.6
ms). `toast_tuple_target` makes PostgreSQL move the list out of any row written from now
on; the rows already written are rewritten (the UPDATE moves their lists out, VACUUM FULL
packs them and rebuilds the indexes: 47 s for 10,000 one-hour transcripts here).
Outside a transaction, as VACUUM must be. Nothing to do on SQLite, whose index holds the
ids itself.
"""

from django.db import migrations

TABLE = "talk_sessions_spokentext"


def pack(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)", None)
    schema_editor.execute(f"UPDATE {TABLE} SET starts = starts", None)
    schema_editor.execute(f"VACUUM FULL {TABLE}", None)


def unpack(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)", None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("talk_sessions", "0019_talk_fewer_indexes")]

    operations = [migrations.RunPython(pack, unpack, atomic=False)]
