"""Product data: the default KPI dimensions (names in both languages) and how often each customer tier expects
to hear from us. Administrators change both in the admin."""

from django.db import migrations

DIMENSIONS = [
    # code, Chinese, English, computed metric ("" = soft score), weight
    ("won_amount", "赢单金额", "Won amount", "won_amount", 30),
    ("win_rate", "赢单率", "Win rate", "win_rate", 15),
    ("on_time", "里程碑按时率", "On-time milestones", "on_time_milestones", 15),
    ("deliverables", "交付物通过数", "Approved deliverables", "approved_deliverables", 10),
    ("interactions", "客户拜访与沟通", "Customer interactions", "interactions", 10),
    ("innovation", "创新性", "Innovation", "", 10),
    ("collaboration", "协作性", "Collaboration", "", 10),
]
TIERS = [("A", 30), ("B", 90), ("C", 180)]


def load(apps, schema_editor):
    KpiDimension = apps.get_model("reports", "KpiDimension")
    TierPolicy = apps.get_model("reports", "TierPolicy")
    for order, (code, zh, en, metric, weight) in enumerate(DIMENSIONS):
        KpiDimension.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "metric": metric, "weight": weight, "order": order}
        )
    for tier, days in TIERS:
        TierPolicy.objects.get_or_create(tier=tier, defaults={"contact_days": days})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
