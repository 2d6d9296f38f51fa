from django.db import migrations

from sessions import search


def create(apps, schema_editor):
    for sql in search.create_index_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in search.drop_index_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("talk_sessions", "0002_catalog_order_index")]

    operations = [migrations.RunPython(create, drop)]
