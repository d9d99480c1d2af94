"""Tenders moved to ``backend.tenders`` (see ``bids.0005``): the project's link follows in Django's state;
the database column and its foreign key are unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_project_closed_from"), ("tenders", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="project",
                    name="tender",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="projects",
                        to="tenders.tender",
                        verbose_name="tender",
                    ),
                ),
            ],
        ),
    ]
