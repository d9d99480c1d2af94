"""Tender pages (list, detail, create/edit, import, create project)."""

from django.urls import path  # noqa: F401

app_name = "tenders"
urlpatterns: list = []
