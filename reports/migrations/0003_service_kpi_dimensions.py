"""The service desk's KPI dimensions (SLA attainment of resolved requests, average satisfaction), added with
weight 0: they show in the KPI table at once, and the composite score of everyone stays as it was until an
administrator gives them a weight (weights are relative: the composite is the weighted average of the
dimensions a person has a value for, so they need not add up to 100)."""

from django.db import migrations, models

DIMENSIONS = [
    # code, Chinese, English, computed metric, weight, order
    ("service_sla", "工单解决 SLA 达成率", "Service requests resolved within SLA", "service_sla", 0, 20),
    ("service_csat", "客户满意度", "Customer satisfaction (service)", "service_csat", 0, 21),
]


def load(apps, schema_editor):
    KpiDimension = apps.get_model("reports", "KpiDimension")
    for code, zh, en, metric, weight, order in DIMENSIONS:
        KpiDimension.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "metric": metric, "weight": weight, "order": order}
        )


def unload(apps, schema_editor):
    KpiDimension = apps.get_model("reports", "KpiDimension")
    KpiDimension.objects.filter(code__in=[d[0] for d in DIMENSIONS], scores__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_default_dimensions_and_tiers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='kpidimension',
            name='metric',
            field=models.CharField(blank=True, choices=[('won_amount', 'Won amount'), ('win_rate', 'Win rate'), ('active_projects', 'Active projects'), ('on_time_milestones', 'On-time milestones'), ('approved_deliverables', 'Approved deliverables'), ('interactions', 'Customer interactions logged'), ('service_sla', 'Service requests resolved within SLA'), ('service_csat', 'Average customer satisfaction of service requests')], help_text='Empty: a soft score entered by managers.', max_length=30, verbose_name='computed metric'),
        ),
        migrations.RunPython(load, unload),
    ]
