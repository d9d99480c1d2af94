"""Pages of the docs_templates app."""

from django.urls import path  # noqa: F401

app_name = "docs_templates"
urlpatterns: list = []
