"""Document pages: generate/approve/download, template management, batch generation."""

from django.urls import path

from backend.docs_templates import views

app_name = "docs_templates"
urlpatterns = [
    path("project/<int:pk>/generate/", views.document_generate, name="generate"),
    path("<int:pk>/approve/", views.document_approve, name="approve"),
    path("<int:pk>/download/", views.document_download, name="download"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/activate/", views.template_activate, name="activate"),
    path("templates/<int:pk>/download/", views.template_download, name="template-download"),
    path("batches/", views.batch_page, name="batches"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
]
