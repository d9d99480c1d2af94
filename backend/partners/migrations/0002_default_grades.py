"""The default partner grades of a fresh install: 金牌 Gold, 银牌 Silver, 注册 Registered (every partner meets
the registered grade's zero thresholds). Administrators change them in the admin; a rerun keeps their edits."""

from decimal import Decimal

from django.db import migrations

GRADES = [
    # code, name, name_en, rank, trainings, years, volume, certifications, credit limit, discount ceiling, support
    ("gold", "金牌", "Gold", 30, 4, 3, Decimal("5000000"), 3, Decimal("5000000"), Decimal("15"), "24x7"),
    ("silver", "银牌", "Silver", 20, 2, 1, Decimal("1000000"), 1, Decimal("1000000"), Decimal("10"), "5x8"),
    ("registered", "注册", "Registered", 10, 0, 0, Decimal("0"), 0, Decimal("0"), Decimal("5"), "best_effort"),
]


def create(apps, schema_editor):
    PartnerGrade = apps.get_model("partners", "PartnerGrade")
    for code, name, name_en, rank, trainings, years, volume, certs, credit, ceiling, support in GRADES:
        PartnerGrade.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "rank": rank,
                "min_trainings": trainings,
                "min_years": years,
                "min_volume": volume,
                "min_certifications": certs,
                "credit_limit": credit,
                "discount_ceiling": ceiling,
                "support_level": support,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]
    # unapplying keeps the grades: profiles may point at them, and 0001's reversal drops the table anyway
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
