"""Default SLA targets (working hours) for a fresh install: any customer tier, and tighter ones for tier A.
Administrators change them in the admin; existing rows are left alone."""

from django.db import migrations

DEFAULTS = {
    "": {"p1": (2, 8), "p2": (4, 16), "p3": (8, 40), "p4": (16, 80)},
    "A": {"p1": (1, 4), "p2": (2, 8), "p3": (4, 24), "p4": (8, 40)},
}


def create(apps, schema_editor):
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    for tier, targets in DEFAULTS.items():
        for priority, (response, resolution) in targets.items():
            SlaPolicy.objects.get_or_create(
                tier=tier,
                priority=priority,
                defaults={"response_hours": response, "resolution_hours": resolution},
            )


class Migration(migrations.Migration):
    dependencies = [("service", "0002_requestattachment_content_type_and_more")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
