"""Payments pages (mounted at ``/delivery/``, beside the milestones pages): the payments tab on a page of its
own, the actions posted from it and the receivables page."""

from django.urls import path

from backend.payments import views

app_name = "payments"
urlpatterns = [
    path("receivables/", views.receivables, name="receivables"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("project/<int:pk>/payments/", views.project_payments, name="project-payments"),
    path("project/<int:pk>/payment-terms/", views.payment_term_add, name="payment-term-add"),
    path("project/<int:pk>/invoices/", views.invoice_add, name="invoice-add"),
    path("project/<int:pk>/receipts/", views.receipt_add, name="receipt-add"),
    path("project/<int:pk>/write-offs/", views.write_off, name="write-off"),
]
