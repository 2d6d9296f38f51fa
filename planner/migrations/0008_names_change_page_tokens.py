"""A curator renamed (in the admin, say) changes their page token, so their shared list,
kept per that token (planner.kept), shows the new name at once."""

from django.db import migrations

# Frozen: the SQL as it was when this migration was written (see planner.kept).
CREATE = {'sqlite': ['CREATE TRIGGER kept_auth_user_update AFTER UPDATE ON auth_user BEGIN INSERT INTO '
            'planner_pagetoken (user_id, token) SELECT owner, lower(hex(randomblob(16))) FROM '
            '(SELECT NEW.id AS owner UNION SELECT OLD.id AS owner) WHERE owner IS NOT NULL ON '
            'CONFLICT (user_id) DO UPDATE SET token = excluded.token; END'],
 'postgresql': ['CREATE FUNCTION kept_auth_user() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
                "IF TG_OP <> 'DELETE' THEN PERFORM planner_kept_bump(NEW.id); END IF; IF TG_OP "
                "<> 'INSERT' THEN PERFORM planner_kept_bump(OLD.id); END IF; RETURN NULL; END "
                '$$',
                'CREATE CONSTRAINT TRIGGER kept_auth_user AFTER UPDATE ON auth_user DEFERRABLE '
                'INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kept_auth_user()']}
DROP = {'sqlite': ['DROP TRIGGER IF EXISTS kept_auth_user_update'],
 'postgresql': ['DROP TRIGGER IF EXISTS kept_auth_user ON auth_user',
                'DROP FUNCTION IF EXISTS kept_auth_user()']}


def create(apps, schema_editor):
    for sql in CREATE[schema_editor.connection.vendor]:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("planner", "0007_page_token"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
