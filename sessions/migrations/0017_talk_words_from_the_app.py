"""The talks' words on PostgreSQL are the app's, as the transcripts' are (0010): a new
column, search_words, holds the words of a talk's title, speaker, tagline and outline as
sessions.search.words() splits them, and the index's vector is generated from it.
Parsing the text with to_tsvector was half of the server's time importing 10,000 talks
(0.64 of 1.24 s), and it needed 14 replace()s (0014) to split as the app does.

The column is added in place (as 0012's: Django's AddField would rebuild the table on
SQLite and drop its triggers) and filled for every talk on both databases: the model
derives it on every write. SQLite's FTS5 index still splits the four columns itself."""

import importlib
import itertools
import re

from django.db import migrations, models

folded = importlib.import_module("sessions.migrations.0015_words_read_without_accents")
split = importlib.import_module("sessions.migrations.0014_talk_words_split_as_the_app_splits")
spoken_text_lz4 = importlib.import_module("sessions.migrations.0013_spoken_text_lz4")

TABLE = "talk_sessions_talk"
# Frozen: sessions.search.create_index_sql("postgresql") as this was written.
FROM_WORDS = (
    'ALTER TABLE talk_sessions_talk ADD COLUMN "search_document" tsvector GENERATED ALWAYS '
    "AS (array_to_tsvector(array_remove(string_to_array(talk_sessions_fold(search_words), "
    "' '), ''))) STORED"
)
WORD = re.compile(r"[^\W_]+")
# Frozen: the function of sessions.search.TSQUERY as this was written. A query's words
# (joined by " & ", the last perhaps with ":*") taken as they are, folded as the words
# are: read by to_tsquery's parser, "7e3zy" was the number "7e3" and the word "zy".
WORDS_QUERY = r"""
CREATE OR REPLACE FUNCTION talk_sessions_words_query(text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT string_agg(
    '''' || replace(replace(piece, '\', '\\'), '''', '''''') || '''' || suffix, ' & '
  )::tsquery
  FROM (SELECT split_part(op, ':', 1) AS word,
               CASE WHEN op LIKE '%:*' THEN ':*' ELSE '' END AS suffix
        FROM unnest(string_to_array($1, ' & ')) AS op) AS ops,
       unnest(string_to_array(talk_sessions_fold(word), ' ')) AS piece
  WHERE piece <> '' $$
"""


def talk_words(title: str, speaker_name: str, tagline: str, outline_text: str) -> str:
    """sessions.search.talk_words() as this was written."""
    text = " ".join((title, speaker_name, tagline, outline_text)).lower()
    return " ".join(w for w in dict.fromkeys(WORD.findall(text)) if len(w) <= 255)


def fill(apps, schema_editor) -> None:
    Talk = apps.get_model("talk_sessions", "Talk")
    columns = ("title", "speaker_name", "tagline", "outline_text")
    pks = Talk.objects.order_by("pk").values_list("pk", flat=True)
    for chunk in itertools.batched(pks, 2000):  # a large catalog is not held at once
        batch = list(Talk.objects.filter(pk__in=chunk).only(*columns))
        for talk in batch:
            talk.search_words = talk_words(*(getattr(talk, c) for c in columns))
        Talk.objects.bulk_update(batch, ["search_words"], batch_size=500)


def drop_vector(apps, schema_editor) -> None:
    """The old vector goes first: each talk's words written beside it recomputed it."""
    if schema_editor.connection.vendor == "postgresql":
        for sql in split.DROP:
            schema_editor.execute(sql, params=None)


def words_query(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WORDS_QUERY, params=None)


def drop_words_query(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS talk_sessions_words_query(text)", params=None)


def vector(add: str, compressed: tuple[str, ...]):
    def change(apps, schema_editor) -> None:
        split.column(add)(apps, schema_editor)  # PostgreSQL only
        spoken_text_lz4.set_compression(schema_editor.connection, TABLE, compressed, "lz4")

    return change


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0016_talk_text_lz4")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE {TABLE} ADD COLUMN search_words text DEFAULT '' NOT NULL",
                    f"ALTER TABLE {TABLE} DROP COLUMN search_words",
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="talk",
                    name="search_words",
                    field=models.TextField(blank=True, editable=False),
                ),
            ],
        ),
        migrations.RunPython(drop_vector, vector(folded.FOLDED, ("search_document",))),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(vector(FROM_WORDS, ("search_words", "search_document")), drop_vector),
        migrations.RunPython(words_query, drop_words_query),
    ]
