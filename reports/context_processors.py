"""Whether the navigation shows Reports for the reader (executives, directors, department heads and the roles a
report is for); computed only when a template asks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show_reports": False}

    def shown() -> bool:
        from reports.registry import reports_for

        return bool(reports_for(user))

    return {"show_reports": SimpleLazyObject(shown)}
