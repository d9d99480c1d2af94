"""``{% audit_history obj %}``: the field changes of one audited record (backend/core/audit.py)."""

from __future__ import annotations

from typing import Any

from django import template

from backend.core.audit import history_entries

register = template.Library()


@register.inclusion_tag("core/_audit_history.html")
def audit_history(obj: Any, limit: int = 200) -> dict[str, Any]:
    return {"entries": history_entries([obj.history.all()], limit=limit), "show_model": False}
