"""Tenders moved to ``backend.tenders``, step 3 of 3: drop them from this app's state (the tables, renamed
by ``0005``, now belong to ``tenders``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bids", "0005_tender_tables_to_tenders"),
        ("projects", "0008_tender_moved"),
        ("tenders", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="TenderAttachment"),
                migrations.DeleteModel(name="Tender"),
            ],
        ),
    ]
