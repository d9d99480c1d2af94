"""Template context every page gets: the unread notification count (for the navigation bar; the number of
reviews waiting comes from ``workflows.context_processors``). One query, run only if a template uses it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _unread(user: Any) -> int:
    from backend.core.counts import cached_count
    from backend.core.models import Notification

    return cached_count(Notification.objects.filter(recipient=user, read_at__isnull=True))


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: _unread(user))}
