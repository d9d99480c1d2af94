"""Project pages (list, kanban board, project page with tabs)."""

from django.urls import path  # noqa: F401

app_name = "projects"
urlpatterns: list = []
