"""The tender list's order (publish date newest first, undated tenders last, then the id) as an index, so a
page is read off it instead of sorting every tender (issue 15). PostgreSQL sorts NULLs first in a descending
index unless told otherwise; SQLite sorts them last already and does not accept NULLS LAST in an index."""

from django.db import migrations

NAME = "tender_newest_first"


def create(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {NAME} ON tenders_tender (publish_date DESC{nulls}, id DESC)")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {NAME}")


class Migration(migrations.Migration):
    dependencies = [("tenders", "0002_tender_search_dirty")]

    operations = [migrations.RunPython(create, drop)]
