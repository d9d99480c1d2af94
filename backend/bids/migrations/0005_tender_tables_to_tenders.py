"""Tenders moved to their own app (``backend.tenders``). Step 1 of 3: rename the tables in place, so an
existing installation keeps every row; ``tenders.0001_initial`` then takes the models over in Django's state
(no database change) and ``bids.0006_tender_moved`` drops them from this app's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bids", "0004_default_reasons"), ("projects", "0007_project_closed_from")]

    operations = [
        migrations.AlterModelTable(name="tender", table="tenders_tender"),
        migrations.AlterModelTable(name="tenderattachment", table="tenders_tenderattachment"),
    ]
