"""Delivery pages (mounted at ``/delivery/``): the milestones and payments tabs on pages of their own, the
actions posted from them, file downloads and the receivables page."""

from django.urls import path

from backend.milestones import views

app_name = "milestones"
urlpatterns = [
    path("receivables/", views.receivables, name="receivables"),
    path("project/<int:pk>/milestones/", views.project_milestones, name="project-milestones"),
    path("project/<int:pk>/payments/", views.project_payments, name="project-payments"),
    # milestones tab
    path(
        "project/<int:pk>/milestones/<int:milestone_pk>/transition/",
        views.milestone_transition,
        name="milestone-transition",
    ),
    path("project/<int:pk>/milestones/<int:milestone_pk>/plan/", views.milestone_plan, name="milestone-plan"),
    path(
        "project/<int:pk>/milestones/<int:milestone_pk>/deliverables/",
        views.deliverable_upload,
        name="deliverable-upload",
    ),
    path(
        "project/<int:pk>/deliverables/<int:deliverable_pk>/versions/",
        views.deliverable_version_add,
        name="deliverable-version-add",
    ),
    path(
        "project/<int:pk>/deliverables/<int:deliverable_pk>/submit/",
        views.deliverable_submit,
        name="deliverable-submit",
    ),
    path(
        "project/<int:pk>/deliverables/<int:deliverable_pk>/review/",
        views.deliverable_review,
        name="deliverable-review",
    ),
    path("project/<int:pk>/acceptances/", views.acceptance_add, name="acceptance-add"),
    path("project/<int:pk>/tasks/<int:task_pk>/", views.task_status, name="task-status"),
    # payments tab
    path("project/<int:pk>/payment-terms/", views.payment_term_add, name="payment-term-add"),
    path("project/<int:pk>/invoices/", views.invoice_add, name="invoice-add"),
    path("project/<int:pk>/receipts/", views.receipt_add, name="receipt-add"),
    path("project/<int:pk>/write-offs/", views.write_off, name="write-off"),
    # downloads
    path("versions/<int:pk>/download/", views.version_download, name="version-download"),
    path("acceptances/<int:pk>/certificate/", views.certificate_download, name="certificate-download"),
]
