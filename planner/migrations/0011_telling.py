"""Told by email and feed: how a person is told (Telling: the digest's address and its
confirmation, the Atom feed's token) and the digests sent (Digest; News.digest ties each
news to the digest that mailed it: the outbox). Both tables change their person's page
token (planner.serving.kept)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


# Frozen: the SQL as it was when this migration was written (see planner.serving.kept).
CREATE = {'postgresql': ['CREATE FUNCTION kept_planner_telling() RETURNS trigger LANGUAGE plpgsql AS $$ '
                "BEGIN IF TG_OP <> 'DELETE' THEN PERFORM planner_kept_bump(NEW.user_id); END IF; "
                "IF TG_OP <> 'INSERT' THEN PERFORM planner_kept_bump(OLD.user_id); END IF; RETURN "
                'NULL; END $$',
                'CREATE CONSTRAINT TRIGGER kept_planner_telling AFTER INSERT OR UPDATE OR DELETE '
                'ON planner_telling DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION '
                'kept_planner_telling()',
                'CREATE FUNCTION kept_planner_digest() RETURNS trigger LANGUAGE plpgsql AS $$ '
                "BEGIN IF TG_OP <> 'DELETE' THEN PERFORM planner_kept_bump(NEW.user_id); END IF; "
                "IF TG_OP <> 'INSERT' THEN PERFORM planner_kept_bump(OLD.user_id); END IF; RETURN "
                'NULL; END $$',
                'CREATE CONSTRAINT TRIGGER kept_planner_digest AFTER INSERT OR UPDATE OR DELETE ON '
                'planner_digest DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION '
                'kept_planner_digest()'],
 'sqlite': ['CREATE TRIGGER kept_planner_telling_insert AFTER INSERT ON planner_telling BEGIN '
            'INSERT INTO planner_pagetoken (user_id, token) SELECT owner, '
            'lower(hex(randomblob(16))) FROM (SELECT NEW.user_id AS owner) WHERE owner IS NOT NULL '
            'ON CONFLICT (user_id) DO UPDATE SET token = excluded.token; END',
            'CREATE TRIGGER kept_planner_telling_update AFTER UPDATE ON planner_telling BEGIN '
            'INSERT INTO planner_pagetoken (user_id, token) SELECT owner, '
            'lower(hex(randomblob(16))) FROM (SELECT NEW.user_id AS owner UNION SELECT OLD.user_id '
            'AS owner) WHERE owner IS NOT NULL ON CONFLICT (user_id) DO UPDATE SET token = '
            'excluded.token; END',
            'CREATE TRIGGER kept_planner_telling_delete AFTER DELETE ON planner_telling BEGIN '
            'INSERT INTO planner_pagetoken (user_id, token) SELECT owner, '
            'lower(hex(randomblob(16))) FROM (SELECT OLD.user_id AS owner) WHERE owner IS NOT NULL '
            'ON CONFLICT (user_id) DO UPDATE SET token = excluded.token; END',
            'CREATE TRIGGER kept_planner_digest_insert AFTER INSERT ON planner_digest BEGIN INSERT '
            'INTO planner_pagetoken (user_id, token) SELECT owner, lower(hex(randomblob(16))) FROM '
            '(SELECT NEW.user_id AS owner) WHERE owner IS NOT NULL ON CONFLICT (user_id) DO UPDATE '
            'SET token = excluded.token; END',
            'CREATE TRIGGER kept_planner_digest_update AFTER UPDATE ON planner_digest BEGIN INSERT '
            'INTO planner_pagetoken (user_id, token) SELECT owner, lower(hex(randomblob(16))) FROM '
            '(SELECT NEW.user_id AS owner UNION SELECT OLD.user_id AS owner) WHERE owner IS NOT '
            'NULL ON CONFLICT (user_id) DO UPDATE SET token = excluded.token; END',
            'CREATE TRIGGER kept_planner_digest_delete AFTER DELETE ON planner_digest BEGIN INSERT '
            'INTO planner_pagetoken (user_id, token) SELECT owner, lower(hex(randomblob(16))) FROM '
            '(SELECT OLD.user_id AS owner) WHERE owner IS NOT NULL ON CONFLICT (user_id) DO UPDATE '
            'SET token = excluded.token; END']}
DROP = {'postgresql': ['DROP TRIGGER IF EXISTS kept_planner_telling ON planner_telling',
                'DROP FUNCTION IF EXISTS kept_planner_telling()',
                'DROP TRIGGER IF EXISTS kept_planner_digest ON planner_digest',
                'DROP FUNCTION IF EXISTS kept_planner_digest()'],
 'sqlite': ['DROP TRIGGER IF EXISTS kept_planner_telling_insert',
            'DROP TRIGGER IF EXISTS kept_planner_telling_update',
            'DROP TRIGGER IF EXISTS kept_planner_telling_delete',
            'DROP TRIGGER IF EXISTS kept_planner_digest_insert',
            'DROP TRIGGER IF EXISTS kept_planner_digest_update',
            'DROP TRIGGER IF EXISTS kept_planner_digest_delete']}


def create(apps, schema_editor):
    for sql in CREATE[schema_editor.connection.vendor]:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('planner', '0010_news'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Digest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address', models.EmailField(max_length=254)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('next_at', models.DateTimeField(blank=True, help_text='When to (try to) send it; None once sent or given up', null=True)),
                ('tries', models.PositiveSmallIntegerField(default=0)),
                ('error', models.CharField(blank=True, max_length=500)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.AddField(
            model_name='news',
            name='digest',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='news', to='planner.digest'),
        ),
        migrations.CreateModel(
            name='Telling',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                ('digest_on', models.BooleanField(default=False, verbose_name='email me')),
                ('confirmed_at', models.DateTimeField(blank=True, help_text='When `address` was confirmed; None until it is', null=True)),
                ('feed_token', models.CharField(blank=True, default='', editable=False, max_length=64)),
                ('feed_digest', models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='telling', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.AddIndex(
            model_name='digest',
            index=models.Index(fields=['user', '-created_at'], name='digest_latest'),
        ),
        migrations.AddIndex(
            model_name='digest',
            index=models.Index(fields=['next_at'], name='digest_due'),
        ),
        migrations.AddConstraint(
            model_name='digest',
            constraint=models.CheckConstraint(condition=models.Q(('sent_at__isnull', True), ('next_at__isnull', True), _connector='OR'), name='digest_sent_is_done'),
        ),
        migrations.AddConstraint(
            model_name='telling',
            constraint=models.CheckConstraint(condition=models.Q(('confirmed_at__isnull', True), models.Q(('address', ''), _negated=True), _connector='OR'), name='telling_confirms_an_address'),
        ),
        migrations.AddConstraint(
            model_name='telling',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('feed_digest__isnull', True), ('feed_token', '')), models.Q(('feed_digest__isnull', False), models.Q(('feed_token', ''), _negated=True)), _connector='OR'), name='telling_feed_token_and_digest_together'),
        ),
        migrations.RunPython(create, drop),
    ]
