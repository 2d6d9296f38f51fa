"""A talk's recordings are part of the catalog: changing them changes its version, so
pages kept per version (planner.kept) show the new ones."""

from django.db import migrations



# Frozen: the SQL as it was when this migration was written (see planner.kept).
CREATE = {'sqlite': ['CREATE TRIGGER catalog_changed_talk_sessions_recording_insert AFTER INSERT ON '
            'talk_sessions_recording BEGIN UPDATE talk_sessions_catalogversion SET token = '
            'lower(hex(randomblob(16))); END',
            'CREATE TRIGGER catalog_changed_talk_sessions_recording_update AFTER UPDATE ON '
            'talk_sessions_recording BEGIN UPDATE talk_sessions_catalogversion SET token = '
            'lower(hex(randomblob(16))); END',
            'CREATE TRIGGER catalog_changed_talk_sessions_recording_delete AFTER DELETE ON '
            'talk_sessions_recording BEGIN UPDATE talk_sessions_catalogversion SET token = '
            'lower(hex(randomblob(16))); END'],
 'postgresql': ['CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE ON '
                'talk_sessions_recording FOR EACH STATEMENT EXECUTE FUNCTION '
                'talk_sessions_catalog_changed()']}
DROP = {'sqlite': ['DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_recording_insert',
            'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_recording_update',
            'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_recording_delete'],
 'postgresql': ['DROP TRIGGER IF EXISTS catalog_changed ON talk_sessions_recording']}

def create(apps, schema_editor):
    for sql in CREATE[schema_editor.connection.vendor]:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in DROP[vendor]:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("talk_sessions", "0005_recordings"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
