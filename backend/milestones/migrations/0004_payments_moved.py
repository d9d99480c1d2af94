"""Payments moved to ``backend.payments``, step 3 of 3: drop the models from this app's state (the tables,
renamed by ``0003``, now belong to ``payments``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("milestones", "0003_payment_tables_to_payments"), ("payments", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Receipt"),
                migrations.DeleteModel(name="Invoice"),
                migrations.DeleteModel(name="PaymentTerm"),
            ],
        ),
    ]
