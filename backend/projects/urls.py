"""Project pages (list, kanban board, project page with tabs)."""

from django.http import HttpResponse
from django.urls import path

app_name = "projects"


def _placeholder(request, pk=None):  # replaced by the real project pages
    return HttpResponse("project page")


urlpatterns = [
    path("", _placeholder, name="list"),
    path("<int:pk>/", _placeholder, name="detail"),
]
