"""Saved filters of the list pages."""

from django.urls import path

from backend.core import saved_filter_views as views

app_name = "lists"
urlpatterns = [
    path("<slug:list_key>/saved/", views.saved_filter_save, name="saved-save"),
    path("<slug:list_key>/saved/<int:pk>/delete/", views.saved_filter_delete, name="saved-delete"),
]
