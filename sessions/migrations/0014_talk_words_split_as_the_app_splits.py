"""On PostgreSQL, the talks' words split where words() and SQLite split them: the text
parser kept "3.12", "amazon.com" and "node.js" whole, so "python 3.12" and "amazon"
found nothing there (sessions.search.PG_SPLIT). The column is computed again for every
talk. Nothing to do on SQLite."""

from django.db import migrations

# Frozen: sessions.search.create_index_sql("postgresql") as this was written.
SPLIT = (
    'ALTER TABLE talk_sessions_talk ADD COLUMN "search_document" tsvector GENERATED ALWAYS '
    "AS (to_tsvector('simple', "
    + "replace("
    * 14
    + "title || ' ' || speaker_name || ' ' || tagline || ' ' || outline_text, "
    "'.', ' '), '-', ' '), '/', ' '), ':', ' '), '@', ' '), '_', ' '), '+', ' '), "
    "'~', ' '), '#', ' '), '&', ' '), '<', ' '), '>', ' '), '=', ' '), '?', ' '))) STORED"
)
WHOLE = (
    'ALTER TABLE talk_sessions_talk ADD COLUMN "search_document" tsvector GENERATED ALWAYS '
    "AS (to_tsvector('simple', title || ' ' || speaker_name || ' ' || tagline || ' ' || "
    "outline_text)) STORED"
)
DROP = [
    "DROP INDEX IF EXISTS talk_search",
    'ALTER TABLE talk_sessions_talk DROP COLUMN IF EXISTS "search_document"',
]
INDEX = 'CREATE INDEX talk_search ON talk_sessions_talk USING GIN ("search_document")'


def column(add: str):
    def make(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in [*DROP, add, INDEX]:
            schema_editor.execute(sql, params=None)

    return make


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0013_spoken_text_lz4")]

    operations = [migrations.RunPython(column(SPLIT), column(WHOLE))]
