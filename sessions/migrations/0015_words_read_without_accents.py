"""On PostgreSQL, words read without their accents, as SQLite's tokenizer reads them
(remove_diacritics): "zurich" or "cafe" found "Zürich" and "Café" on SQLite and nothing
on PostgreSQL. A function, talk_sessions_fold(), takes accents off with the unaccent
extension's rules; the talks' text goes through it before it is parsed, as every query
and the transcripts' words do (sessions.search.PG_FOLD). Nothing to do on SQLite.

unaccent is a trusted extension (PostgreSQL 13 and later): the database's owner may
create it. Going back leaves the extension installed."""

import importlib

from django.db import migrations

split = importlib.import_module("sessions.migrations.0014_talk_words_split_as_the_app_splits")
transcript_search = importlib.import_module("sessions.migrations.0010_transcript_search")

# Text that is all ASCII has no accent to take off: the check costs 2 % of parsing it.
FOLD = """
CREATE OR REPLACE FUNCTION talk_sessions_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT CASE WHEN octet_length($1) = char_length($1) THEN $1
  ELSE {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) END $$
"""
# Frozen: sessions.search.create_index_sql("postgresql") as this was written.
FOLDED = (
    'ALTER TABLE talk_sessions_talk ADD COLUMN "search_document" tsvector GENERATED ALWAYS '
    "AS (to_tsvector('simple', "
    + "replace(" * 14
    + "talk_sessions_fold(title || ' ' || speaker_name || ' ' || tagline || ' ' || "
    "outline_text), "
    "'.', ' '), '-', ' '), '/', ' '), ':', ' '), '@', ' '), '_', ' '), '+', ' '), "
    "'~', ' '), '#', ' '), '&', ' '), '<', ' '), '>', ' '), '=', ' '), '?', ' '))) STORED"
)
# The transcripts' words (given by the app) folded where one has a letter beyond ASCII.
FOLD_SPOKEN = """
UPDATE talk_sessions_spokentext SET "search_document" = array_to_tsvector(array_remove(
  string_to_array(talk_sessions_fold(array_to_string(tsvector_to_array("search_document"),
  ' ')), ' '), ''))
WHERE octet_length(array_to_string(tsvector_to_array("search_document"), ' '))
  <> char_length(array_to_string(tsvector_to_array("search_document"), ' '))
"""


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent", params=None)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension "
            "WHERE extname = 'unaccent'"
        )
        (schema,) = cursor.fetchone()  # already quoted where it must be
    # Named with its schema: a restore runs with an empty search_path.
    schema_editor.execute(FOLD.format(schema=schema), params=None)
    split.column(FOLDED)(apps, schema_editor)
    schema_editor.execute(FOLD_SPOKEN, params=None)


def back(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    split.column(split.SPLIT)(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT talk_id, text FROM talk_sessions_spokentext "
            "WHERE octet_length(text) <> char_length(text)"
        )
        spoken = cursor.fetchall()
    for talk, text in spoken:
        schema_editor.execute(
            transcript_search.STORE_WORDS, params=[transcript_search.lexemes(text), talk]
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS talk_sessions_fold(text)", params=None)


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0014_talk_words_split_as_the_app_splits")]

    operations = [migrations.RunPython(forward, back)]
