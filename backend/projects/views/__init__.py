"""Project pages: the list (filters, pagination), the kanban board (drag a card to another column to call
the transition), the project page with its tabs, and the forms posted from it. Thin: selectors read,
services write, and every refusal of a service is shown on the page — never a 500. Nothing here decides
whether a transition is allowed; ``services.project_transition`` does."""

from backend.projects.tabs import PLUGIN_TABS, TABS, project_tab
from backend.projects.views.lists import board_move, project_board, project_create, project_edit, project_list
from backend.projects.views.page import project_detail, project_forecast, project_transition, render_project_page
from backend.projects.views.team import (
    checklist_toggle,
    competitor_add,
    competitor_edit,
    competitor_note_add,
    member_add,
    member_remove,
    partner_add,
)

__all__ = [
    "PLUGIN_TABS",
    "TABS",
    "board_move",
    "checklist_toggle",
    "competitor_add",
    "competitor_edit",
    "competitor_note_add",
    "member_add",
    "member_remove",
    "partner_add",
    "project_board",
    "project_create",
    "project_detail",
    "project_edit",
    "project_forecast",
    "project_list",
    "project_tab",
    "project_transition",
    "render_project_page",
]
