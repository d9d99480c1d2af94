"""Routing-rule pages (administrators)."""

from django.urls import path

from workflows.routing import views

app_name = "routing"
urlpatterns = [
    path("", views.rule_list, name="list"),
    path("new/", views.rule_create, name="create"),
    path("<int:pk>/", views.rule_edit, name="edit"),
    path("<int:pk>/delete/", views.rule_delete, name="delete"),
    path("<int:pk>/move/", views.rule_move, name="move"),
]
