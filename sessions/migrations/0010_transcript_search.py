"""What a talk's transcripts say, searchable: one row a talk (SpokenText) in a full-text
index of its own, SQLite FTS5 or a PostgreSQL tsvector, as talks are since 0003."""

import re

import django.db.models.deletion
from django.db import migrations, models

# Frozen: sessions.search.create_index_sql(vendor, TRANSCRIPTS) as this was written.
CREATE = {
    "postgresql": [
        'ALTER TABLE talk_sessions_spokentext ADD COLUMN "search_document" tsvector NOT NULL '
        "DEFAULT ''::tsvector",
        'CREATE INDEX spoken_search ON talk_sessions_spokentext USING GIN ("search_document")',
    ],
    "sqlite": [
        "CREATE VIRTUAL TABLE talk_sessions_spokentext_search USING fts5(text, "
        "content='talk_sessions_spokentext', content_rowid='talk_id', tokenize='unicode61 "
        "remove_diacritics 2', detail='none', prefix='2 3')",
        "CREATE TRIGGER spoken_search_insert AFTER INSERT ON talk_sessions_spokentext BEGIN "
        "INSERT INTO talk_sessions_spokentext_search(rowid, text) VALUES (new.talk_id, "
        "new.text); END",
        "CREATE TRIGGER spoken_search_delete AFTER DELETE ON talk_sessions_spokentext BEGIN "
        "INSERT INTO talk_sessions_spokentext_search(talk_sessions_spokentext_search, rowid, "
        "text) VALUES ('delete', old.talk_id, old.text); END",
        "CREATE TRIGGER spoken_search_update AFTER UPDATE OF text ON "
        "talk_sessions_spokentext BEGIN INSERT INTO "
        "talk_sessions_spokentext_search(talk_sessions_spokentext_search, rowid, text) "
        "VALUES ('delete', old.talk_id, old.text); INSERT INTO "
        "talk_sessions_spokentext_search(rowid, text) VALUES (new.talk_id, new.text); END",
        "INSERT INTO talk_sessions_spokentext_search(talk_sessions_spokentext_search) VALUES "
        "('rebuild')",
    ],
}
DROP = {
    "postgresql": [
        "DROP INDEX IF EXISTS spoken_search",
        'ALTER TABLE talk_sessions_spokentext DROP COLUMN IF EXISTS "search_document"',
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS spoken_search_insert",
        "DROP TRIGGER IF EXISTS spoken_search_delete",
        "DROP TRIGGER IF EXISTS spoken_search_update",
        "DROP TABLE IF EXISTS talk_sessions_spokentext_search",
    ],
}
SEARCH_CHARS = 500_000  # sessions.transcripts.SEARCH_CHARS as this was written
# sessions.search.lexemes() as this was written, and its words stored: on PostgreSQL the
# app gives the index its words.
STORE_WORDS = (
    'UPDATE talk_sessions_spokentext SET "search_document" = array_to_tsvector(%s::text[]) '
    "WHERE talk_id = %s"
)


def lexemes(text: str) -> list[str]:
    return sorted({w for w in re.findall(r"[^\W_]+", text.lower()) if len(w) <= 255})


def create(apps, schema_editor):
    # As sessions.transcripts.spoken() was when this was written.
    SpokenText = apps.get_model("talk_sessions", "SpokenText")
    Passage = apps.get_model("talk_sessions", "Passage")
    talks = Passage.objects.order_by().values_list("transcript__talk", flat=True).distinct()
    for talk in talks:
        passages = Passage.objects.filter(transcript__talk=talk).order_by(
            "transcript__language", "start_seconds", "pk"
        )
        starts, at = [], 0
        for start, text in passages.values_list("start_seconds", "text"):
            if at < SEARCH_CHARS:
                starts.append([at, start])
            at += len(text) + 1
        text = " ".join(passages.values_list("text", flat=True))[:SEARCH_CHARS]
        SpokenText.objects.create(talk_id=talk, text=text, starts=starts)
    vendor = schema_editor.connection.vendor
    for sql in CREATE[vendor]:
        schema_editor.execute(sql, params=None)
    if vendor == "postgresql":
        for talk, text in SpokenText.objects.values_list("talk", "text"):
            schema_editor.execute(STORE_WORDS, params=[lexemes(text), talk])


def drop(apps, schema_editor):
    for sql in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0009_transcripts")]

    operations = [
        migrations.CreateModel(
            name="SpokenText",
            fields=[
                (
                    "talk",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        serialize=False,
                        to="talk_sessions.talk",
                    ),
                ),
                ("text", models.TextField()),
                ("starts", models.JSONField(default=list)),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
