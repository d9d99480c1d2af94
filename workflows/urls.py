"""Review pages (inbox, review detail with approve / reject / return)."""

from django.urls import path  # noqa: F401

app_name = "reviews"
urlpatterns: list = []
