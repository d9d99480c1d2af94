"""Admin for payment terms, invoices and receipts."""

from django.contrib import admin

from backend.payments.models import Invoice, PaymentTerm, Receipt


@admin.register(PaymentTerm)
class PaymentTermAdmin(admin.ModelAdmin):
    list_display = ("project", "order", "name", "percent", "amount", "due_date", "written_off")


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "project", "amount", "issued_on", "due_on")


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ("project", "payment_term", "amount", "received_on", "reference")
