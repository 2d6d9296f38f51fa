"""A talk's conference and slug lose the indexes Django gives them by default (and the
slug its LIKE twin on PostgreSQL): every index that begins with the conference (the two
unique constraints, the catalog's order) answers the same lookups, and no query asks
for a slug outside its conference. Dropped in place: altering the fields through Django
would rebuild SQLite's talk table and lose its search triggers."""

from django.db import migrations, models

DROPPED = [
    "talk_sessions_talk_conference_id_46b0d5e2",
    "talk_sessions_talk_slug_149e389b",
    "talk_sessions_talk_slug_149e389b_like",  # PostgreSQL only
]


def drop(apps, schema_editor) -> None:
    for name in DROPPED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"', params=None)


def restore(apps, schema_editor) -> None:
    table = '"talk_sessions_talk"'
    schema_editor.execute(f'CREATE INDEX "{DROPPED[0]}" ON {table} ("conference_id")', None)
    schema_editor.execute(f'CREATE INDEX "{DROPPED[1]}" ON {table} ("slug")', None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{DROPPED[2]}" ON {table} ("slug" varchar_pattern_ops)', None
        )


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0018_sqlite_reads_the_talks_words")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="talk",
                    name="conference",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="talks",
                        to="talk_sessions.conference",
                    ),
                ),
                migrations.AlterField(
                    model_name="talk",
                    name="slug",
                    field=models.SlugField(db_index=False, max_length=120),
                ),
            ],
            database_operations=[migrations.RunPython(drop, restore)],
        ),
    ]
