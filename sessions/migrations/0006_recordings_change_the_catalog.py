"""A talk's recordings are part of the catalog: changing them changes its version, so
pages kept per version (planner.kept) show the new ones."""

from django.db import migrations

from sessions import listing


def create(apps, schema_editor):
    for sql in listing.trigger_sql(schema_editor.connection.vendor, listing.RECORDING_TABLES):
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in listing.drop_trigger_sql(vendor, listing.RECORDING_TABLES):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("talk_sessions", "0005_recordings"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
