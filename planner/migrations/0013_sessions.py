"""Sessions move to a table of our own that names the person each signs in as
(planner.models.Session), so one query reads both. The sessions people hold are moved
across (nobody is signed out by the upgrade), and back when migrating backwards."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BATCH = 1000


def person_of(data: str) -> int | None:
    """The id of the person a session signs in as, if any (its data is signed with the
    SECRET_KEY, salted with the store's class name: a session that no longer decodes signs
    nobody in)."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    value = SessionStore().decode(data).get(SESSION_KEY)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def move_sessions(source, target, people=None) -> None:
    """Every session row of `source` into `target` (with `people`, each with its person);
    none left behind, where a session signed out later could come back by migrating back."""
    rows = source.objects.order_by("pk").values_list("session_key", "session_data", "expire_date")
    for start in range(0, rows.count(), BATCH):
        batch = [
            target(session_key=key, session_data=data, expire_date=expires)
            for key, data, expires in rows[start : start + BATCH]
        ]
        if people is not None:
            wanted = {row.pk: person_of(row.session_data) for row in batch}
            there = set(
                people.filter(pk__in=set(wanted.values()) - {None}).values_list("pk", flat=True)
            )
            for row in batch:
                row.user_id = wanted[row.pk] if wanted[row.pk] in there else None
        target.objects.bulk_create(batch, ignore_conflicts=True)
    source.objects.all().delete()


def forwards(apps, schema_editor) -> None:
    people = apps.get_model(settings.AUTH_USER_MODEL)._default_manager
    move_sessions(
        apps.get_model("sessions", "Session"), apps.get_model("planner", "Session"), people
    )


def backwards(apps, schema_editor) -> None:
    move_sessions(apps.get_model("planner", "Session"), apps.get_model("sessions", "Session"))


class Migration(migrations.Migration):
    dependencies = [
        ("planner", "0012_positions"),
        ("sessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
