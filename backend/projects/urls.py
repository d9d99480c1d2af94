"""Project pages (list, kanban board, project page with tabs) and the forms posted from them."""

from django.urls import path

from backend.projects import views
from backend.projects.views import sharing

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("board/", views.project_board, name="board"),
    path("sharing-rules/", sharing.sharing_rules, name="sharing-rules"),
    path("sharing-rules/preview/", sharing.sharing_rule_preview, name="sharing-rule-preview"),
    path("sharing-rules/<int:pk>/", sharing.sharing_rules, name="sharing-rule-edit"),
    path("sharing-rules/<int:pk>/delete/", sharing.sharing_rule_delete, name="sharing-rule-delete"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/move/", views.board_move, name="board-move"),
    path("<int:pk>/forecast/", views.project_forecast, name="forecast"),
    path("<int:pk>/transitions/<slug:name>/", views.project_transition, name="transition"),
    path("<int:pk>/members/add/", views.member_add, name="member-add"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member-remove"),
    path("<int:pk>/competitors/add/", views.competitor_add, name="competitor-add"),
    path("<int:pk>/competitors/<int:entry_pk>/edit/", views.competitor_edit, name="competitor-edit"),
    path("<int:pk>/competitors/<int:entry_pk>/notes/", views.competitor_note_add, name="competitor-note-add"),
    path("<int:pk>/partners/add/", views.partner_add, name="partner-add"),
    path("<int:pk>/checklist/<int:item_pk>/", views.checklist_toggle, name="checklist-toggle"),
]
