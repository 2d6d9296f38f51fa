"""Resume points move without changing the page token: an update of an entry that only
moves its resume point (the player's saves, every 15 s) changes the person's new
`positions` stamp instead, and kept pages fill resume points in on the way out
(planner.serving.kept). The column is added in place (no table rebuild on SQLite)."""

from django.db import migrations, models

# Frozen: the SQL as it was when this migration was written (see planner.serving.kept).
CREATE_NEW = {'postgresql': ['CREATE FUNCTION planner_kept_moved(owner bigint) RETURNS void LANGUAGE sql AS $$ '
                'INSERT INTO planner_pagetoken (user_id, token, positions) VALUES (owner, '
                'md5(random()::text), md5(random()::text || clock_timestamp()::text)) ON CONFLICT '
                '(user_id) DO UPDATE SET positions = EXCLUDED.positions $$',
                'CREATE FUNCTION kept_planner_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
                "IF TG_OP = 'UPDATE' THEN IF COALESCE(OLD.resume_seconds, 0) > 0 AND "
                'COALESCE(NEW.resume_seconds, 0) > 0 AND OLD.id IS NOT DISTINCT FROM NEW.id AND '
                'OLD.user_id IS NOT DISTINCT FROM NEW.user_id AND OLD.talk_id IS NOT DISTINCT FROM '
                'NEW.talk_id AND OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.position IS '
                'NOT DISTINCT FROM NEW.position AND OLD.rating IS NOT DISTINCT FROM NEW.rating AND '
                'OLD.note IS NOT DISTINCT FROM NEW.note AND OLD.note_html IS NOT DISTINCT FROM '
                'NEW.note_html AND OLD.personal_seconds IS NOT DISTINCT FROM NEW.personal_seconds '
                'AND OLD.created_at IS NOT DISTINCT FROM NEW.created_at THEN PERFORM '
                'planner_kept_moved(NEW.user_id); RETURN NULL; END IF; END IF; IF TG_OP <> '
                "'DELETE' THEN PERFORM planner_kept_bump(NEW.user_id); END IF; IF TG_OP <> "
                "'INSERT' THEN PERFORM planner_kept_bump(OLD.user_id); END IF; RETURN NULL; END $$",
                'CREATE CONSTRAINT TRIGGER kept_planner_entry AFTER INSERT OR UPDATE OR DELETE ON '
                'planner_entry DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION '
                'kept_planner_entry()'],
 'sqlite': ['CREATE TRIGGER kept_planner_entry_insert AFTER INSERT ON planner_entry BEGIN INSERT '
            'INTO planner_pagetoken (user_id, token) SELECT owner, lower(hex(randomblob(16))) FROM '
            '(SELECT NEW.user_id AS owner) WHERE owner IS NOT NULL ON CONFLICT (user_id) DO UPDATE '
            'SET token = excluded.token; END',
            'CREATE TRIGGER kept_planner_entry_update AFTER UPDATE ON planner_entry WHEN NOT '
            '(COALESCE(OLD.resume_seconds, 0) > 0 AND COALESCE(NEW.resume_seconds, 0) > 0 AND '
            'OLD.id IS NEW.id AND OLD.user_id IS NEW.user_id AND OLD.talk_id IS NEW.talk_id AND '
            'OLD.status IS NEW.status AND OLD.position IS NEW.position AND OLD.rating IS '
            'NEW.rating AND OLD.note IS NEW.note AND OLD.note_html IS NEW.note_html AND '
            'OLD.personal_seconds IS NEW.personal_seconds AND OLD.created_at IS NEW.created_at) '
            'BEGIN INSERT INTO planner_pagetoken (user_id, token) SELECT owner, '
            'lower(hex(randomblob(16))) FROM (SELECT NEW.user_id AS owner UNION SELECT OLD.user_id '
            'AS owner) WHERE owner IS NOT NULL ON CONFLICT (user_id) DO UPDATE SET token = '
            'excluded.token; END',
            'CREATE TRIGGER kept_planner_entry_moved AFTER UPDATE ON planner_entry WHEN '
            'COALESCE(OLD.resume_seconds, 0) > 0 AND COALESCE(NEW.resume_seconds, 0) > 0 AND '
            'OLD.id IS NEW.id AND OLD.user_id IS NEW.user_id AND OLD.talk_id IS NEW.talk_id AND '
            'OLD.status IS NEW.status AND OLD.position IS NEW.position AND OLD.rating IS '
            'NEW.rating AND OLD.note IS NEW.note AND OLD.note_html IS NEW.note_html AND '
            'OLD.personal_seconds IS NEW.personal_seconds AND OLD.created_at IS NEW.created_at '
            'BEGIN INSERT INTO planner_pagetoken (user_id, token, positions) VALUES (NEW.user_id, '
            'lower(hex(randomblob(16))), lower(hex(randomblob(16)))) ON CONFLICT (user_id) DO '
            'UPDATE SET positions = excluded.positions; END',
            'CREATE TRIGGER kept_planner_entry_delete AFTER DELETE ON planner_entry BEGIN INSERT '
            'INTO planner_pagetoken (user_id, token) SELECT owner, lower(hex(randomblob(16))) FROM '
            '(SELECT OLD.user_id AS owner) WHERE owner IS NOT NULL ON CONFLICT (user_id) DO UPDATE '
            'SET token = excluded.token; END']}
DROP_NEW = {'postgresql': ['DROP TRIGGER IF EXISTS kept_planner_entry ON planner_entry',
                'DROP FUNCTION IF EXISTS kept_planner_entry()',
                'DROP FUNCTION IF EXISTS planner_kept_moved(bigint)'],
 'sqlite': ['DROP TRIGGER IF EXISTS kept_planner_entry_insert',
            'DROP TRIGGER IF EXISTS kept_planner_entry_update',
            'DROP TRIGGER IF EXISTS kept_planner_entry_delete',
            'DROP TRIGGER IF EXISTS kept_planner_entry_moved']}
CREATE_OLD = {'postgresql': ['CREATE FUNCTION kept_planner_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
                "IF TG_OP <> 'DELETE' THEN PERFORM planner_kept_bump(NEW.user_id); END IF; IF "
                "TG_OP <> 'INSERT' THEN PERFORM planner_kept_bump(OLD.user_id); END IF; RETURN "
                'NULL; END $$',
                'CREATE CONSTRAINT TRIGGER kept_planner_entry AFTER INSERT OR UPDATE OR DELETE ON '
                'planner_entry DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION '
                'kept_planner_entry()'],
 'sqlite': ['CREATE TRIGGER kept_planner_entry_insert AFTER INSERT ON planner_entry BEGIN INSERT '
            'INTO planner_pagetoken (user_id, token) SELECT owner, lower(hex(randomblob(16))) FROM '
            '(SELECT NEW.user_id AS owner) WHERE owner IS NOT NULL ON CONFLICT (user_id) DO UPDATE '
            'SET token = excluded.token; END',
            'CREATE TRIGGER kept_planner_entry_update AFTER UPDATE ON planner_entry BEGIN INSERT '
            'INTO planner_pagetoken (user_id, token) SELECT owner, lower(hex(randomblob(16))) FROM '
            '(SELECT NEW.user_id AS owner UNION SELECT OLD.user_id AS owner) WHERE owner IS NOT '
            'NULL ON CONFLICT (user_id) DO UPDATE SET token = excluded.token; END',
            'CREATE TRIGGER kept_planner_entry_delete AFTER DELETE ON planner_entry BEGIN INSERT '
            'INTO planner_pagetoken (user_id, token) SELECT owner, lower(hex(randomblob(16))) FROM '
            '(SELECT OLD.user_id AS owner) WHERE owner IS NOT NULL ON CONFLICT (user_id) DO UPDATE '
            'SET token = excluded.token; END']}
DROP_OLD = {'postgresql': ['DROP TRIGGER IF EXISTS kept_planner_entry ON planner_entry',
                'DROP FUNCTION IF EXISTS kept_planner_entry()'],
 'sqlite': ['DROP TRIGGER IF EXISTS kept_planner_entry_insert',
            'DROP TRIGGER IF EXISTS kept_planner_entry_update',
            'DROP TRIGGER IF EXISTS kept_planner_entry_delete']}


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("planner", "0011_telling"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="pagetoken",
                    name="positions",
                    field=models.CharField(default="", max_length=32),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE planner_pagetoken ADD COLUMN positions varchar(32) "
                    "NOT NULL DEFAULT ''",
                    "ALTER TABLE planner_pagetoken DROP COLUMN positions",
                ),
            ],
        ),
        migrations.RunPython(_run(DROP_OLD), _run(CREATE_OLD)),
        migrations.RunPython(_run(CREATE_NEW), _run(DROP_NEW)),
    ]
