"""``{% project_audit_history project %}``: the project's field changes and its records' (history tab)."""

from __future__ import annotations

from typing import Any

from django import template

from backend.projects.history import project_history

register = template.Library()


@register.inclusion_tag("core/_audit_history.html")
def project_audit_history(project: Any, limit: int = 200) -> dict[str, Any]:
    return {"entries": project_history(project, limit=limit), "show_model": True}
