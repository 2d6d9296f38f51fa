"""Recordings beyond YouTube: a talk's video is a provider and a reference (Recording
holds every one, Talk the first), talks are matched on the source's own key, and
talks carry what schedules and video catalogs give (track, language, thumbnail,
date, whether the length is a slot)."""

from django.db import migrations, models
from django.utils import timezone



PROVIDERS = [
    ("youtube", "YouTube"),
    ("vimeo", "Vimeo"),
    ("mediaccc", "media.ccc.de"),
    ("peertube", "PeerTube"),
    ("archive", "archive.org"),
    ("file", "Video file"),
]


# Frozen: the SQL as it was when this migration was written (see planner.kept).
SQLITE_CREATE = ['CREATE VIRTUAL TABLE talk_sessions_talk_search USING fts5(title, speaker_name, tagline, '
 "outline_text, content='talk_sessions_talk', content_rowid='id', tokenize='unicode61 "
 "remove_diacritics 2')",
 'CREATE TRIGGER talk_search_insert AFTER INSERT ON talk_sessions_talk BEGIN INSERT INTO '
 'talk_sessions_talk_search(rowid, title, speaker_name, tagline, outline_text) VALUES (new.id, '
 'new.title, new.speaker_name, new.tagline, new.outline_text); END',
 'CREATE TRIGGER talk_search_delete AFTER DELETE ON talk_sessions_talk BEGIN INSERT INTO '
 'talk_sessions_talk_search(talk_sessions_talk_search, rowid, title, speaker_name, tagline, '
 "outline_text) VALUES ('delete', old.id, old.title, old.speaker_name, old.tagline, "
 'old.outline_text); END',
 'CREATE TRIGGER talk_search_update AFTER UPDATE OF title, speaker_name, tagline, outline_text '
 'ON talk_sessions_talk BEGIN INSERT INTO talk_sessions_talk_search(talk_sessions_talk_search, '
 "rowid, title, speaker_name, tagline, outline_text) VALUES ('delete', old.id, old.title, "
 'old.speaker_name, old.tagline, old.outline_text); INSERT INTO '
 'talk_sessions_talk_search(rowid, title, speaker_name, tagline, outline_text) VALUES (new.id, '
 'new.title, new.speaker_name, new.tagline, new.outline_text); END',
 "INSERT INTO talk_sessions_talk_search(talk_sessions_talk_search) VALUES ('rebuild')",
 'CREATE TRIGGER catalog_changed_talk_sessions_talk_insert AFTER INSERT ON talk_sessions_talk '
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
 'talk_sessions_catalogversion SET token = lower(hex(randomblob(16))); END']
SQLITE_DROP = ['DROP TRIGGER IF EXISTS talk_search_insert',
 'DROP TRIGGER IF EXISTS talk_search_delete',
 'DROP TRIGGER IF EXISTS talk_search_update',
 'DROP TABLE IF EXISTS talk_sessions_talk_search',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_talk_insert',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_talk_update',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_talk_delete',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_taggedtalk_insert',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_taggedtalk_update',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_taggedtalk_delete',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_conference_insert',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_conference_update',
 'DROP TRIGGER IF EXISTS catalog_changed_talk_sessions_conference_delete',
 'DROP TRIGGER IF EXISTS catalog_changed_taggit_tag_update',
 'DROP TRIGGER IF EXISTS catalog_changed_taggit_tag_delete']

def drop_sqlite_triggers(apps, schema_editor):
    # SQLite rebuilds a table to change its columns, and its triggers go with it.
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql, params=None)


def create_sqlite_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_CREATE:
            schema_editor.execute(sql, params=None)


def youtube_recordings(apps, schema_editor):
    Talk = apps.get_model("talk_sessions", "Talk")
    Recording = apps.get_model("talk_sessions", "Recording")
    now = timezone.now()
    talks = list(Talk.objects.all())
    for talk in talks:
        talk.source_key = talk.video_ref
        talk.video_provider = "youtube"
        talk.video_since = now
    Talk.objects.bulk_update(talks, ["source_key", "video_provider", "video_since"], 500)
    Recording.objects.bulk_create(
        [Recording(talk=t, provider="youtube", reference=t.video_ref) for t in talks], 1000
    )


def back_to_video_ids(apps, schema_editor):
    Talk = apps.get_model("talk_sessions", "Talk")
    if Talk.objects.exclude(video_provider="youtube").exists():
        raise RuntimeError("Talks without a YouTube video cannot go back to 0004.")


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0004_catalog_version")]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.RemoveConstraint(model_name="talk", name="talk_unique_video_per_conference"),
        migrations.RenameField(model_name="talk", old_name="video_id", new_name="video_ref"),
        migrations.AlterField(
            model_name="talk",
            name="video_ref",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="talk",
            name="video_provider",
            field=models.CharField(
                blank=True,
                choices=PROVIDERS,
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="talk",
            name="video_since",
            field=models.DateTimeField(
                blank=True, help_text="When the talk first had a recording", null=True
            ),
        ),
        migrations.AddField(
            model_name="talk",
            name="source_key",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="talk",
            name="source_slug",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="talk", name="track", field=models.CharField(blank=True, max_length=100)
        ),
        migrations.AddField(
            model_name="talk", name="language", field=models.CharField(blank=True, max_length=20)
        ),
        migrations.AddField(
            model_name="talk",
            name="thumbnail_url",
            field=models.URLField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="talk", name="held_on", field=models.DateField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="talk", name="length_is_slot", field=models.BooleanField(default=False)
        ),
        migrations.AlterField(
            model_name="talk",
            name="kind",
            field=models.CharField(
                choices=[
                    ("keynote", "Keynote"),
                    ("breakout", "Breakout session"),
                    ("talk", "Talk"),
                    ("lightning", "Lightning talk"),
                    ("workshop", "Workshop"),
                    ("panel", "Panel"),
                    ("other", "Other session"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="conference",
            name="source_url",
            field=models.URLField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="conference",
            name="source_format",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="conference",
            name="refreshed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="Recording",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "provider",
                    models.CharField(
                        choices=PROVIDERS,
                        max_length=20,
                    ),
                ),
                ("reference", models.CharField(max_length=500)),
                ("language", models.CharField(blank=True, max_length=20)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "talk",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="recordings",
                        to="talk_sessions.talk",
                    ),
                ),
            ],
            options={"ordering": ["talk", "position"]},
        ),
        migrations.AddConstraint(
            model_name="recording",
            constraint=models.UniqueConstraint(
                fields=("talk", "provider", "reference"), name="recording_unique"
            ),
        ),
        migrations.RunPython(youtube_recordings, back_to_video_ids),
        migrations.AddConstraint(
            model_name="talk",
            constraint=models.UniqueConstraint(
                fields=("conference", "source_key"), name="talk_unique_source_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="talk",
            constraint=models.CheckConstraint(
                condition=models.Q(("video_provider", ""), ("video_ref", ""))
                | models.Q(
                    models.Q(("video_provider", ""), _negated=True),
                    models.Q(("video_ref", ""), _negated=True),
                ),
                name="talk_video_whole",
            ),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
    ]
