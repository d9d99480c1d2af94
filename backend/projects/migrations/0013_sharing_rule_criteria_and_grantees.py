"""Sharing rules grow from (department, industry) to any criteria and one grantee (schema only; the rows move
in 0014, the constraints come in 0015 once every row satisfies them)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("customers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("projects", "0012_localized_names"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="projectsharingrule", name="uniq_sharing_rule"),
        migrations.AlterModelOptions(
            name="projectsharingrule",
            options={"ordering": ["pk"], "verbose_name": "sharing rule", "verbose_name_plural": "sharing rules"},
        ),
        migrations.AlterField(
            model_name="projectsharingrule",
            name="department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sharing_rules_on",
                to="accounts.department",
                verbose_name="project department",
            ),
        ),
        migrations.AlterField(
            model_name="projectsharingrule",
            name="industry",
            field=models.CharField(
                blank=True,
                choices=[],
                max_length=30,
                verbose_name="industry",
            ),
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="include_subdepartments",
            field=models.BooleanField(default=True, verbose_name="include sub-departments"),
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="region",
            field=models.CharField(blank=True, choices=[], max_length=30, verbose_name="region"),
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="customer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sharing_rules",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="customer_tier",
            field=models.CharField(blank=True, choices=[], max_length=1, verbose_name="customer tier"),
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="grantee_department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sharing_rules",
                to="accounts.department",
                verbose_name="grantee department",
            ),
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="grantee_role",
            field=models.CharField(blank=True, choices=[], max_length=30, verbose_name="grantee role"),
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="grantee_user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sharing_rules",
                to=settings.AUTH_USER_MODEL,
                verbose_name="grantee user",
            ),
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="note",
            field=models.CharField(blank=True, max_length=200, verbose_name="note"),
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name="created"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="projectsharingrule",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated"),
        ),
    ]
