"""The list's text filter on SQLite: an FTS5 trigram index of project name, code and customer name, kept by
triggers (``backend/projects/text_index.py``; issue 15). Nothing on PostgreSQL (migration 0017)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from backend.projects import text_index

    text_index.ensure(schema_editor.connection.alias)


def backwards(apps, schema_editor):
    from backend.projects import text_index

    text_index.drop(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("projects", "0018_list_sort_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
