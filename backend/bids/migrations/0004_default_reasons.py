from django.db import migrations

from backend.bids.reasons import DEFAULT_REASONS


def create(apps, schema_editor):
    reason = apps.get_model("bids", "WinLossReason")
    for order, (code, name, _english) in enumerate(DEFAULT_REASONS):
        reason.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("bids", "0003_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
