from django.db import migrations



# Frozen: the SQL as it was when this migration was written (see planner.kept).
CREATE = {'sqlite': ['CREATE VIRTUAL TABLE talk_sessions_talk_search USING fts5(title, speaker_name, '
            "tagline, outline_text, content='talk_sessions_talk', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')",
            'CREATE TRIGGER talk_search_insert AFTER INSERT ON talk_sessions_talk BEGIN INSERT '
            'INTO talk_sessions_talk_search(rowid, title, speaker_name, tagline, outline_text) '
            'VALUES (new.id, new.title, new.speaker_name, new.tagline, new.outline_text); END',
            'CREATE TRIGGER talk_search_delete AFTER DELETE ON talk_sessions_talk BEGIN INSERT '
            'INTO talk_sessions_talk_search(talk_sessions_talk_search, rowid, title, '
            "speaker_name, tagline, outline_text) VALUES ('delete', old.id, old.title, "
            'old.speaker_name, old.tagline, old.outline_text); END',
            'CREATE TRIGGER talk_search_update AFTER UPDATE OF title, speaker_name, tagline, '
            'outline_text ON talk_sessions_talk BEGIN INSERT INTO '
            'talk_sessions_talk_search(talk_sessions_talk_search, rowid, title, speaker_name, '
            "tagline, outline_text) VALUES ('delete', old.id, old.title, old.speaker_name, "
            'old.tagline, old.outline_text); INSERT INTO talk_sessions_talk_search(rowid, '
            'title, speaker_name, tagline, outline_text) VALUES (new.id, new.title, '
            'new.speaker_name, new.tagline, new.outline_text); END',
            'INSERT INTO talk_sessions_talk_search(talk_sessions_talk_search) VALUES '
            "('rebuild')"],
 'postgresql': ['ALTER TABLE talk_sessions_talk ADD COLUMN "search_document" tsvector '
                "GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || speaker_name || ' "
                "' || tagline || ' ' || outline_text)) STORED",
                'CREATE INDEX talk_search ON talk_sessions_talk USING GIN ("search_document")']}
DROP = {'sqlite': ['DROP TRIGGER IF EXISTS talk_search_insert',
            'DROP TRIGGER IF EXISTS talk_search_delete',
            'DROP TRIGGER IF EXISTS talk_search_update',
            'DROP TABLE IF EXISTS talk_sessions_talk_search'],
 'postgresql': ['DROP INDEX IF EXISTS talk_search',
                'ALTER TABLE talk_sessions_talk DROP COLUMN IF EXISTS "search_document"']}

def create(apps, schema_editor):
    for sql in CREATE[schema_editor.connection.vendor]:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0002_catalog_order_index")]

    operations = [migrations.RunPython(create, drop)]
