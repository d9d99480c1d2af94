"""Payment terms, invoices and receipts moved here from ``milestones``: the tables were renamed by
``milestones.0003`` (existing rows stay), so this migration only takes the models over in Django's state, and
points the content types (and with them permissions and admin history) at the new app."""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

MOVED = ("paymentterm", "invoice", "receipt")


def content_types_to(app_label: str, old_label: str):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in MOVED:
            if not content_type.objects.using(db).filter(app_label=app_label, model=model).exists():
                content_type.objects.using(db).filter(app_label=old_label, model=model).update(app_label=app_label)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('milestones', '0003_payment_tables_to_payments'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('projects', '0008_tender_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PaymentTerm',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('percent', models.DecimalField(decimal_places=2, max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))], verbose_name='percent')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='amount')),
                        ('due_date', models.DateField(blank=True, help_text='Fixed by date, or set when the milestone is accepted.', null=True, verbose_name='due date')),
                        ('days_after_acceptance', models.PositiveSmallIntegerField(default=30, verbose_name='days after acceptance')),
                        ('written_off', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=16, verbose_name='written off')),
                        ('write_off_reason', models.TextField(blank=True, verbose_name='write-off reason')),
                        ('milestone', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='payment_terms', to='milestones.milestone')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='payment_terms', to='projects.project')),
                    ],
                    options={
                        'verbose_name': 'payment term',
                        'verbose_name_plural': 'payment terms',
                        'ordering': ['project_id', 'order', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Invoice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('number', models.CharField(max_length=50, unique=True, verbose_name='invoice number')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='amount')),
                        ('issued_on', models.DateField(verbose_name='issued on')),
                        ('due_on', models.DateField(blank=True, null=True, verbose_name='due on')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invoices', to='projects.project')),
                        ('payment_term', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invoices', to='payments.paymentterm')),
                    ],
                    options={
                        'verbose_name': 'invoice',
                        'verbose_name_plural': 'invoices',
                        'ordering': ['project_id', 'issued_on', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Receipt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=16, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='amount')),
                        ('received_on', models.DateField(verbose_name='received on')),
                        ('reference', models.CharField(blank=True, max_length=100, verbose_name='bank reference')),
                        ('invoice', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='receipts', to='payments.invoice')),
                        ('payment_term', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='payments.paymentterm')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='receipts', to='projects.project')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'receipt',
                        'verbose_name_plural': 'receipts',
                        'ordering': ['project_id', 'received_on', 'pk'],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to('payments', 'milestones'), content_types_to('milestones', 'payments')),
    ]
