"""The talks' long columns compressed by lz4 on PostgreSQL, as what they say already is
(0013): a talk row is about 4 KB, so its outline, rendered text and search words are
compressed as they are written, and pglz took 0.15 s of the server's 1.4 s for the
10,000 rows of a large import (lz4 also unpacks faster for the talk page). Values
written from now on; a talk changes when its conference is imported again. Nothing to
do on SQLite, or on a PostgreSQL built without lz4."""

import importlib

from django.db import migrations

spoken_text_lz4 = importlib.import_module("sessions.migrations.0013_spoken_text_lz4")

TABLE = "talk_sessions_talk"
COLUMNS = (
    "outline",
    "outline_html",
    "outline_text",
    "summary_html",
    "verdict",
    "verdict_html",
    "search_document",
)


def compression(name: str):
    def change(apps, schema_editor) -> None:
        spoken_text_lz4.set_compression(schema_editor.connection, TABLE, COLUMNS, name)

    return change


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0015_words_read_without_accents")]

    operations = [migrations.RunPython(compression("lz4"), compression("pglz"))]
