"""Registers the milestones' audited records with the project's history (backend/projects/history.py)."""

from backend.milestones.models import Milestone
from backend.projects.history import register_history_source

register_history_source(lambda project_id: Milestone.history.filter(project_id=project_id))
