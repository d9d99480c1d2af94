"""Tenders moved here from ``bids``: the tables were renamed by ``bids.0005`` (existing rows stay), so
this migration only takes the models over in Django's state, and points the content types (and with them
permissions and admin history) at the new app."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("tender", "tenderattachment")


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
        ('bids', '0005_tender_tables_to_tenders'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('customers', '0003_interaction_customer_time'),
        ('workflows', '0003_remove_review_uniq_pending_review_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Tender',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('number', models.CharField(max_length=100, unique=True, verbose_name='tender number')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('buyer', models.CharField(max_length=200, verbose_name='buyer')),
                        ('budget', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='budget')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('industry', models.CharField(choices=[('government', 'Government'), ('finance', 'Finance'), ('energy', 'Energy and utilities'), ('telecom', 'Telecommunications'), ('healthcare', 'Healthcare'), ('education', 'Education'), ('manufacturing', 'Manufacturing'), ('transport', 'Transport and logistics'), ('retail', 'Retail'), ('internet', 'Internet'), ('other', 'Other')], default='other', max_length=30, verbose_name='industry')),
                        ('region', models.CharField(blank=True, choices=[('north', 'North China'), ('east', 'East China'), ('south', 'South China'), ('central', 'Central China'), ('southwest', 'Southwest China'), ('northwest', 'Northwest China'), ('northeast', 'Northeast China'), ('hk_mo_tw', 'Hong Kong, Macao and Taiwan'), ('overseas', 'Overseas')], max_length=30, verbose_name='region')),
                        ('publish_date', models.DateField(blank=True, null=True, verbose_name='publish date')),
                        ('registration_deadline', models.DateTimeField(blank=True, null=True, verbose_name='registration deadline')),
                        ('bid_deadline', models.DateTimeField(blank=True, null=True, verbose_name='bid deadline')),
                        ('opening_date', models.DateTimeField(blank=True, null=True, verbose_name='opening date')),
                        ('qualification_requirements', models.TextField(blank=True, verbose_name='qualification requirements')),
                        ('source_url', models.URLField(blank=True, max_length=500, verbose_name='source URL')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tenders', to='customers.customer', verbose_name='customer')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tenders', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                        ('routing_rule', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tenders', to='workflows.routingrule', verbose_name='assigned by rule')),
                    ],
                    options={
                        'verbose_name': 'tender',
                        'verbose_name_plural': 'tenders',
                        'ordering': ['-publish_date', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='TenderAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(upload_to='tenders/%Y/%m/', verbose_name='file')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded')),
                        ('tender', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='tenders.tender')),
                    ],
                    options={
                        'verbose_name': 'tender attachment',
                        'verbose_name_plural': 'tender attachments',
                        'ordering': ['tender_id', 'pk'],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to('tenders', 'bids'), content_types_to('bids', 'tenders')),
    ]
