"""The catalog's version changes once per bulk write on SQLite, not once a row: its
per-row triggers skip while the version holds a bulk token (sessions.listing.bulk_change).
PostgreSQL's triggers run once a statement and stay as they are."""

from django.db import migrations

# Frozen: the SQL as it was when this migration was written (see sessions.listing).
# The triggers of 0004 and 0006, created again with a WHEN clause.
OLD = ['DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_talk_insert',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_talk_update',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_talk_delete',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_taggedtalk_insert',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_taggedtalk_update',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_taggedtalk_delete',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_conference_insert',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_conference_update',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_conference_delete',
 'DROP TRIGGER IF EXISTS catalog_changed_taggit_tag_update',
 'DROP TRIGGER IF EXISTS catalog_changed_taggit_tag_delete',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_recording_insert',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_recording_update',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_recording_delete']
NEW = ['CREATE TRIGGER catalog_changed_talk_sessions_talk_insert AFTER INSERT ON talk_sessions_talk '
 'WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion ORDER BY id LIMIT 1) IS '
 "NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_talk_update AFTER UPDATE ON talk_sessions_talk '
 'WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion ORDER BY id LIMIT 1) IS '
 "NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_talk_delete AFTER DELETE ON talk_sessions_talk '
 'WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion ORDER BY id LIMIT 1) IS '
 "NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_taggedtalk_insert AFTER INSERT ON '
 'talk_sessions_taggedtalk WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion '
 "ORDER BY id LIMIT 1) IS NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_taggedtalk_update AFTER UPDATE ON '
 'talk_sessions_taggedtalk WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion '
 "ORDER BY id LIMIT 1) IS NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_taggedtalk_delete AFTER DELETE ON '
 'talk_sessions_taggedtalk WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion '
 "ORDER BY id LIMIT 1) IS NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_conference_insert AFTER INSERT ON '
 'talk_sessions_conference WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion '
 "ORDER BY id LIMIT 1) IS NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_conference_update AFTER UPDATE ON '
 'talk_sessions_conference WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion '
 "ORDER BY id LIMIT 1) IS NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_conference_delete AFTER DELETE ON '
 'talk_sessions_conference WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion '
 "ORDER BY id LIMIT 1) IS NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_taggit_tag_update AFTER UPDATE ON taggit_tag WHEN (SELECT '
 "substr(token, 1, 5) FROM talk_sessions_catalogversion ORDER BY id LIMIT 1) IS NOT 'bulk-' "
 'BEGIN UPDATE talk_sessions_catalogversion SET token = lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_taggit_tag_delete AFTER DELETE ON taggit_tag WHEN (SELECT '
 "substr(token, 1, 5) FROM talk_sessions_catalogversion ORDER BY id LIMIT 1) IS NOT 'bulk-' "
 'BEGIN UPDATE talk_sessions_catalogversion SET token = lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_recording_insert AFTER INSERT ON '
 'talk_sessions_recording WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion '
 "ORDER BY id LIMIT 1) IS NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_recording_update AFTER UPDATE ON '
 'talk_sessions_recording WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion '
 "ORDER BY id LIMIT 1) IS NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_recording_delete AFTER DELETE ON '
 'talk_sessions_recording WHEN (SELECT substr(token, 1, 5) FROM talk_sessions_catalogversion '
 "ORDER BY id LIMIT 1) IS NOT 'bulk-' BEGIN UPDATE talk_sessions_catalogversion SET token = "
 'lower(hex(randomblob(16))); END']
# Before: the same triggers without the WHEN clause (0004, 0006).
BEFORE = ['CREATE TRIGGER catalog_changed_talk_sessions_talk_insert AFTER INSERT ON talk_sessions_talk '
 'BEGIN UPDATE talk_sessions_catalogversion SET token = lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_talk_update AFTER UPDATE ON talk_sessions_talk '
 'BEGIN UPDATE talk_sessions_catalogversion SET token = lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_talk_delete AFTER DELETE ON talk_sessions_talk '
 'BEGIN UPDATE talk_sessions_catalogversion SET token = lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_taggedtalk_insert AFTER INSERT ON '
 'talk_sessions_taggedtalk BEGIN UPDATE talk_sessions_catalogversion SET token = '
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_taggedtalk_update AFTER UPDATE ON '
 'talk_sessions_taggedtalk BEGIN UPDATE talk_sessions_catalogversion SET token = '
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_taggedtalk_delete AFTER DELETE ON '
 'talk_sessions_taggedtalk BEGIN UPDATE talk_sessions_catalogversion SET token = '
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_conference_insert AFTER INSERT ON '
 'talk_sessions_conference BEGIN UPDATE talk_sessions_catalogversion SET token = '
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_conference_update AFTER UPDATE ON '
 'talk_sessions_conference BEGIN UPDATE talk_sessions_catalogversion SET token = '
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_conference_delete AFTER DELETE ON '
 'talk_sessions_conference BEGIN UPDATE talk_sessions_catalogversion SET token = '
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_taggit_tag_update AFTER UPDATE ON taggit_tag BEGIN UPDATE '
 'talk_sessions_catalogversion SET token = lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_taggit_tag_delete AFTER DELETE ON taggit_tag BEGIN UPDATE '
 'talk_sessions_catalogversion SET token = lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_recording_insert AFTER INSERT ON '
 'talk_sessions_recording BEGIN UPDATE talk_sessions_catalogversion SET token = '
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_recording_update AFTER UPDATE ON '
 'talk_sessions_recording BEGIN UPDATE talk_sessions_catalogversion SET token = '
 'lower(hex(randomblob(16))); END',
 'CREATE TRIGGER catalog_changed_talk_sessions_recording_delete AFTER DELETE ON '
 'talk_sessions_recording BEGIN UPDATE talk_sessions_catalogversion SET token = '
 'lower(hex(randomblob(16))); END']


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in [*OLD, *NEW]:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in [*OLD, *BEFORE]:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("talk_sessions", "0007_found_talks"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
