"""SQLite's search index reads the talks' words (Talk.search_words, 0017) instead of
their title, speaker, tagline and outline: the distinct words, half of the text, split by
the rule the queries are split by, as PostgreSQL's index has since 0017. The index is
made again from the words. Nothing to do on PostgreSQL."""

import importlib

from django.db import migrations

talk_search = importlib.import_module("sessions.migrations.0003_talk_search")

# Frozen: sessions.search.create_index_sql("sqlite") as this was written.
FROM_WORDS = [
    "CREATE VIRTUAL TABLE talk_sessions_talk_search USING fts5(search_words, "
    "content='talk_sessions_talk', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER talk_search_insert AFTER INSERT ON talk_sessions_talk BEGIN INSERT INTO "
    "talk_sessions_talk_search(rowid, search_words) VALUES (new.id, new.search_words); END",
    "CREATE TRIGGER talk_search_delete AFTER DELETE ON talk_sessions_talk BEGIN INSERT INTO "
    "talk_sessions_talk_search(talk_sessions_talk_search, rowid, search_words) VALUES ('delete', "
    "old.id, old.search_words); END",
    "CREATE TRIGGER talk_search_update AFTER UPDATE OF search_words ON talk_sessions_talk BEGIN "
    "INSERT INTO talk_sessions_talk_search(talk_sessions_talk_search, rowid, search_words) "
    "VALUES ('delete', old.id, old.search_words); INSERT INTO talk_sessions_talk_search(rowid, "
    "search_words) VALUES (new.id, new.search_words); END",
    "INSERT INTO talk_sessions_talk_search(talk_sessions_talk_search) VALUES ('rebuild')",
]


def index(create: list[str]):
    def make(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for sql in [*talk_search.DROP["sqlite"], *create]:
            schema_editor.execute(sql, params=None)

    return make


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0017_talk_words_from_the_app")]

    operations = [migrations.RunPython(index(FROM_WORDS), index(talk_search.CREATE["sqlite"]))]
