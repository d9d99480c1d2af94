"""Tender pages (list, detail, create/edit, import, create project)."""

from django.urls import path

from backend.tenders import views

app_name = "tenders"
urlpatterns = [
    path("", views.tender_list, name="list"),
    path("new/", views.tender_create, name="create"),
    path("import/", views.tender_import_page, name="import"),
    path("import/template.csv", views.tender_import_template, name="import-template"),
    path("<int:pk>/", views.tender_detail, name="detail"),
    path("<int:pk>/edit/", views.tender_edit, name="edit"),
    path("<int:pk>/delete/", views.tender_delete, name="delete"),
    path("<int:pk>/attachments/", views.tender_attachment_add, name="attachment-add"),
    path("<int:pk>/create-project/", views.tender_create_project, name="create-project"),
    path("attachments/<int:pk>/", views.tender_attachment_download, name="attachment"),
]
