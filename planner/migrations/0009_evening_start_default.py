"""The plan's default start as a function (planner.models.evening_start). Only Django's
own state changes: the default is Python's, never the database's, and an AlterField on
SQLite would rebuild the table and drop its page-token triggers (planner 0007)."""

from django.db import migrations, models

import planner.models


class Migration(migrations.Migration):
    dependencies = [
        ("planner", "0008_names_change_page_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="viewingplan",
                    name="start_time",
                    field=models.TimeField(
                        default=planner.models.evening_start, verbose_name="start at"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
