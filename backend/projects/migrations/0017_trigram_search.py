"""The list's text filter (``q=``: project name, code, customer name; ``icontains``) served by trigram indexes
on PostgreSQL (issue 15): ``UPPER(name) LIKE UPPER('%…%')`` reads the GIN index instead of every visible
row. Nothing on SQLite, where the same filter scans the table (measured in ``sicrm bench api``)."""

from django.db import migrations

INDEXES = [
    ("projects_project", "projects_project_name_trgm", "name"),
    ("projects_project", "projects_project_code_trgm", "code"),
    ("customers_customer", "customers_customer_name_trgm", "name"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0016_alter_projectsharingrule_grantee_role"),
        ("customers", "0006_customer_tier_manual"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
