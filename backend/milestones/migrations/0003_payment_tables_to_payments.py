"""Payment terms, invoices and receipts moved to their own app (``backend.payments``). Step 1 of 3: rename
the tables in place, so an existing installation keeps every row; ``payments.0001_initial`` then takes the
models over in Django's state (no database change) and ``milestones.0004_payments_moved`` drops them from this
app's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("milestones", "0002_historicalmilestone")]

    operations = [
        migrations.AlterModelTable(name="paymentterm", table="payments_paymentterm"),
        migrations.AlterModelTable(name="invoice", table="payments_invoice"),
        migrations.AlterModelTable(name="receipt", table="payments_receipt"),
    ]
